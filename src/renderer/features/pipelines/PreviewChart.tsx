/** A line chart of one preview metric over ts, one line per series (ECharts, canvas). */
import { useMemo } from 'react';
import { useEChart } from '../../workbench/useEChart';
import type { PreviewResult } from './editorStore';

export function PreviewChart({ chart, unit }: { chart: PreviewResult['chart'][number]; unit: string }) {
  const option = useMemo(
    () => ({
      backgroundColor: 'transparent',
      animation: false,
      grid: { left: 56, right: 16, top: 28, bottom: 28 },
      legend: { type: 'scroll', top: 0, textStyle: { color: '#aab' } },
      tooltip: {
        trigger: 'axis',
        valueFormatter: (v: unknown) => (typeof v === 'number' ? `${v.toPrecision(6)} ${unit}` : '—'),
      },
      xAxis: { type: 'time' },
      yAxis: { type: 'value', scale: true, name: unit, nameTextStyle: { color: '#889' } },
      series: chart.series.map((s) => ({
        name: s.seriesId,
        type: 'line',
        showSymbol: false,
        connectNulls: false,
        sampling: 'lttb',
        data: s.points,
      })),
    }),
    [chart, unit],
  );
  const ref = useEChart(option);

  return <div className="preview-chart" data-testid="preview-chart" ref={ref} />;
}
