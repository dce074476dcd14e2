/**
 * The metric chart's picker, on the left: where the points come from (the
 * cache, or the server live), the pipeline, its metrics and the series.
 */
import { useEffect, useState } from 'react';
import type { ChartDataSource } from '../../../shared/api/charts';
import { toErrorView, type ErrorView } from '../../state/errorView';
import { useWorkspaceStore } from '../../state/workspaceStore';
import { searchSeries } from './chartActions';
import { metricSourceFrom, type MetricSource } from './chartStore';
import type { PipelineChoice } from './useMetricOptions';

function SeriesPicker(props: { source: MetricSource; onChange: (seriesIds: string[]) => void }) {
  const { pipelineId, metrics, seriesIds } = props.source;
  const from = metricSourceFrom(props.source);
  const [search, setSearch] = useState('');
  const [found, setFound] = useState<{ series: string[]; more: number } | null>(null);
  const [error, setError] = useState<ErrorView | null>(null);
  useEffect(() => {
    if (!pipelineId) return;
    let live = true;
    const timer = setTimeout(() => {
      searchSeries(from, { pipelineId, metrics, search, limit: 300 }).then(
        (r) => live && (setFound(r), setError(null)),
        (err: unknown) => live && setError(toErrorView(err)),
      );
    }, 150);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [from, pipelineId, metrics.join('\u0001'), search]);
  const chosen = new Set(seriesIds);
  return (
    <div className="chart-picker-group">
      <div className="chart-picker-title">
        Series <span className="dim">{seriesIds.length ? `${seriesIds.length} chosen` : 'all'}</span>
        {seriesIds.length ? (
          <button type="button" className="link-button" onClick={() => props.onChange([])}>
            clear
          </button>
        ) : null}
      </div>
      <input
        className="chart-picker-search"
        data-testid="chart-series-search"
        placeholder="Search series…"
        value={search}
        onChange={(e) => setSearch(e.target.value)}
      />
      {error ? <div className="empty-state error">{error.message}</div> : null}
      <ul className="chart-picker-list" data-testid="chart-series-list">
        {(found?.series ?? []).map((id) => (
          <li key={id}>
            <label>
              <input
                type="checkbox"
                checked={chosen.has(id)}
                onChange={(e) =>
                  props.onChange(e.target.checked ? [...seriesIds, id] : seriesIds.filter((s) => s !== id))
                }
              />
              {id}
            </label>
          </li>
        ))}
      </ul>
      {found && found.more > 0 ? (
        <div className="dim chart-picker-more">
          {from === 'server' ? 'More match' : `${found.more} more`} — refine the search
        </div>
      ) : null}
      {found && found.series.length === 0 ? <div className="dim">No series match.</div> : null}
    </div>
  );
}

/** "Cached" or "Server (live)": the server only when a PostgreSQL connection is configured. */
function SourceSelect(props: { from: ChartDataSource; onChange: (from: ChartDataSource) => void }) {
  const connected = useWorkspaceStore((s) => s.status?.postgres != null);
  // A saved server chart stays readable as such while the server is not configured.
  const disabled = !connected && props.from === 'cache';
  return (
    <div className="chart-picker-group">
      <div className="chart-picker-title">Source</div>
      <select
        data-testid="chart-source"
        value={props.from}
        disabled={disabled}
        title={
          disabled
            ? 'No server connected: connect a PostgreSQL server in Connections to chart it live'
            : 'Cached: the metrics synced to this computer. Server (live): queried on the server as you zoom; cached days are still read locally'
        }
        onChange={(e) => props.onChange(e.target.value as ChartDataSource)}
      >
        <option value="cache">Cached</option>
        <option value="server" disabled={!connected}>
          Server (live)
        </option>
      </select>
    </div>
  );
}

export function MetricPicker(props: {
  source: MetricSource;
  pipelines: PipelineChoice[];
  units: Map<string, string>;
  onReload: () => void;
  /** A patch of the source; `resetWindow` when the zoom no longer applies. */
  onChange: (patch: Partial<MetricSource>, resetWindow?: boolean) => void;
}) {
  const { source, pipelines } = props;
  const from = metricSourceFrom(source);
  const metricsOf = pipelines.find((p) => p.id === source.pipelineId)?.metrics ?? [];
  return (
    <aside className="chart-picker">
      <SourceSelect
        from={from}
        onChange={(next) => {
          // Metrics and series carry over where the other source has them too (checked once its list is in).
          props.onChange({ from: next });
        }}
      />
      <div className="chart-picker-group">
        <div className="chart-picker-title">
          Pipeline
          <button
            type="button"
            className="link-button"
            title={from === 'server' ? 'Re-read the pipelines on the server' : 'Re-read the cached metrics'}
            onClick={props.onReload}
          >
            ↻
          </button>
        </div>
        <select
          data-testid="chart-pipeline"
          value={source.pipelineId}
          onChange={(e) => {
            const first = pipelines.find((p) => p.id === e.target.value)?.metrics[0];
            props.onChange({ pipelineId: e.target.value, metrics: first ? [first.name] : [], seriesIds: [] }, true);
          }}
        >
          {source.pipelineId ? null : <option value="">Choose…</option>}
          {source.pipelineId && !pipelines.some((p) => p.id === source.pipelineId) ? (
            <option value={source.pipelineId}>{source.pipelineId}</option>
          ) : null}
          {pipelines.map((p) => (
            <option key={p.id} value={p.id}>
              {p.id}
            </option>
          ))}
        </select>
      </div>
      <div className="chart-picker-group">
        <div className="chart-picker-title">Metrics</div>
        <ul className="chart-picker-list short" data-testid="chart-metric-list">
          {metricsOf.map((m) => (
            <li key={m.name} title={m.title}>
              <label>
                <input
                  type="checkbox"
                  data-testid="chart-metric"
                  data-metric={m.name}
                  checked={source.metrics.includes(m.name)}
                  onChange={(e) =>
                    props.onChange({
                      metrics: e.target.checked
                        ? [...source.metrics, m.name]
                        : source.metrics.filter((x) => x !== m.name),
                    })
                  }
                />
                {m.name}
                {props.units.get(m.name) ? <span className="dim"> {props.units.get(m.name)}</span> : null}
              </label>
            </li>
          ))}
        </ul>
      </div>
      {source.pipelineId ? (
        <SeriesPicker source={source} onChange={(seriesIds) => props.onChange({ seriesIds })} />
      ) : null}
    </aside>
  );
}
