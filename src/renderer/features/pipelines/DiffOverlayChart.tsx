/**
 * Current (server) and recomputed values of one series and metric, the
 * stretches that differ shaded; clicking a point asks for the records behind it.
 */
import { useMemo, useRef } from 'react';
import type { PreviewSeries } from '../../../shared/api/push';
import { useEChart } from '../../workbench/useEChart';

export function DiffOverlayChart({
  overlay,
  unit,
  onPoint,
}: {
  overlay: PreviewSeries;
  unit: string;
  onPoint: (epochMs: number) => void;
}) {
  const onPointRef = useRef(onPoint);
  onPointRef.current = onPoint;
  const pointsRef = useRef(overlay.points);
  pointsRef.current = overlay.points;
  const option = useMemo(() => {
    const few = overlay.points.length <= 400;
    return {
      backgroundColor: 'transparent',
      animation: false,
      grid: { left: 56, right: 16, top: 28, bottom: 48 },
      legend: { top: 0, textStyle: { color: '#aab' } },
      tooltip: {
        trigger: 'axis',
        valueFormatter: (v: unknown) => (typeof v === 'number' ? `${v.toPrecision(6)} ${unit}` : '—'),
      },
      dataZoom: [{ type: 'inside' }, { type: 'slider', height: 16, bottom: 6 }],
      xAxis: { type: 'time' },
      yAxis: { type: 'value', scale: true, name: unit, nameTextStyle: { color: '#889' } },
      series: [
        {
          name: 'current (server)',
          type: 'line',
          showSymbol: few,
          symbolSize: 4,
          connectNulls: false,
          color: '#8a9099',
          data: overlay.points.map(([t, c]) => [t, c]),
          markArea: {
            silent: true,
            itemStyle: { color: 'rgba(229, 97, 91, 0.16)' },
            // A single changed point gets a sliver wide enough to see.
            data: overlay.changed.map(([a, b]) => [{ xAxis: a - 60_000 }, { xAxis: b + 60_000 }]),
          },
        },
        {
          name: 'recomputed (draft)',
          type: 'line',
          showSymbol: few,
          symbolSize: 4,
          connectNulls: false,
          color: '#5b9dff',
          data: overlay.points.map(([t, , r]) => [t, r]),
        },
      ],
    };
  }, [overlay, unit]);
  const ref = useEChart(option, (chart) => {
    // Anywhere in the plot, not only on a symbol: the nearest point in time.
    chart.getZr().on('click', (e: { offsetX: number; offsetY: number }) => {
      if (!chart.containPixel('grid', [e.offsetX, e.offsetY])) return;
      const [x] = chart.convertFromPixel({ seriesIndex: 0 }, [e.offsetX, e.offsetY]) as number[];
      const points = pointsRef.current;
      if (x === undefined || !points.length) return;
      let best = points[0]![0];
      for (const [t] of points) if (Math.abs(t - x) < Math.abs(best - x)) best = t;
      onPointRef.current(best);
    });
  });

  return <div className="rp-chart" data-testid="rp-overlay-chart" ref={ref} />;
}
