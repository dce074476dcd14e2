/**
 * What the charts ask of the workbench: the saved charts in the sidebar (list,
 * reopen, delete), what a metric chart can pick and from where (the cache or the
 * server), its series and zoom-out range, its points for a window (with the
 * previous day or week shifted onto it when comparing), cancelling a superseded
 * read, and saving the chart as `charts/<name>.json`.
 */
import type { ChartDataSource, ChartSpec, SavedChartInfo } from '../../../shared/api/charts';
import { HEAVY_SERVER_READ_ROWS } from '../../../shared/api/server';
import { previousPeriod } from '../../../shared/charts/calendar';
import type { ChartData } from '../../../shared/charts/chartQuery';
import { toErrorView, type ErrorView } from '../../state/errorView';
import { workbench } from '../../state/workbench';
import { formatCount } from '../../workbench/format';
import {
  currentMetricSource,
  metricSourceFrom,
  newMetricSpec,
  openChart,
  patchMetricSource,
  setChartSaved,
  type MetricSource,
} from './chartStore';
import { fetchChartSeries } from './chartSeries';
import type { ChartWindow } from './TimeSeriesChart';
import type { ChartFetch } from './useChartData';
import type { MetricChoice, PipelineChoice } from './useMetricOptions';

/** "New chart": an empty metric chart in a new tab. */
export function newChart(): void {
  openChart(newMetricSpec(), 'Chart');
}

/** The workspace's saved charts (`charts/<name>.json`). */
export async function listSavedCharts(): Promise<SavedChartInfo[]> {
  const { charts } = await workbench().call('charts.list', {});
  return charts;
}

/** Opens a saved chart in a new tab that saves under its name; the failure to read it, or null. */
export async function reopenSavedChart(name: string): Promise<ErrorView | null> {
  try {
    const { spec } = await workbench().call('charts.read', { name });
    openChart(spec, name, name);
    return null;
  } catch (err) {
    return toErrorView(err);
  }
}

/** Deletes `charts/<name>.json`; the failure to, or null. */
export async function deleteSavedChart(name: string): Promise<ErrorView | null> {
  try {
    await workbench().call('charts.delete', { name });
    return null;
  } catch (err) {
    return toErrorView(err);
  }
}

/** What a chart of one source can pick, and (cache only) each metric's cached range under `cachedRangeKey`. */
interface MetricOptionsAnswer {
  pipelines: PipelineChoice[];
  cachedRanges: Map<string, ChartWindow>;
}

/** The key of a metric's cached range in `MetricOptionsAnswer.cachedRanges`. */
export function cachedRangeKey(pipelineId: string, metric: string): string {
  return `${pipelineId}\u0001${metric}`;
}

/** The pipelines and metrics a chart can pick: the cached metrics, or the pipeline definitions on the server. */
export async function loadMetricOptions(from: ChartDataSource): Promise<MetricOptionsAnswer> {
  if (from === 'server') {
    const o = await workbench().call('sync.options', {});
    return {
      pipelines: o.pipelines.map((p) => ({ id: p.id, metrics: p.metrics.map((name) => ({ name, title: '' })) })),
      cachedRanges: new Map(),
    };
  }
  const r = await workbench().call('chart.catalog', {});
  const byPipeline = new Map<string, MetricChoice[]>();
  const cachedRanges = new Map<string, ChartWindow>();
  for (const e of r.entries) {
    const list = byPipeline.get(e.pipelineId) ?? [];
    list.push({ name: e.metric, title: `${e.series} series · ${formatCount(e.points)} points` });
    byPipeline.set(e.pipelineId, list);
    cachedRanges.set(cachedRangeKey(e.pipelineId, e.metric), { fromMs: e.fromMs, toMs: e.toMs });
  }
  return { pipelines: [...byPipeline].map(([id, metrics]) => ({ id, metrics })), cachedRanges };
}

/** The time range a server chart can zoom out to; `empty` (and no extent) when the server has no rows. */
export async function loadServerExtent(
  pipelineId: string,
  metrics: string[],
): Promise<{ extent: ChartWindow | null; empty: boolean }> {
  const r = await workbench().call('chart.serverExtent', { pipelineId, metrics });
  if (r.fromMs === null || r.toMs === null) return { extent: null, empty: true };
  // The window's end is exclusive: one past the last row.
  return { extent: { fromMs: r.fromMs, toMs: r.toMs + 1 }, empty: false };
}

/** A page of a pipeline's series ids matching `search`, from the cache or the server. */
export async function searchSeries(
  from: ChartDataSource,
  request: { pipelineId: string; metrics: string[]; search: string; limit: number },
): Promise<{ series: string[]; more: number }> {
  if (from === 'server') {
    const r = await workbench().call('sync.series', {
      pipelines: [request.pipelineId],
      search: request.search,
      limit: Math.min(500, request.limit),
    });
    // The server says only that more match, not how many.
    return { series: r.series, more: r.more ? 1 : 0 };
  }
  const r = await workbench().call('chart.seriesList', request);
  return { series: r.series, more: r.total - r.series.length };
}

/**
 * A chart's first pick once its source's pipelines are in (a new chart, or a
 * source without the chart's pipeline): the first pipeline with a metric, that
 * metric and three of its series. Applied only if the chart still reads from
 * `from` and its pipeline is still the one it had: the user may have picked
 * one, or switched source, while the series were being searched.
 */
export async function pickFirstPipeline(
  tabId: string,
  from: ChartDataSource,
  pipelines: PipelineChoice[],
): Promise<void> {
  const had = currentMetricSource(tabId)?.pipelineId;
  const first = pipelines.find((p) => p.metrics.length > 0);
  const metric = first?.metrics[0]?.name;
  if (!first || !metric) return;
  const seriesIds = await searchSeries(from, { pipelineId: first.id, metrics: [metric], search: '', limit: 3 }).then(
    (r) => r.series,
    () => [],
  );
  const now = currentMetricSource(tabId);
  if (!now || metricSourceFrom(now) !== from || now.pipelineId !== had) return;
  patchMetricSource(tabId, { pipelineId: first.id, metrics: [metric], seriesIds }, true);
}

/** What a metric chart draws, besides the window and width each fetch asks for. */
interface MetricChartQuery {
  source: MetricSource;
  bucket: ChartSpec['bucket'];
  compare: ChartSpec['compare'];
  timeZone: string;
  /** "Draw anyway" was pressed: a server chart reads however many rows it takes. */
  unbounded: boolean;
}

/** The previous period's read goes under the main read's id with this suffix, so both cancel together. */
const PREVIOUS = '-prev';

/**
 * The chart's points for one window; `shownKeys` are the series of the window itself
 * (not the previous period's), which "Open Bronze records" asks for.
 */
export async function fetchMetricChart(
  query: MetricChartQuery,
  { window, width }: ChartFetch,
  requestId: string,
): Promise<{ data: ChartData; shownKeys: string[] }> {
  const { source, compare, timeZone } = query;
  const base = {
    pipelineId: source.pipelineId,
    metrics: source.metrics,
    seriesIds: source.seriesIds,
    width,
    bucket: query.bucket,
    timeZone,
    source: metricSourceFrom(source),
    maxServerRows: query.unbounded ? null : HEAVY_SERVER_READ_ROWS,
  };
  const main = fetchChartSeries({ ...base, requestId, fromMs: window.fromMs, toMs: window.toMs });
  if (compare === 'none') {
    const data = await main;
    return { data, shownKeys: data.series.map((s) => s.key) };
  }
  const unit = compare === 'previous_day' ? 'day' : 'week';
  const prev = previousPeriod(window.fromMs, window.toMs, unit, timeZone);
  const [now, before] = await Promise.all([
    main,
    fetchChartSeries({ ...base, requestId: `${requestId}${PREVIOUS}`, fromMs: prev.fromMs, toMs: prev.toMs }),
  ]);
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
  return { data, shownKeys: now.series.map((s) => s.key) };
}

/** Cancels a superseded read on the server (and its previous period's); one already finished is no error. */
export function cancelMetricChart(requestId: string, compare: ChartSpec['compare']): void {
  void workbench()
    .call('chart.cancel', { requestId })
    .catch(() => undefined);
  if (compare !== 'none')
    void workbench()
      .call('chart.cancel', { requestId: `${requestId}${PREVIOUS}` })
      .catch(() => undefined);
}

/** Saves the tab's chart as `charts/<name>.json`; the tab then saves under that name. */
export async function saveChart(tabId: string, name: string, spec: ChartSpec): Promise<void> {
  const saved = await workbench().call('charts.save', { name, spec });
  setChartSaved(tabId, saved.name);
}
