/**
 * The time-series explorer on the Node side: which cached metrics can be
 * charted, and one chart's points for a window, aggregated on the native
 * warehouse with the same SQL the renderer runs on DuckDB-WASM (src/shared/charts).
 */
import type { ChartCatalogEntry, ChartSeriesResult } from '../../../shared/api/charts';
import type { ApiParsedInput } from '../../../shared/api/handlers';
import { SERIES_KEY_SEPARATOR, chartData, type ChartData, type Exec } from '../../../shared/charts/chartQuery';
import { chartRows } from '../../../shared/charts/chartRows';
import type { MetricSelection, UsRange } from '../../../shared/charts/serverChartSql';
import type { ChartSource } from '../../../shared/charts/m4Sql';
import { WorkbenchError, errorMessage } from '../../../shared/errors';
import { quoteIdent, quoteLiteral } from '../../../shared/sql';
import { isValidTimeZone } from '../../../shared/timeZone';
import type { Warehouse } from '../warehouse/Warehouse';
import { METRIC_VIEW_PREFIX } from '../sync/metricViews';
import type { MetricLevels } from './MetricLevels';

const NO_METRICS_HINT = 'Pull metrics into the local cache first: sidebar → Pipelines → Sync metrics…';

/** Every chart query is one statement built from quoted parts; more than one would mean an injection. */
const ONE_STATEMENT = { oneStatement: true };

function inList(values: readonly string[]): string {
  return values.map(quoteLiteral).join(', ');
}

/** A chart's window and zone, checked before anything runs. */
export function checkChartRequest(input: { fromMs: number; toMs: number; timeZone: string }): void {
  if (!(input.toMs > input.fromMs)) {
    throw new WorkbenchError('bad_request', 'The chart window is empty: its end must be after its start.');
  }
  if (!isValidTimeZone(input.timeZone)) {
    throw new WorkbenchError(
      'bad_request',
      `"${input.timeZone}" is not a time zone.`,
      'Use an IANA name such as Europe/Berlin.',
    );
  }
}

export class ChartService {
  /** `levels`: the cache's M4 levels, read by zoom steps wherever they are built (see MetricLevels). */
  constructor(
    private readonly warehouse: () => Warehouse,
    private readonly levels: MetricLevels | null = null,
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  private async viewOf(pipelineId: string): Promise<string> {
    const name = `${METRIC_VIEW_PREFIX}${pipelineId}`;
    const found = await this.warehouse().rows(
      `SELECT 1 FROM duckdb_views() WHERE schema_name = 'main' AND view_name = ${quoteLiteral(name)}`,
      ONE_STATEMENT,
    );
    if (found.length === 0) {
      throw new WorkbenchError('not_found', `No cached metrics for pipeline "${pipelineId}".`, NO_METRICS_HINT);
    }
    return `main.${quoteIdent(name)}`;
  }

  /** Cached pipelines × metrics with their series count and time range. */
  async catalog(): Promise<ChartCatalogEntry[]> {
    const views = await this.warehouse().rows(
      `SELECT view_name FROM duckdb_views() WHERE schema_name = 'main' AND NOT internal AND starts_with(view_name, ${quoteLiteral(METRIC_VIEW_PREFIX)}) ORDER BY view_name`,
    );
    if (views.length === 0) return [];
    const parts = views.map(
      (v) => `SELECT pipeline_id, metric_name, CAST(count(DISTINCT series_id) AS INTEGER) AS series,
        CAST(count(*) AS DOUBLE) AS points, CAST(epoch_us(min(time)) AS DOUBLE) / 1000 AS from_ms,
        CAST(epoch_us(max(time)) AS DOUBLE) / 1000 AS to_ms
      FROM main.${quoteIdent(String(v.view_name))} GROUP BY ALL`,
    );
    const rows = await this.warehouse().rows(`${parts.join(' UNION ALL ')} ORDER BY 1, 2`, ONE_STATEMENT);
    return rows.map((r) => ({
      pipelineId: String(r.pipeline_id),
      metric: String(r.metric_name),
      series: Number(r.series),
      points: Number(r.points),
      fromMs: Number(r.from_ms),
      toMs: Number(r.to_ms),
    }));
  }

  /** Series of a pipeline (optionally of some metrics) whose id contains `search`. */
  async seriesList(input: ApiParsedInput<'chart.seriesList'>): Promise<{ series: string[]; total: number }> {
    const view = await this.viewOf(input.pipelineId);
    const conds = [
      input.metrics.length ? `metric_name IN (${inList(input.metrics)})` : 'true',
      input.search ? `contains(lower(series_id), lower(${quoteLiteral(input.search)}))` : 'true',
    ];
    const rows = await this.warehouse().rows(
      `SELECT DISTINCT series_id FROM ${view} WHERE ${conds.join(' AND ')} ORDER BY series_id`,
      ONE_STATEMENT,
    );
    return { series: rows.slice(0, input.limit).map((r) => String(r.series_id)), total: rows.length };
  }

  /** One chart's points for a window: raw, M4 or calendar buckets; cancelled by `cancel(requestId)`. */
  async series(input: ApiParsedInput<'chart.series'>): Promise<ChartSeriesResult> {
    checkChartRequest(input);
    const source = await this.cachedSource(input);
    const started = performance.now();
    const data = await this.chartFromCache(this.exec(input.requestId), source, input);
    return { parts: [], serverRows: 0, heavy: null, ...data, elapsedMs: performance.now() - started };
  }

  /** The chart's data, zoom steps read from the cache's M4 levels where they are built. */
  private async chartFromCache(
    exec: Exec,
    source: ChartSource,
    input: ApiParsedInput<'chart.series'>,
  ): Promise<ChartData> {
    const levels = this.levels;
    if (!levels) return chartData(exec, source, input);
    try {
      return await chartData(exec, source, input, (plan) => levels.levelledSql(input, plan));
    } catch (err) {
      if (!(err instanceof WorkbenchError) || err.code !== 'query_failed') throw err;
      // A level file that cannot be read (damaged, or not ours) never costs the chart: it is drawn from the
      // raw points, and the levels are built again.
      this.log(`chart levels of ${input.pipelineId} could not be read (${err.message}); drawing from raw points`);
      const data = await chartData(exec, source, input);
      await levels.discard(input.pipelineId).catch(() => undefined);
      levels.refreshLater(input.pipelineId);
      return data;
    }
  }

  /**
   * The cached metrics of a selection as a chart source; with `ranges` (epoch
   * µs) only the points inside them — a server chart's cached days.
   */
  async cachedSource(selection: MetricSelection, ranges?: readonly UsRange[]): Promise<ChartSource> {
    const view = await this.viewOf(selection.pipelineId);
    const where = [`metric_name IN (${inList(selection.metrics)})`];
    if (selection.seriesIds.length) where.push(`series_id IN (${inList(selection.seriesIds)})`);
    if (ranges) {
      if (ranges.length === 0) throw new Error('A cached chart part needs at least one time range');
      const int = (n: number) => String(Math.trunc(n));
      where.push(
        ranges.map((r) => `(epoch_us(time) >= ${int(r.fromUs)} AND epoch_us(time) < ${int(r.toUs)})`).join(' OR '),
      );
    }
    return {
      relation: view,
      timeColumn: 'time',
      valueSql: 'value',
      keySql: `metric_name || ${quoteLiteral(SERIES_KEY_SEPARATOR)} || series_id`,
      where,
      pushdown: 'timestamptz',
    };
  }

  /** Runs chart SQL on the warehouse under `requestId` (cancel stops it), with the chart's errors. */
  exec(requestId: string): Exec {
    return async (sql) => {
      try {
        return chartRows(await this.warehouse().arrowChunks(requestId, sql));
      } catch (err) {
        if (err instanceof WorkbenchError) throw err;
        const message = errorMessage(err);
        if (/interrupt/i.test(message)) throw new WorkbenchError('cancelled', 'The chart query was cancelled.');
        throw new WorkbenchError('query_failed', `The chart query failed: ${message}`);
      }
    };
  }

  cancel(requestId: string): boolean {
    return this.warehouse().cancel(requestId);
  }
}
