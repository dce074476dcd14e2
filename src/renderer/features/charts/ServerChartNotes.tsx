/**
 * What a server chart adds around the plot: a strip under it showing where
 * each stretch's points came from (the cache, the server, or a continuous
 * aggregate by name) with the rows that crossed the wire; and, when the view
 * would read too much on the server, a notice in place of the line offering
 * to draw anyway or to sync those days instead.
 */
import type { ChartHeavy, ChartPart } from '../../../shared/api/charts';
import type { ChartData } from '../../../shared/charts/chartQuery';
import { addDays } from '../../../shared/utcDays';
import { formatCount, formatDuration, formatRowCount } from '../../workbench/format';
import { formatInstant } from './chartFormat';
import type { ChartWindow } from './TimeSeriesChart';

const PART_LABEL: Record<ChartPart['from'], string> = { cache: 'cache', server: 'server', aggregate: 'aggregate' };

export function partLabel(part: ChartPart): string {
  return part.from === 'aggregate' && part.name ? `from ${part.name}` : `from the ${PART_LABEL[part.from]}`;
}

/** "Server (live)", "Cache + server", "Cache + metrics_hourly": where the drawn points came from, in words. */
export function sourceLabel(parts: readonly ChartPart[]): string {
  const kinds = [...new Set(parts.map((p) => (p.from === 'aggregate' ? (p.name ?? 'aggregate') : p.from)))];
  if (kinds.length === 0) return 'Server (live)';
  if (kinds.length === 1 && kinds[0] === 'server') return 'Server (live)';
  if (kinds.length === 1 && kinds[0] === 'cache') return 'Server (live) · all from the cache';
  return `Server (live) · ${kinds.join(' + ')}`;
}

/**
 * The parts as a strip lined up with the plot (`insets`: the plot's left and
 * right margins in px), then the source, resolution, rows over the wire and time.
 */
export function PartsStrip(props: {
  data: ChartData;
  window: ChartWindow;
  insets: { left: number; right: number };
  elapsedMs: number | null;
  timeZone: string;
}) {
  const parts = props.data.parts ?? [];
  const { fromMs, toMs } = props.window;
  const span = Math.max(1, toMs - fromMs);
  const shown = parts.filter((p) => p.toMs > fromMs && p.fromMs < toMs);
  const rows = props.data.serverRows ?? 0;
  return (
    <div className="chart-parts" data-testid="chart-parts">
      <div className="chart-parts-strip" style={{ marginLeft: props.insets.left, marginRight: props.insets.right }}>
        {shown.map((p) => {
          const left = ((Math.max(p.fromMs, fromMs) - fromMs) / span) * 100;
          const right = ((Math.min(p.toMs, toMs) - fromMs) / span) * 100;
          return (
            <span
              key={`${p.fromMs}-${p.from}`}
              className={`chart-part ${p.from}`}
              data-testid="chart-part"
              data-from={p.from}
              data-name={p.name ?? ''}
              style={{ left: `${left}%`, width: `${Math.max(0.2, right - left)}%` }}
              title={`${formatInstant(p.fromMs, props.timeZone)} – ${formatInstant(p.toMs, props.timeZone)}: ${partLabel(p)}`}
            >
              {partLabel(p)}
            </span>
          );
        })}
      </div>
      <div
        className="chart-source-status"
        data-testid="chart-source-status"
        data-server-rows={rows}
        data-mode={props.data.mode}
      >
        {sourceLabel(shown)} · {props.data.mode === 'raw' ? 'raw points' : props.data.mode} · {formatRowCount(rows)}{' '}
        over the wire
        {props.elapsedMs !== null ? ` · ${formatDuration(props.elapsedMs)}` : ''}
      </div>
    </div>
  );
}

/** In place of the line: how much the view would read on the server, and what to do instead. */
export function HeavyNotice(props: { heavy: ChartHeavy; onDrawAnyway: () => void; onSync: () => void }) {
  const { heavy } = props;
  const lastDay = addDays(heavy.toDay, -1);
  return (
    <div className="chart-heavy" data-testid="chart-heavy" data-rows={heavy.rows}>
      <div className="chart-heavy-card">
        <p>
          This view would read about <strong>{formatCount(Math.round(heavy.rows))} rows</strong> on the server (
          {heavy.note}).
        </p>
        <p className="dim">
          Zoom in to read less, draw it anyway, or sync{' '}
          {heavy.fromDay === lastDay ? heavy.fromDay : `${heavy.fromDay} – ${lastDay}`} (UTC) to this computer and chart
          it from the cache.
        </p>
        <div className="chart-heavy-actions">
          <button type="button" className="header-button" data-testid="chart-draw-anyway" onClick={props.onDrawAnyway}>
            Draw anyway
          </button>
          <button type="button" className="header-button" data-testid="chart-sync-days" onClick={props.onSync}>
            Sync these days…
          </button>
        </div>
      </div>
    </div>
  );
}
