/**
 * A chart tab over the cached metrics: pick a pipeline, metrics and series on
 * the left; the chart (M4 on the warehouse, re-queried on zoom) on the right;
 * compare with the previous day/week; save as `charts/<name>.json`; open the
 * Bronze records behind a selected time range.
 */
import { useEffect, useMemo, useState } from 'react';
import type { ChartCatalogEntry, ChartCompare, ChartSpec } from '../../../shared/api/charts';
import { bronzeRecordsSql } from '../../../shared/charts/bronzeSql';
import { previousPeriod } from '../../../shared/charts/calendar';
import type { ChartData } from '../../../shared/charts/chartQuery';
import { toErrorView, type ErrorView } from '../../state/errorView';
import { workbench } from '../../state/workbench';
import { useWorkspaceStore, useWorkspaceTimeZone } from '../../state/workspaceStore';
import { ErrorPanel } from '../common/ErrorPanel';
import { openGeneratedSql } from '../query/queryActions';
import type { ChartTab } from '../tabs/tabsStore';
import { ChartPanel } from './ChartPanel';
import { newMetricSpec, setChartSaved, updateChartSpec, useChartStore } from './chartStore';
import type { Fetcher } from './useChartData';

type MetricSource = Extract<ChartSpec['source'], { kind: 'metrics' }>;

function useCatalog(): { entries: ChartCatalogEntry[] | null; error: ErrorView | null; reload: () => void } {
  const [entries, setEntries] = useState<ChartCatalogEntry[] | null>(null);
  const [error, setError] = useState<ErrorView | null>(null);
  const [version, setVersion] = useState(0);
  useEffect(() => {
    let live = true;
    workbench()
      .call('chart.catalog', {})
      .then(
        (r) => live && (setEntries(r.entries), setError(null)),
        (err: unknown) => live && setError(toErrorView(err)),
      );
    return () => {
      live = false;
    };
  }, [version]);
  return { entries, error, reload: () => setVersion((v) => v + 1) };
}

function SeriesPicker(props: { source: MetricSource; onChange: (seriesIds: string[]) => void }) {
  const { pipelineId, metrics, seriesIds } = props.source;
  const [search, setSearch] = useState('');
  const [found, setFound] = useState<{ series: string[]; total: number } | null>(null);
  const [error, setError] = useState<ErrorView | null>(null);
  useEffect(() => {
    if (!pipelineId) return;
    let live = true;
    const timer = setTimeout(() => {
      workbench()
        .call('chart.seriesList', { pipelineId, metrics, search, limit: 300 })
        .then(
          (r) => live && (setFound(r), setError(null)),
          (err: unknown) => live && setError(toErrorView(err)),
        );
    }, 150);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [pipelineId, metrics.join('\u0001'), search]);
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
      {found && found.total > found.series.length ? (
        <div className="dim chart-picker-more">{found.total - found.series.length} more — refine the search</div>
      ) : null}
      {found && found.total === 0 ? <div className="dim">No series match.</div> : null}
    </div>
  );
}

export function MetricChartTab({ tab }: { tab: ChartTab }) {
  const state = useChartStore((s) => s.tabs[tab.id]);
  const spec = state?.spec ?? newMetricSpec();
  const source: MetricSource = spec.source.kind === 'metrics' ? spec.source : (newMetricSpec().source as MetricSource);
  const timeZone = useWorkspaceTimeZone();
  const pipelines = useWorkspaceStore((s) => s.pipelines.data?.pipelines ?? []);
  const catalog = useCatalog();
  const [saveName, setSaveName] = useState<string | null>(null);
  const [saveError, setSaveError] = useState<ErrorView | null>(null);
  const [shownKeys, setShownKeys] = useState<string[]>([]);

  const setSource = (patch: Partial<MetricSource>) => updateChartSpec(tab.id, { source: { ...source, ...patch } });

  // A new chart starts on the first cached pipeline, its first metric and three series.
  useEffect(() => {
    const first = catalog.entries?.[0];
    if (source.pipelineId || !first) return;
    void workbench()
      .call('chart.seriesList', { pipelineId: first.pipelineId, metrics: [first.metric], search: '', limit: 3 })
      .then((r) => setSource({ pipelineId: first.pipelineId, metrics: [first.metric], seriesIds: r.series }))
      .catch(() => setSource({ pipelineId: first.pipelineId, metrics: [first.metric], seriesIds: [] }));
  }, [catalog.entries]);

  const pipelineIds = [...new Set((catalog.entries ?? []).map((e) => e.pipelineId))];
  const metricsOf = (catalog.entries ?? []).filter((e) => e.pipelineId === source.pipelineId);
  const chosen = metricsOf.filter((e) => source.metrics.includes(e.metric));
  const extent = useMemo(
    () =>
      chosen.length
        ? { fromMs: Math.min(...chosen.map((e) => e.fromMs)), toMs: Math.max(...chosen.map((e) => e.toMs)) + 1 }
        : null,
    [chosen.map((e) => `${e.metric}:${e.fromMs}:${e.toMs}`).join(',')],
  );
  const unitByMetric = new Map(
    (pipelines.find((p) => p.id === source.pipelineId)?.definition.metrics ?? []).map((m) => [m.name, m.unit]),
  );

  const signature = JSON.stringify([source, spec.compare, timeZone]);
  const fetcher: Fetcher = async ({ window, width }, requestId) => {
    const base = {
      pipelineId: source.pipelineId,
      metrics: source.metrics,
      seriesIds: source.seriesIds,
      width,
      bucket: spec.bucket,
      timeZone,
    };
    const main = workbench().call('chart.series', { ...base, requestId, fromMs: window.fromMs, toMs: window.toMs });
    if (spec.compare === 'none') {
      const r = await main;
      setShownKeys(r.series.map((s) => s.key));
      return r;
    }
    const unit = spec.compare === 'previous_day' ? 'day' : 'week';
    const prev = previousPeriod(window.fromMs, window.toMs, unit, timeZone);
    const [now, before] = await Promise.all([
      main,
      workbench().call('chart.series', {
        ...base,
        requestId: `${requestId}-prev`,
        fromMs: prev.fromMs,
        toMs: prev.toMs,
      }),
    ]);
    setShownKeys(now.series.map((s) => s.key));
    const data: ChartData = {
      ...now,
      series: [
        ...now.series,
        ...before.series.map((s) => ({
          key: `${s.key} (previous ${unit})`,
          t: s.t.map((t) => t + prev.shiftMs),
          v: s.v,
        })),
      ],
    };
    return data;
  };
  const cancel = (requestId: string) => {
    void workbench()
      .call('chart.cancel', { requestId })
      .catch(() => undefined);
    if (spec.compare !== 'none')
      void workbench()
        .call('chart.cancel', { requestId: `${requestId}-prev` })
        .catch(() => undefined);
  };

  const save = async (name: string) => {
    try {
      const saved = await workbench().call('charts.save', { name, spec });
      setChartSaved(tab.id, saved.name);
      setSaveName(null);
      setSaveError(null);
    } catch (err) {
      setSaveError(toErrorView(err));
    }
  };

  const compareSelect = (
    <label
      className="chart-field"
      title={`Draw the previous period shifted onto this one, dashed (calendar in ${timeZone})`}
    >
      Compare
      <select
        data-testid="chart-compare"
        value={spec.compare}
        onChange={(e) => updateChartSpec(tab.id, { compare: e.target.value as ChartCompare })}
      >
        <option value="none">—</option>
        <option value="previous_day">with the previous day</option>
        <option value="previous_week">with last week</option>
      </select>
    </label>
  );
  const saveControls =
    saveName === null ? (
      <button
        type="button"
        className="header-button"
        data-testid="chart-save"
        title="Save this chart as charts/<name>.json in the workspace"
        onClick={() =>
          state?.savedName ? void save(state.savedName) : setSaveName(tab.title === 'Chart' ? '' : tab.title)
        }
      >
        {state?.savedName ? `Save “${state.savedName}”` : 'Save…'}
      </button>
    ) : (
      <form
        className="chart-save-form"
        onSubmit={(e) => {
          e.preventDefault();
          void save(saveName.trim());
        }}
      >
        <input
          autoFocus
          data-testid="chart-save-name"
          placeholder="Chart name"
          value={saveName}
          onChange={(e) => setSaveName(e.target.value)}
          onKeyDown={(e) => e.key === 'Escape' && setSaveName(null)}
        />
        <button type="submit" className="header-button">
          Save
        </button>
      </form>
    );

  return (
    <div className="chart-tab" data-testid="chart-tab">
      <aside className="chart-picker">
        <div className="chart-picker-group">
          <div className="chart-picker-title">
            Pipeline
            <button type="button" className="link-button" title="Re-read the cached metrics" onClick={catalog.reload}>
              ↻
            </button>
          </div>
          <select
            data-testid="chart-pipeline"
            value={source.pipelineId}
            onChange={(e) => {
              const first = (catalog.entries ?? []).find((m) => m.pipelineId === e.target.value);
              updateChartSpec(tab.id, {
                source: {
                  kind: 'metrics',
                  pipelineId: e.target.value,
                  metrics: first ? [first.metric] : [],
                  seriesIds: [],
                },
                window: null,
              });
            }}
          >
            {source.pipelineId ? null : <option value="">Choose…</option>}
            {pipelineIds.map((id) => (
              <option key={id} value={id}>
                {id}
              </option>
            ))}
          </select>
        </div>
        <div className="chart-picker-group">
          <div className="chart-picker-title">Metrics</div>
          <ul className="chart-picker-list short" data-testid="chart-metric-list">
            {metricsOf.map((m) => (
              <li key={m.metric} title={`${m.series} series · ${m.points.toLocaleString('en-US')} points`}>
                <label>
                  <input
                    type="checkbox"
                    data-testid="chart-metric"
                    data-metric={m.metric}
                    checked={source.metrics.includes(m.metric)}
                    onChange={(e) =>
                      setSource({
                        metrics: e.target.checked
                          ? [...source.metrics, m.metric]
                          : source.metrics.filter((x) => x !== m.metric),
                      })
                    }
                  />
                  {m.metric}
                  {unitByMetric.get(m.metric) ? <span className="dim"> {unitByMetric.get(m.metric)}</span> : null}
                </label>
              </li>
            ))}
          </ul>
        </div>
        {source.pipelineId ? <SeriesPicker source={source} onChange={(seriesIds) => setSource({ seriesIds })} /> : null}
      </aside>
      <section className="chart-main">
        {catalog.error ? <ErrorPanel error={catalog.error} title="Could not read the cached metrics" /> : null}
        {saveError ? (
          <div className="error-hint" role="alert">
            {saveError.message} {saveError.hint}
          </div>
        ) : null}
        {catalog.entries && catalog.entries.length === 0 ? (
          <div className="empty-result" data-testid="chart-no-metrics">
            No metrics in the local cache yet. Pull some with sidebar → Pipelines → Sync metrics…, then ↻.
          </div>
        ) : null}
        {catalog.entries && catalog.entries.length > 0 && !extent ? (
          <div className="empty-result">Pick at least one metric to draw.</div>
        ) : null}
        {extent ? (
          <ChartPanel
            testId="metric-chart"
            type={spec.type}
            bucket={spec.bucket}
            onChange={(patch) => updateChartSpec(tab.id, patch)}
            timeZone={timeZone}
            extent={extent}
            window={spec.window}
            onWindow={(window) => updateChartSpec(tab.id, { window })}
            fetcher={fetcher}
            cancel={cancel}
            signature={signature}
            unitOf={(key) => unitByMetric.get(key.split(' · ')[0] ?? '') ?? ''}
            exportName={(state?.savedName ?? `${source.pipelineId}-${source.metrics.join('-')}`).replace(
              /[^\w.-]+/g,
              '_',
            )}
            toolbarExtra={
              <>
                {compareSelect}
                {saveControls}
              </>
            }
            rangeActions={(range) => (
              <button
                type="button"
                className="header-button"
                data-testid="chart-open-bronze"
                title={`Opens the SQL for bronze.${source.pipelineId}, the series shown and this time range, in a new tab (not run yet)`}
                onClick={() =>
                  openGeneratedSql(
                    bronzeRecordsSql({ ...source, seriesKeys: shownKeys }, range),
                    `Bronze · ${source.pipelineId}`,
                  )
                }
              >
                Open Bronze records
              </button>
            )}
          />
        ) : null}
      </section>
    </div>
  );
}
