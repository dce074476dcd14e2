/**
 * Metric charts computed on the Dash server: the same request as a cached
 * chart (pipeline, metrics, series, window, pixel width, zone) answered by M4
 * per pixel column on the server (time_bucket on TimescaleDB, date_bin on plain
 * PostgreSQL), read-only under the statement timeout and cancellable. Days the
 * cache holds as the server had them are read locally; a continuous aggregate
 * whose buckets fit in a pixel answers what it has materialised; raw rows the
 * rest. All parts share one pixel grid, so their columns merge exactly into
 * one line. Before reading more rows than the caller allows, it answers with
 * an estimate and the days to sync instead.
 */
import type pg from 'pg';
import type { ChartPart, ChartSeriesResult } from '../../../shared/api/charts';
import type { ApiParsedInput } from '../../../shared/api/handlers';
import type { SyncEstimate, SyncSelection } from '../../../shared/api/sync';
import { calendarEdges } from '../../../shared/charts/calendar';
import { NOMINAL_MS, groupRows, m4Series, type ChartData } from '../../../shared/charts/chartQuery';
import {
  DAY_US,
  dayStartUs,
  mergeCalendarCells,
  splitByCachedDays,
  utcDay,
  wholeBuckets,
  type CalendarCell,
} from '../../../shared/charts/chartParts';
import { pickChartAggregate } from '../../../shared/charts/chartAggregate';
import { chartGrid, m4Columns, mergeM4Columns, type ChartGrid, type M4Column } from '../../../shared/charts/m4Columns';
import { RAW_POINTS_PER_PIXEL, calendarSql, m4Sql, rawSql } from '../../../shared/charts/m4Sql';
import {
  METRICS_TABLE_SQL,
  epochUsSql,
  serverCalendarSql,
  serverM4Sql,
  serverRawSql,
  type MetricSelection,
  type UsRange,
} from '../../../shared/charts/serverChartSql';
import { WorkbenchError, errorMessage } from '../../../shared/errors';
import type { ServerKind } from '../../../shared/serverSql';
import { asDatabaseError } from '../postgres/pgErrors';
import type { ReadOnlyStatements } from '../postgres/ReadOnlyStatements';
import { detectServerMode, type ServerModeInfo } from '../postgres/ServerMode';
import { checkChartRequest, type ChartService } from './ChartService';

/** A continuous aggregate a chart can read: its buckets, what is materialised, and its M4 SQL. */
export interface ChartAggregateChoice {
  /** As the chart names it: `metrics_hourly`. */
  label: string;
  bucketUs: number;
  originUs: number;
  /** The end of what is materialised (epoch µs); null when nothing is. */
  watermarkUs: number | null;
  /** M4 columns of whole buckets inside `ranges`, on `grid` (aligned to the buckets). */
  m4Sql(selection: MetricSelection, ranges: readonly UsRange[], grid: ChartGrid): string;
}

export interface ServerChartsOptions {
  statements: ReadOnlyStatements;
  pool: () => pg.Pool;
  /** The cached chart on the warehouse, which reads the cached days. */
  cached: ChartService;
  /** UTC days the cache holds for this selection exactly as the server had them. */
  cachedDays: (selection: MetricSelection) => Promise<string[]>;
  /** Rows of whole days on the server, as the sync dialog estimates them. */
  estimate: (selection: SyncSelection) => Promise<SyncEstimate>;
  /** Continuous aggregates a chart can read (TimescaleDB only); none when absent. */
  aggregates?: (client: pg.ClientBase, server: ServerModeInfo) => Promise<ChartAggregateChoice[]>;
}

const TIMEOUT_HINT =
  'Narrow the time range or pick fewer series; raise the statement timeout in Connections; or sync these days and chart them from the cache.';

/**
 * Planner settings for the statements that group millions of rows into a few
 * thousand (M4 columns, calendar buckets); the others (extents, the
 * aggregates' catalog, raw points under ORDER BY … LIMIT) plan as the server
 * would. Found timing the M4 statement by hand over 5M rows on Debian's
 * TimescaleDB 2.19 (2 cores): guessing a group per ten rows, the planner
 * sorted the rows to group them, spilling to disk with the default 4 MB;
 * with sorting off and room for a hash, each parallel worker hashed its share
 * instead, in less time, the memory a cap rather than a reservation (10
 * series at 1,000 px are ~10,000 groups). JIT, set off by the same cost
 * estimate, spent longer compiling than the plan then ran. The bench figure
 * chart.server_zoom times the chart with these settings against a bare
 * count/min/max of the same rows under the same settings.
 */
export const CHART_SETTINGS: Readonly<Record<string, string>> = { work_mem: '128MB', enable_sort: 'off', jit: 'off' };

interface PartPlan {
  grid: ChartGrid;
  cache: UsRange[];
  aggregate: { choice: ChartAggregateChoice; ranges: UsRange[] } | null;
  /** Server stretches read as raw rows (M4 on the server). */
  raw: UsRange[];
  /** Every server stretch (aggregate and raw): where raw points come from when few. */
  server: UsRange[];
}

export class ServerCharts {
  private readonly cancelled = new Set<string>();

  constructor(private readonly opts: ServerChartsOptions) {}

  /** First and last time the server holds for a pipeline's metrics (null when none). */
  async extent(
    pipelineId: string,
    metrics: readonly string[],
  ): Promise<{ fromMs: number | null; toMs: number | null }> {
    const where = 'pipeline_id = $1 AND metric_name = ANY($2::text[])';
    const edge = (order: 'ASC' | 'DESC') =>
      `(SELECT ${epochUsSql('time')} FROM ${METRICS_TABLE_SQL} WHERE ${where} ORDER BY time ${order} LIMIT 1)`;
    const rows = await this.read(`extent-${pipelineId}-${Date.now()}`, async (client) => {
      const result = await client.query<{ lo: number | null; hi: number | null }>(
        `SELECT ${edge('ASC')} AS lo, ${edge('DESC')} AS hi`,
        [pipelineId, [...metrics]],
      );
      return result.rows;
    });
    const row = rows[0];
    return {
      fromMs: row?.lo == null ? null : Number(row.lo) / 1000,
      toMs: row?.hi == null ? null : Number(row.hi) / 1000,
    };
  }

  async series(input: ApiParsedInput<'chart.series'>): Promise<ChartSeriesResult> {
    checkChartRequest(input);
    const started = performance.now();
    const { requestId } = input;
    const window = { fromUs: Math.floor(input.fromMs * 1000), toUs: Math.ceil(input.toMs * 1000) };
    const selection: MetricSelection = {
      pipelineId: input.pipelineId,
      metrics: input.metrics,
      seriesIds: input.seriesIds,
    };
    try {
      const split = splitByCachedDays(window, await this.opts.cachedDays(selection));
      const server = split.server.length ? await this.serverMode() : null;
      const plan = await this.plan(input, window, split, server);
      const parts = partsOf(plan);
      if (plan.raw.length && input.maxServerRows !== null) {
        const heavy = await this.heavy(selection, plan.raw, input.maxServerRows);
        if (heavy) {
          const empty = { mode: 'm4' as const, bucketMs: 0, rawPoints: 0, series: [] };
          return { ...empty, parts, serverRows: 0, heavy, elapsedMs: performance.now() - started };
        }
      }
      const data =
        input.bucket === 'auto'
          ? await this.m4(requestId, selection, window, input.width, plan, server)
          : await this.calendar(requestId, selection, input, plan);
      return { ...data, parts, heavy: null, elapsedMs: performance.now() - started };
    } catch (err) {
      throw this.explain(err, requestId);
    } finally {
      this.cancelled.delete(requestId);
    }
  }

  async cancel(requestId: string): Promise<boolean> {
    const local = this.opts.cached.cancel(requestId);
    if (!this.opts.statements.has(requestId)) return local;
    this.cancelled.add(requestId);
    return (await this.opts.statements.cancel(requestId)) || local;
  }

  private async serverMode(): Promise<ServerModeInfo> {
    return detectServerMode(this.opts.pool());
  }

  /** Where each stretch is read, on one grid: aligned to an aggregate's buckets when one fits a pixel. */
  private async plan(
    input: ApiParsedInput<'chart.series'>,
    window: UsRange,
    split: { cache: UsRange[]; server: UsRange[] },
    server: ServerModeInfo | null,
  ): Promise<PartPlan> {
    const plain: PartPlan = {
      grid: chartGrid(window, input.width)!,
      cache: split.cache,
      aggregate: null,
      raw: split.server,
      server: split.server,
    };
    if (input.bucket !== 'auto' || !server || server.mode !== 'timescaledb' || !this.opts.aggregates) return plain;
    const choices = await this.read(input.requestId, (client) => this.opts.aggregates!(client, server));
    // Of those whose buckets fit in a pixel, the one covering most of the window, then the widest buckets.
    const choice = pickChartAggregate(choices, window, input.width);
    const grid = choice && chartGrid(window, input.width, { alignUs: choice.bucketUs, alignOriginUs: choice.originUs });
    if (choice && grid) {
      const { whole, rest } = wholeBuckets(split.server, choice, choice.watermarkUs ?? -Infinity);
      if (whole.length)
        return { grid, cache: split.cache, aggregate: { choice, ranges: whole }, raw: rest, server: split.server };
    }
    return plain;
  }

  /** An estimate of the raw rows to read, when above `maxRows`; null when the read may go ahead. */
  private async heavy(
    selection: MetricSelection,
    raw: UsRange[],
    maxRows: number,
  ): Promise<ChartSeriesResult['heavy']> {
    const fromDay = utcDay(raw[0]!.fromUs);
    const toDay = utcDay(dayStartUs(utcDay(raw[raw.length - 1]!.toUs - 1)) + DAY_US);
    const estimate = await this.opts.estimate({
      pipelines: [selection.pipelineId],
      metricNames: [...selection.metrics],
      seriesIds: selection.seriesIds.length ? [...selection.seriesIds] : null,
      from: fromDay,
      to: toDay,
    });
    if (estimate.rows <= maxRows) return null;
    return { rows: estimate.rows, note: estimate.note, fromDay, toDay };
  }

  private async m4(
    requestId: string,
    selection: MetricSelection,
    window: UsRange,
    width: number,
    plan: PartPlan,
    server: ServerModeInfo | null,
  ): Promise<Omit<ChartData, 'parts' | 'heavy'> & { serverRows: number }> {
    const kind: ServerKind | null = server && { mode: server.mode, timescaleSchema: server.timescale?.schema ?? null };
    let serverRows = 0;
    const fromServer = async (sql: string, settings?: typeof CHART_SETTINGS) => {
      const rows = await this.read(requestId, async (client) => (await client.query(sql)).rows, settings);
      serverRows += rows.length;
      return rows as Record<string, unknown>[];
    };
    const local = this.opts.cached.exec(requestId);
    const { grid } = plan;
    const parts: Promise<M4Column[]>[] = [];
    if (plan.cache.length) {
      const source = await this.opts.cached.cachedSource(selection, plan.cache);
      parts.push(local(m4Sql(source, window, grid.bucketUs, grid.originUs)).then(m4Columns));
    }
    if (plan.aggregate) {
      const sql = plan.aggregate.choice.m4Sql(selection, plan.aggregate.ranges, grid);
      parts.push(fromServer(sql, CHART_SETTINGS).then(m4Columns));
    }
    if (plan.raw.length && kind)
      parts.push(fromServer(serverM4Sql(kind, selection, plan.raw, grid), CHART_SETTINGS).then(m4Columns));
    const columns = mergeM4Columns(await Promise.all(parts));
    const rawPoints = columns.reduce((sum, c) => sum + c.n, 0);
    const seriesCount = Math.max(1, new Set(columns.map((c) => c.k)).size);
    if (rawPoints > RAW_POINTS_PER_PIXEL * width * seriesCount) {
      return { mode: 'm4', bucketMs: grid.bucketUs / 1000, rawPoints, series: m4Series(columns), serverRows };
    }
    // Few points: the raw ones, from the cache and the server (never the aggregate).
    const limit = rawPoints + 1;
    const raw = await Promise.all([
      plan.cache.length
        ? this.opts.cached.cachedSource(selection, plan.cache).then((source) => local(rawSql(source, window, limit)))
        : [],
      plan.server.length ? fromServer(serverRawSql(selection, plan.server, limit)) : [],
    ]);
    const rows = raw.flat().sort(byKeyAndTime);
    return { mode: 'raw', bucketMs: 0, rawPoints, series: groupRows(rows), serverRows };
  }

  private async calendar(
    requestId: string,
    selection: MetricSelection,
    input: ApiParsedInput<'chart.series'>,
    plan: PartPlan,
  ): Promise<Omit<ChartData, 'parts' | 'heavy'> & { serverRows: number }> {
    const unit = input.bucket as Exclude<typeof input.bucket, 'auto'>;
    const edges = calendarEdges(input.fromMs, input.toMs, unit, input.timeZone).map((ms) => ms * 1000);
    const indexOf = new Map(edges.map((us, i) => [us, i]));
    let serverRows = 0;
    const parts: Promise<CalendarCell[]>[] = [];
    if (plan.cache.length) {
      const source = await this.opts.cached.cachedSource(selection, plan.cache);
      parts.push(
        this.opts.cached
          .exec(requestId)(calendarSql(source, edges))
          .then((rows) =>
            rows.map((r) => ({
              k: String(r.k),
              i: indexOf.get(Number(r.t_us)) ?? -1,
              n: Number(r.n),
              s: Number(r.v) * Number(r.n),
              v: Number(r.v),
              vmin: Number(r.vmin),
              vmax: Number(r.vmax),
            })),
          ),
      );
    }
    if (plan.server.length) {
      parts.push(
        this.read(
          requestId,
          async (client) => (await client.query(serverCalendarSql(selection, plan.server, edges))).rows,
          CHART_SETTINGS,
        ).then((rows: Record<string, unknown>[]) => {
          serverRows += rows.length;
          return rows.map((r) => ({
            k: String(r.k),
            i: Number(r.i),
            n: Number(r.n),
            s: Number(r.s),
            v: Number(r.v),
            vmin: Number(r.vmin),
            vmax: Number(r.vmax),
          }));
        }),
      );
    }
    const cells = mergeCalendarCells(await Promise.all(parts)).filter((c) => c.i >= 0);
    const rows = cells.map((c) => ({ k: c.k, t_us: edges[c.i]!, v: c.v }));
    const rawPoints = cells.reduce((sum, c) => sum + c.n, 0);
    return { mode: 'calendar', bucketMs: NOMINAL_MS[unit], rawPoints, series: groupRows(rows), serverRows };
  }

  /** A read-only statement under the chart's id (so cancel reaches it); `settings` only where grouping (CHART_SETTINGS). */
  private read<T>(
    id: string,
    work: (client: pg.PoolClient) => Promise<T>,
    settings?: typeof CHART_SETTINGS,
  ): Promise<T> {
    return this.opts.statements.read(id, work, settings);
  }

  /** The server's refusal as what happened and what to do. */
  private explain(err: unknown, requestId: string): Error {
    if (err instanceof WorkbenchError) return err;
    const db = asDatabaseError(err);
    if (db?.code === '57014') {
      if (this.cancelled.has(requestId)) return new WorkbenchError('cancelled', 'The server chart was cancelled.');
      return new WorkbenchError(
        'timeout',
        `The server stopped the chart query after ${this.opts.statements.statementTimeoutMs / 1000} s, the statement timeout of this connection.`,
        TIMEOUT_HINT,
      );
    }
    if (db)
      return new WorkbenchError(
        'query_failed',
        `The server could not draw the chart: ${db.message}`,
        db.hint || undefined,
      );
    return new WorkbenchError(
      'unavailable',
      `The server could not be reached for the chart: ${errorMessage(err)}`,
      'Check that the PostgreSQL server is reachable (Connections → Test connection), or chart the cached days.',
    );
  }
}

function byKeyAndTime(a: Record<string, unknown>, b: Record<string, unknown>): number {
  const ka = String(a.k);
  const kb = String(b.k);
  return ka < kb ? -1 : ka > kb ? 1 : Number(a.t_us) - Number(b.t_us) || Number(a.v) - Number(b.v);
}

/** Where each stretch is read, in time order, for the chart to show. */
function partsOf(plan: PartPlan): ChartPart[] {
  const parts: ChartPart[] = [
    ...plan.cache.map((r) => ({ fromMs: r.fromUs / 1000, toMs: r.toUs / 1000, from: 'cache' as const, name: null })),
    ...(plan.aggregate?.ranges ?? []).map((r) => ({
      fromMs: r.fromUs / 1000,
      toMs: r.toUs / 1000,
      from: 'aggregate' as const,
      name: plan.aggregate!.choice.label,
    })),
    ...plan.raw.map((r) => ({ fromMs: r.fromUs / 1000, toMs: r.toUs / 1000, from: 'server' as const, name: null })),
  ];
  return parts.sort((a, b) => a.fromMs - b.fromMs);
}
