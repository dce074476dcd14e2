/**
 * The explorer's chart with its toolbar (ChartToolbar: type, buckets, legend
 * search, range selection, export as PNG, SVG, CSV) and the selected range
 * (ChartRangeBar). Both entry points use it: the metric chart tab (data from
 * the warehouse) and a SQL result's chart (data from the DuckDB-WASM working
 * set); they differ only in the fetcher.
 */
import { useMemo, useRef, useState, type ReactNode } from 'react';
import type { ChartSpec } from '../../../shared/api/charts';
import type { ChartData } from '../../../shared/charts/chartQuery';
import { ErrorPanel } from '../common/ErrorPanel';
import { plotInsets, type DrawModel } from './chartOption';
import { ChartRangeBar, useChartBrush } from './ChartRangeBar';
import { ChartToolbar, useChartExport } from './ChartToolbar';
import { TimeSeriesChart, type ChartHandle, type ChartWindow } from './TimeSeriesChart';
import { useChartData, type Fetcher } from './useChartData';

interface Props {
  testId: string;
  type: ChartSpec['type'];
  bucket: ChartSpec['bucket'];
  onChange: (patch: Partial<Pick<ChartSpec, 'type' | 'bucket'>>) => void;
  timeZone: string;
  extent: ChartWindow;
  window: ChartWindow | null;
  onWindow: (window: ChartWindow) => void;
  fetcher: Fetcher;
  cancel: (requestId: string) => void;
  /** Changes whenever what is charted changes. */
  signature: string;
  unitOf: (seriesKey: string) => string;
  exportName: string;
  /** What to offer for a selected time range. */
  rangeActions?: (range: ChartWindow) => ReactNode;
  onRange?: (range: ChartWindow | null) => void;
  toolbarExtra?: ReactNode;
  /** Drawn over the plot for the data drawn (the plot stays zoomable around it). */
  overlay?: (data: ChartData) => ReactNode;
  /** Under the plot, lined up with it (`insets`: its left and right margins), for the data drawn. */
  footer?: (
    data: ChartData,
    drawn: { window: ChartWindow; insets: { left: number; right: number }; elapsedMs: number | null },
  ) => ReactNode;
  /** What an empty answer says. */
  emptyText?: string;
}

const MIN_SPAN_MS = 10;

export function ChartPanel(props: Props) {
  const { extent, timeZone } = props;
  const window = clampWindow(props.window ?? extent, extent);
  const [width, setWidth] = useState(0);
  const [legendSearch, setLegendSearch] = useState('');
  const [selected, setSelected] = useState<Record<string, boolean>>({});
  const chart = useRef<ChartHandle>(null);
  const brush = useChartBrush(chart, props.onRange);
  const exported = useChartExport(chart, props.exportName);
  const step = Math.max(10, Math.round(width / 10) * 10);
  const state = useChartData(
    width > 0 ? { window, width: step } : null,
    props.fetcher,
    props.cancel,
    `${props.signature}|${props.bucket}`,
  );

  const model: DrawModel = useMemo(() => {
    const data = state.data;
    const series = (data?.series ?? []).map((s) => ({
      ...s,
      unit: props.unitOf(s.key),
      compare: / \(previous (day|week)\)$/.test(s.key),
    }));
    const needle = legendSearch.trim().toLowerCase();
    return {
      series,
      mode: data?.mode ?? 'raw',
      bucketMs: data?.bucketMs ?? 0,
      type: props.type,
      timeZone,
      extent,
      window: state.drawn?.window ?? window,
      legendNames: needle ? series.map((s) => s.key).filter((k) => k.toLowerCase().includes(needle)) : null,
      selected,
    };
    // props.unitOf changes identity each render; units only change with the data.
  }, [state.data, state.drawn, props.type, timeZone, extent.fromMs, extent.toMs, legendSearch, selected]);

  // The legend's filter has already picked the names; All/None only touch those.
  const toggleLegend = (on: boolean) => {
    const names = model.legendNames ?? model.series.map((s) => s.key);
    setSelected((prev) => ({ ...prev, ...Object.fromEntries(names.map((k) => [k, on])) }));
  };

  return (
    <div className="chart-panel" data-testid={props.testId}>
      <ChartToolbar
        type={props.type}
        bucket={props.bucket}
        onChange={props.onChange}
        timeZone={timeZone}
        legendSearch={legendSearch}
        onLegendSearch={setLegendSearch}
        onLegend={toggleLegend}
        brushing={brush.brushing}
        onToggleBrush={brush.toggle}
        onResetZoom={() => props.onWindow(extent)}
        extra={props.toolbarExtra}
        onExport={exported.exportAs}
      />
      {state.error ? <ErrorPanel error={state.error} title="Could not draw the chart" testId="chart-error" /> : null}
      {exported.error ? <div className="error-hint">{exported.error.message}</div> : null}
      {brush.range ? (
        <ChartRangeBar range={brush.range} timeZone={timeZone} onZoom={props.onWindow} onClear={brush.clear}>
          {props.rangeActions?.(brush.range)}
        </ChartRangeBar>
      ) : null}
      <div className="chart-plot-area">
        <TimeSeriesChart
          ref={chart}
          model={model}
          window={window}
          loading={state.loading}
          rawPoints={state.data?.rawPoints ?? 0}
          onWidth={setWidth}
          onWindow={(w) => props.onWindow(clampWindow(w, extent))}
          onBrush={brush.select}
          onLegend={setSelected}
        />
        {state.data && props.overlay ? props.overlay(state.data) : null}
      </div>
      {state.data && props.footer
        ? props.footer(state.data, {
            window: state.drawn?.window ?? window,
            insets: plotInsets(model),
            elapsedMs: state.elapsedMs,
          })
        : null}
      {!state.loading && state.data && state.data.series.length === 0 && !state.data.heavy ? (
        <div className="chart-empty" data-testid="chart-empty">
          {props.emptyText ?? 'No points in this time range.'}
        </div>
      ) : null}
    </div>
  );
}

function clampWindow(w: ChartWindow, extent: ChartWindow): ChartWindow {
  const fromMs = Math.max(extent.fromMs, Math.min(w.fromMs, extent.toMs - MIN_SPAN_MS));
  const toMs = Math.min(extent.toMs, Math.max(w.toMs, fromMs + MIN_SPAN_MS));
  return { fromMs, toMs };
}
