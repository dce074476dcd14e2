/**
 * A chart tab over the metrics: pick where the points come from (the cache, or
 * the server live), a pipeline, metrics and series on the left; the chart (M4,
 * re-queried on zoom) on the right, with where its stretches came from when
 * live; compare with the previous day/week; save as `charts/<name>.json`; open
 * the Bronze records behind a selected time range.
 */
import { useEffect, useState } from 'react';
import type { ChartCompare } from '../../../shared/api/charts';
import { bronzeRecordsSql } from '../../../shared/charts/bronzeSql';
import { previousPeriod } from '../../../shared/charts/calendar';
import type { ChartData } from '../../../shared/charts/chartQuery';
import { toErrorView, type ErrorView } from '../../state/errorView';
import { workbench } from '../../state/workbench';
import { useWorkspaceStore, useWorkspaceTimeZone } from '../../state/workspaceStore';
import { ErrorPanel } from '../common/ErrorPanel';
import { request } from '../../workbench/intents';
import type { ChartTab } from '../../workbench/tabsStore';
import { HEAVY_SERVER_READ_ROWS } from '../../../shared/api/server';
import { ChartPanel } from './ChartPanel';
import { newMetricSpec, setChartSaved, updateChartSpec, useChartStore } from './chartStore';
import { MetricPicker, type MetricSource } from './MetricPicker';
import { HeavyNotice, PartsStrip } from './ServerChartNotes';
import type { Fetcher } from './useChartData';
import { listSeries, useChartExtent, useMetricOptions } from './useMetricOptions';
import { fetchChartSeries } from './chartSeries';

export function MetricChartTab({ tab }: { tab: ChartTab }) {
  const state = useChartStore((s) => s.tabs[tab.id]);
  const spec = state?.spec ?? newMetricSpec();
  const source: MetricSource = spec.source.kind === 'metrics' ? spec.source : (newMetricSpec().source as MetricSource);
  const from = source.from ?? 'cache';
  const timeZone = useWorkspaceTimeZone();
  const pipelines = useWorkspaceStore((s) => s.pipelines.data?.pipelines ?? []);
  const options = useMetricOptions(from);
  const [extentVersion, setExtentVersion] = useState(0);
  const range = useChartExtent(from, source.pipelineId, source.metrics, options.cachedRanges, extentVersion);
  const extent = range.extent;
  const [saveName, setSaveName] = useState<string | null>(null);
  const [saveError, setSaveError] = useState<ErrorView | null>(null);
  const [shownKeys, setShownKeys] = useState<string[]>([]);
  // "Draw anyway" holds for the selection it was pressed on.
  const selectionKey = JSON.stringify([from, source.pipelineId, source.metrics, source.seriesIds]);
  const [drawAnyway, setDrawAnyway] = useState<string | null>(null);
  const unbounded = from === 'server' && drawAnyway === selectionKey;

  const setSource = (patch: Partial<MetricSource>, resetWindow = false) =>
    updateChartSpec(tab.id, { source: { ...source, ...patch }, ...(resetWindow ? { window: null } : {}) });

  // A new chart starts on the first pipeline, its first metric and three series. A switch of
  // source keeps the pipeline and the metrics the other source has too.
  useEffect(() => {
    const list = options.pipelines;
    if (!list) return;
    const current = list.find((p) => p.id === source.pipelineId);
    if (current) {
      const kept = source.metrics.filter((m) => current.metrics.some((c) => c.name === m));
      if (kept.length < source.metrics.length)
        setSource({ metrics: kept.length ? kept : current.metrics.slice(0, 1).map((m) => m.name) });
      return;
    }
    // A saved chart of a pipeline no longer cached stays on it (its list says so).
    if (source.pipelineId && from === 'cache') return;
    const first = list.find((p) => p.metrics.length > 0);
    const metric = first?.metrics[0]?.name;
    if (!first || !metric) return;
    void listSeries(from, { pipelineId: first.id, metrics: [metric], search: '', limit: 3 })
      .then((r) => setSource({ pipelineId: first.id, metrics: [metric], seriesIds: r.series }, true))
      .catch(() => setSource({ pipelineId: first.id, metrics: [metric], seriesIds: [] }, true));
  }, [options.pipelines]);

  const unitByMetric = new Map(
    (pipelines.find((p) => p.id === source.pipelineId)?.definition.metrics ?? []).map((m) => [m.name, m.unit]),
  );

  const signature = JSON.stringify([source, spec.compare, timeZone, unbounded]);
  const fetcher: Fetcher = async ({ window, width }, requestId) => {
    const base = {
      pipelineId: source.pipelineId,
      metrics: source.metrics,
      seriesIds: source.seriesIds,
      width,
      bucket: spec.bucket,
      timeZone,
      source: from,
      maxServerRows: unbounded ? null : HEAVY_SERVER_READ_ROWS,
    };
    const main = fetchChartSeries({ ...base, requestId, fromMs: window.fromMs, toMs: window.toMs });
    if (spec.compare === 'none') {
      const r = await main;
      setShownKeys(r.series.map((s) => s.key));
      return r;
    }
    const unit = spec.compare === 'previous_day' ? 'day' : 'week';
    const prev = previousPeriod(window.fromMs, window.toMs, unit, timeZone);
    const [now, before] = await Promise.all([
      main,
      fetchChartSeries({
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

  const reload = () => {
    options.reload();
    setExtentVersion((v) => v + 1);
  };
  const noMetrics = options.pipelines !== null && !options.pipelines.some((p) => p.metrics.length > 0);

  return (
    <div className="chart-tab" data-testid="chart-tab">
      <MetricPicker
        source={source}
        pipelines={options.pipelines ?? []}
        units={unitByMetric}
        onReload={reload}
        onChange={setSource}
      />
      <section className="chart-main">
        {options.error ? (
          <ErrorPanel
            error={options.error}
            title={
              from === 'server' ? 'Could not read the pipelines on the server' : 'Could not read the cached metrics'
            }
            testId="chart-options-error"
          />
        ) : null}
        {range.error ? (
          <ErrorPanel error={range.error} title="Could not read the server's time range" testId="chart-extent-error" />
        ) : null}
        {saveError ? (
          <div className="error-hint" role="alert">
            {saveError.message} {saveError.hint}
          </div>
        ) : null}
        {noMetrics && from === 'cache' ? (
          <div className="empty-result" data-testid="chart-no-metrics">
            No metrics in the local cache yet. Pull some with sidebar → Pipelines → Sync metrics…, then ↻.
          </div>
        ) : null}
        {noMetrics && from === 'server' ? (
          <div className="empty-result" data-testid="chart-no-metrics">
            The pipelines on the server define no metrics yet.
          </div>
        ) : null}
        {options.pipelines && !noMetrics && source.metrics.length === 0 ? (
          <div className="empty-result">Pick at least one metric to draw.</div>
        ) : null}
        {range.empty && source.metrics.length > 0 ? (
          <div className="empty-result" data-testid="chart-empty">
            No points in this range on the server: it holds no rows of these metrics.
          </div>
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
            emptyText={from === 'server' ? 'No points in this range on the server.' : undefined}
            overlay={(data) =>
              data.heavy ? (
                <HeavyNotice
                  heavy={data.heavy}
                  onDrawAnyway={() => setDrawAnyway(selectionKey)}
                  onSync={() =>
                    request('sync.open', {
                      pipelineId: source.pipelineId,
                      preset: { metrics: source.metrics, from: data.heavy!.fromDay, to: data.heavy!.toDay },
                    })
                  }
                />
              ) : null
            }
            footer={(data, drawn) =>
              from === 'server' && !data.heavy ? <PartsStrip data={data} timeZone={timeZone} {...drawn} /> : null
            }
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
                  request('sql.open', {
                    sql: bronzeRecordsSql({ ...source, seriesKeys: shownKeys }, range),
                    title: `Bronze · ${source.pipelineId}`,
                    generated: true,
                  })
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
