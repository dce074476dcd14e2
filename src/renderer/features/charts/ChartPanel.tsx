/**
 * The explorer's chart with its toolbar: type, buckets, legend search, range
 * selection (brush), export (PNG, SVG, CSV). Both entry points use it: the
 * metric chart tab (data from the warehouse) and a SQL result's chart (data
 * from the DuckDB-WASM working set); they differ only in the fetcher.
 */
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { ChartSpec } from '../../../shared/api/charts';
import type { ErrorView } from '../../state/errorView';
import { ErrorPanel } from '../common/ErrorPanel';
import { downloadText, download } from './chartStore';
import { formatInstant } from './chartFormat';
import { plotInsets, type DrawModel } from './chartOption';
import type { ChartData } from '../../../shared/charts/chartQuery';
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
const EXPORTS = ['png', 'svg', 'csv'] as const;

export function ChartPanel(props: Props) {
  const { extent, timeZone } = props;
  const window = clampWindow(props.window ?? extent, extent);
  const [width, setWidth] = useState(0);
  const [legendSearch, setLegendSearch] = useState('');
  const [selected, setSelected] = useState<Record<string, boolean>>({});
  const [brushing, setBrushing] = useState(false);
  const [range, setRange] = useState<ChartWindow | null>(null);
  const [exportError, setExportError] = useState<ErrorView | null>(null);
  const chart = useRef<ChartHandle>(null);
  const step = Math.max(10, Math.round(width / 10) * 10);
  const state = useChartData(
    width > 0 ? { window, width: step } : null,
    props.fetcher,
    props.cancel,
    `${props.signature}|${props.bucket}`,
  );

  useEffect(() => {
    if (!brushing) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        setBrushing(false);
        chart.current?.brush(false);
      }
    };
    globalThis.addEventListener('keydown', onKey);
    return () => globalThis.removeEventListener('keydown', onKey);
  }, [brushing]);

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

  const exportAs = (kind: (typeof EXPORTS)[number]) => {
    try {
      const handle = chart.current;
      if (!handle) return;
      if (kind === 'png') download(`${props.exportName}.png`, handle.png());
      else if (kind === 'svg') downloadText(`${props.exportName}.svg`, handle.svg(), 'image/svg+xml');
      else downloadText(`${props.exportName}.csv`, handle.csv(), 'text/csv');
      setExportError(null);
    } catch (err) {
      setExportError({
        code: 'internal',
        message: `Could not export the chart: ${String(err)}`,
        hint: 'Try again, or export the data as CSV.',
      });
    }
  };

  // The legend's filter has already picked the names; All/None only touch those.
  const toggleLegend = (on: boolean) => {
    const names = model.legendNames ?? model.series.map((s) => s.key);
    setSelected((prev) => ({ ...prev, ...Object.fromEntries(names.map((k) => [k, on])) }));
  };

  return (
    <div className="chart-panel" data-testid={props.testId}>
      <div className="chart-toolbar">
        <label className="chart-field">
          Draw
          <select
            data-testid="chart-type"
            value={props.type}
            onChange={(e) => props.onChange({ type: e.target.value as ChartSpec['type'] })}
          >
            <option value="line">Line</option>
            <option value="area">Area</option>
            <option value="step">Step</option>
            <option value="scatter">Scatter</option>
          </select>
        </label>
        <label className="chart-field" title={`Calendar buckets are days and weeks in ${timeZone}`}>
          Buckets
          <select
            data-testid="chart-bucket"
            value={props.bucket}
            onChange={(e) => props.onChange({ bucket: e.target.value as ChartSpec['bucket'] })}
          >
            <option value="auto">Exact (M4 per pixel)</option>
            <option value="hour">Average per hour</option>
            <option value="day">Average per day</option>
            <option value="week">Average per week</option>
          </select>
        </label>
        <input
          className="chart-legend-search"
          data-testid="chart-legend-search"
          placeholder="Filter legend…"
          value={legendSearch}
          onChange={(e) => setLegendSearch(e.target.value)}
        />
        <button
          type="button"
          className="header-button"
          title="Show every series in the legend (filtered)"
          onClick={() => toggleLegend(true)}
        >
          All
        </button>
        <button
          type="button"
          className="header-button"
          title="Hide every series in the legend (filtered)"
          onClick={() => toggleLegend(false)}
        >
          None
        </button>
        <button
          type="button"
          className={`header-button${brushing ? ' active' : ''}`}
          data-testid="chart-brush"
          title="Drag over the chart to select a time range (Esc ends)"
          onClick={() => {
            chart.current?.brush(!brushing);
            setBrushing(!brushing);
          }}
        >
          ⇹ Select range
        </button>
        <button
          type="button"
          className="header-button"
          title="Show the whole time range"
          data-testid="chart-reset-zoom"
          onClick={() => props.onWindow(extent)}
        >
          Reset zoom
        </button>
        <span className="toolbar-spacer" />
        {props.toolbarExtra}
        <span className="chart-export">
          {EXPORTS.map((kind) => (
            <button
              key={kind}
              type="button"
              className="header-button"
              data-testid={`chart-export-${kind}`}
              onClick={() => exportAs(kind)}
            >
              {kind.toUpperCase()}
            </button>
          ))}
        </span>
      </div>
      {state.error ? <ErrorPanel error={state.error} title="Could not draw the chart" testId="chart-error" /> : null}
      {exportError ? <div className="error-hint">{exportError.message}</div> : null}
      {range ? (
        <div
          className="chart-range-bar"
          data-testid="chart-range"
          data-from={Math.round(range.fromMs)}
          data-to={Math.round(range.toMs)}
        >
          <span>
            Selected {formatInstant(range.fromMs, timeZone)} – {formatInstant(range.toMs, timeZone)}
          </span>
          <button type="button" className="header-button" onClick={() => props.onWindow(range)}>
            Zoom to selection
          </button>
          {props.rangeActions?.(range)}
          <button
            type="button"
            className="header-button"
            onClick={() => {
              chart.current?.clearBrush();
              setRange(null);
              props.onRange?.(null);
            }}
          >
            Clear
          </button>
        </div>
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
          onBrush={(r) => {
            setRange(r);
            props.onRange?.(r);
          }}
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
