/**
 * What a metric chart tab asks of the workbench: its points for a window (with
 * the previous day or week shifted onto it when comparing), cancelling a
 * superseded read, and saving the chart as `charts/<name>.json`.
 */
import type { ChartSpec } from '../../../shared/api/charts';
import { HEAVY_SERVER_READ_ROWS } from '../../../shared/api/server';
import { previousPeriod } from '../../../shared/charts/calendar';
import type { ChartData } from '../../../shared/charts/chartQuery';
import { workbench } from '../../state/workbench';
import { setChartSaved } from './chartStore';
import { fetchChartSeries } from './chartSeries';
import type { MetricSource } from './MetricPicker';
import type { ChartFetch } from './useChartData';

/** What a metric chart draws, besides the window and width each fetch asks for. */
export interface MetricChartQuery {
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
    source: source.from ?? 'cache',
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
