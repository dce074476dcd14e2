/** A line chart of one preview metric over ts, one line per series (ECharts, canvas). */
import { useEffect, useMemo } from 'react';
import { useEChart } from '../../workbench/useEChart';
import type { PreviewResult } from './editorStore';
import { setChartWidth } from './pipelineActions';

/** The chart's grid margins (left + right), which the plot's width leaves out. */
const GRID = { left: 56, right: 16 };

export function PreviewChart({
  tabId,
  chart,
  unit,
}: {
  tabId: string;
  chart: NonNullable<PreviewResult['chart']>;
  unit: string;
}) {
  const option = useMemo(
    () => ({
      backgroundColor: 'transparent',
      animation: false,
      grid: { ...GRID, top: 28, bottom: 28 },
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
        // The points are already a few per pixel column (previewChartSql).
        data: s.points,
      })),
    }),
    [chart, unit],
  );
  const ref = useEChart(option);

  // The next preview computes as many columns as the plot has pixels.
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const report = () => {
      if (el.clientWidth > 0) setChartWidth(tabId, el.clientWidth - GRID.left - GRID.right);
    };
    report();
    const observer = new ResizeObserver(report);
    observer.observe(el);
    return () => observer.disconnect();
  }, [ref, tabId]);

  return <div className="preview-chart" data-testid="preview-chart" ref={ref} />;
}
