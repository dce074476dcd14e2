/**
 * The time-series explorer as the API carries it: what cached metrics can be
 * charted, one chart's points for a window and pixel width (M4 on the
 * warehouse), and saved charts as plain `charts/<name>.json` files.
 */
import { z } from 'zod';
import { MetricName, PipelineName, lineName, literalText } from './names';
import { QueryName } from './queries';
import { BinaryOutput } from './binary';
import { Id } from './ids';

/** A series id is free text the SQL only ever holds as a quoted literal. */
const SeriesId = literalText(500);
/** A column of a SQL chart's result. */
const ColumnName = lineName('a column name', 500);

export const ChartType = z.enum(['line', 'area', 'step', 'scatter']);
export type ChartType = z.infer<typeof ChartType>;
export const ChartBucket = z.enum(['auto', 'hour', 'day', 'week']);
export const ChartCompare = z.enum(['none', 'previous_day', 'previous_week']);
/** Where a metric chart's points come from: the local cache, or the Dash server (cached days still read locally). */
export const ChartDataSource = z.enum(['cache', 'server']);
export type ChartDataSource = z.infer<typeof ChartDataSource>;
export type ChartCompare = z.infer<typeof ChartCompare>;

export const ChartCatalogEntry = z.object({
  pipelineId: z.string(),
  metric: z.string(),
  series: z.number().int().nonnegative(),
  points: z.number().nonnegative(),
  fromMs: z.number(),
  toMs: z.number(),
});
export type ChartCatalogEntry = z.infer<typeof ChartCatalogEntry>;

export const SeriesListRequest = z.object({
  pipelineId: PipelineName,
  metrics: z.array(MetricName).max(200),
  search: literalText(200).default(''),
  limit: z.number().int().min(1).max(5000).default(500),
});

export const ChartSeriesRequest = z.object({
  /** Chosen by the caller so a newer zoom can cancel this one. */
  requestId: Id,
  pipelineId: PipelineName,
  metrics: z.array(MetricName).min(1, 'pick at least one metric').max(50),
  /** Empty: every series. */
  seriesIds: z.array(SeriesId).max(200),
  fromMs: z.number().finite(),
  toMs: z.number().finite(),
  width: z.number().int().min(10).max(10_000),
  bucket: ChartBucket.default('auto'),
  timeZone: z.string().min(1).max(100),
  source: ChartDataSource.default('cache'),
  /**
   * Server charts: when the rows to read on the server are estimated above this,
   * answer with `heavy` (and no points) instead of reading them. Null: read anyway.
   */
  maxServerRows: z.number().int().positive().nullable().default(null),
});
export type ChartSeriesRequest = z.input<typeof ChartSeriesRequest>;

/** A stretch of a chart and where its points came from: `aggregate` names the continuous aggregate. */
export const ChartPart = z.object({
  fromMs: z.number(),
  toMs: z.number(),
  from: z.enum(['cache', 'server', 'aggregate']),
  name: z.string().nullable(),
});
export type ChartPart = z.infer<typeof ChartPart>;

/** A server chart not drawn because it would read too many rows: what it would read, and the days to sync instead. */
export const ChartHeavy = z.object({
  rows: z.number().nonnegative(),
  /** How the estimate was made, in words. */
  note: z.string(),
  /** The UTC days [fromDay, toDay) the server part covers: what "Sync these days" pulls. */
  fromDay: z.string(),
  toDay: z.string(),
});
export type ChartHeavy = z.infer<typeof ChartHeavy>;

export const ChartSeriesResult = z.object({
  mode: z.enum(['raw', 'm4', 'calendar']),
  bucketMs: z.number().nonnegative(),
  rawPoints: z.number().nonnegative(),
  /** Key is `<metric> · <series_id>`. */
  series: z.array(z.object({ key: z.string(), t: z.array(z.number()), v: z.array(z.number()) })),
  elapsedMs: z.number().nonnegative(),
  /** Where each stretch came from (server charts); empty for a chart of the cache alone. */
  parts: z.array(ChartPart).default([]),
  /** Rows that crossed the wire from the server (M4 columns, buckets or raw points). */
  serverRows: z.number().nonnegative().default(0),
  heavy: ChartHeavy.nullable().default(null),
});
export type ChartSeriesResult = z.infer<typeof ChartSeriesResult>;

/**
 * A saved chart: what to draw, how, and where it was zoomed. Its file is input
 * from outside, so the names in it follow the same rules as a request's.
 */
export const ChartSpec = z.object({
  version: z.literal(1),
  source: z.discriminatedUnion('kind', [
    z.object({
      kind: z.literal('metrics'),
      pipelineId: PipelineName,
      metrics: z.array(MetricName).max(50),
      seriesIds: z.array(SeriesId).max(200),
      /** Absent in charts saved before server charts: the cache. */
      from: ChartDataSource.optional(),
    }),
    z.object({
      kind: z.literal('sql'),
      sql: z.string().max(1_000_000),
      timeColumn: ColumnName,
      valueColumns: z.array(ColumnName).max(50),
    }),
  ]),
  type: ChartType,
  bucket: ChartBucket,
  compare: ChartCompare,
  window: z.object({ fromMs: z.number(), toMs: z.number() }).nullable(),
});
export type ChartSpec = z.infer<typeof ChartSpec>;

export const SavedChartInfo = z.object({
  name: QueryName,
  bytes: z.number().int().nonnegative(),
  modifiedAt: z.string(),
});
export type SavedChartInfo = z.infer<typeof SavedChartInfo>;

export const chartApi = {
  'chart.catalog': { input: z.object({}).strict(), output: z.object({ entries: z.array(ChartCatalogEntry) }) },
  'chart.seriesList': {
    input: SeriesListRequest,
    output: z.object({ series: z.array(z.string()), total: z.number() }),
  },
  /** A ChartSeriesResult as one Arrow IPC stream: see charts/chartArrow.ts. */
  'chart.series': { input: ChartSeriesRequest, output: BinaryOutput },
  /** The time span a server holds for a pipeline's metrics (null bounds: no rows). */
  'chart.serverExtent': {
    input: z.object({ pipelineId: PipelineName, metrics: z.array(MetricName).min(1).max(50) }),
    output: z.object({ fromMs: z.number().nullable(), toMs: z.number().nullable() }),
  },
  'chart.cancel': { input: z.object({ requestId: Id }), output: z.object({ cancelled: z.boolean() }) },
  'charts.list': { input: z.object({}).strict(), output: z.object({ charts: z.array(SavedChartInfo) }) },
  'charts.read': { input: z.object({ name: QueryName }), output: z.object({ name: QueryName, spec: ChartSpec }) },
  'charts.save': { input: z.object({ name: QueryName, spec: ChartSpec }), output: SavedChartInfo },
  'charts.delete': { input: z.object({ name: QueryName }), output: z.object({ deleted: z.boolean() }) },
} as const;
