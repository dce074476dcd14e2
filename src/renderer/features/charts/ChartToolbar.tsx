/**
 * The chart panel's toolbar: how to draw (type, buckets), the legend's filter
 * with All/None, range selection, reset zoom, what the owner adds, and export.
 */
import { useState, type ReactNode, type RefObject } from 'react';
import type { ChartSpec } from '../../../shared/api/charts';
import type { ErrorView } from '../../state/errorView';
import { download, downloadText } from './chartStore';
import type { ChartHandle } from './TimeSeriesChart';

const EXPORTS = ['png', 'svg', 'csv'] as const;
type ExportKind = (typeof EXPORTS)[number];

/** Downloads the chart as drawn (PNG, SVG or CSV); a failure is kept to be shown, not thrown. */
export function useChartExport(
  chart: RefObject<ChartHandle | null>,
  name: string,
): { exportAs: (kind: ExportKind) => void; error: ErrorView | null } {
  const [error, setError] = useState<ErrorView | null>(null);
  const exportAs = (kind: ExportKind) => {
    try {
      const handle = chart.current;
      if (!handle) return;
      if (kind === 'png') download(`${name}.png`, handle.png());
      else if (kind === 'svg') downloadText(`${name}.svg`, handle.svg(), 'image/svg+xml');
      else downloadText(`${name}.csv`, handle.csv(), 'text/csv');
      setError(null);
    } catch (err) {
      setError({
        code: 'internal',
        message: `Could not export the chart: ${String(err)}`,
        hint: 'Try again, or export the data as CSV.',
      });
    }
  };
  return { exportAs, error };
}

export function ChartToolbar(props: {
  type: ChartSpec['type'];
  bucket: ChartSpec['bucket'];
  onChange: (patch: Partial<Pick<ChartSpec, 'type' | 'bucket'>>) => void;
  timeZone: string;
  legendSearch: string;
  onLegendSearch: (search: string) => void;
  /** All (true) or None (false) of the series the legend's filter shows. */
  onLegend: (on: boolean) => void;
  brushing: boolean;
  onToggleBrush: () => void;
  onResetZoom: () => void;
  /** The owner's controls, before the export buttons. */
  extra?: ReactNode;
  onExport: (kind: ExportKind) => void;
}) {
  return (
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
      <label className="chart-field" title={`Calendar buckets are days and weeks in ${props.timeZone}`}>
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
        value={props.legendSearch}
        onChange={(e) => props.onLegendSearch(e.target.value)}
      />
      <button
        type="button"
        className="header-button"
        title="Show every series in the legend (filtered)"
        onClick={() => props.onLegend(true)}
      >
        All
      </button>
      <button
        type="button"
        className="header-button"
        title="Hide every series in the legend (filtered)"
        onClick={() => props.onLegend(false)}
      >
        None
      </button>
      <button
        type="button"
        className={`header-button${props.brushing ? ' active' : ''}`}
        data-testid="chart-brush"
        title="Drag over the chart to select a time range (Esc ends)"
        onClick={props.onToggleBrush}
      >
        ⇹ Select range
      </button>
      <button
        type="button"
        className="header-button"
        title="Show the whole time range"
        data-testid="chart-reset-zoom"
        onClick={props.onResetZoom}
      >
        Reset zoom
      </button>
      <span className="toolbar-spacer" />
      {props.extra}
      <span className="chart-export">
        {EXPORTS.map((kind) => (
          <button
            key={kind}
            type="button"
            className="header-button"
            data-testid={`chart-export-${kind}`}
            onClick={() => props.onExport(kind)}
          >
            {kind.toUpperCase()}
          </button>
        ))}
      </span>
    </div>
  );
}
