/**
 * The Dash server seen directly: its catalog (with TimescaleDB's hypertables,
 * chunks, continuous aggregates and jobs where the extension is there) and live,
 * read-only queries whose results land in the same grid as warehouse results.
 */
import { z } from 'zod';

export const ServerColumn = z.object({
  name: z.string(),
  /** PostgreSQL's spelling, e.g. `timestamp with time zone`. */
  type: z.string(),
  nullable: z.boolean(),
});
export type ServerColumn = z.infer<typeof ServerColumn>;

export const ServerRelation = z.object({
  schema: z.string(),
  name: z.string(),
  kind: z.enum(['table', 'view', 'materialized view', 'foreign table', 'partitioned table']),
  /** The planner's estimate (or TimescaleDB's approximate count); null when never analyzed. */
  rowEstimate: z.number().nonnegative().nullable(),
  /** Table, indexes and TOAST; for a hypertable, all its chunks. Null for views. */
  bytes: z.number().nonnegative().nullable(),
  columns: z.array(ServerColumn),
  /** The column to bucket time on: a hypertable's time dimension, else its first timestamptz. */
  timeColumn: z.string().nullable(),
  isHypertable: z.boolean(),
});
export type ServerRelation = z.infer<typeof ServerRelation>;

export const ServerChunk = z.object({
  schema: z.string(),
  name: z.string(),
  /** ISO 8601; null for integer-partitioned hypertables. */
  rangeStart: z.string().nullable(),
  rangeEnd: z.string().nullable(),
  /** `partial`: compressed, with rows inserted since kept uncompressed beside the batches. */
  compression: z.enum(['none', 'compressed', 'partial']),
  /** The chunk's heap and, when compressed, its batches. */
  bytes: z.number().nonnegative().nullable(),
  /** Size before and after compression, for compressed chunks. */
  uncompressedBytes: z.number().nonnegative().nullable(),
  compressedBytes: z.number().nonnegative().nullable(),
});
export type ServerChunk = z.infer<typeof ServerChunk>;

export const Hypertable = z.object({
  schema: z.string(),
  name: z.string(),
  timeColumn: z.string().nullable(),
  timeColumnType: z.string().nullable(),
  chunkCount: z.number().int().nonnegative(),
  compressionEnabled: z.boolean(),
  bytes: z.number().nonnegative().nullable(),
  /** The newest chunks (at most `CHUNKS_SHOWN`); `chunkCount` says how many there are. */
  chunks: z.array(ServerChunk),
});
export type Hypertable = z.infer<typeof Hypertable>;

export const ContinuousAggregate = z.object({
  schema: z.string(),
  name: z.string(),
  hypertableSchema: z.string(),
  hypertableName: z.string(),
  materializedOnly: z.boolean(),
  compressionEnabled: z.boolean(),
  materializationSchema: z.string(),
  materializationName: z.string(),
});
export type ContinuousAggregate = z.infer<typeof ContinuousAggregate>;

export const ServerJob = z.object({
  jobId: z.number().int(),
  name: z.string(),
  /** e.g. `policy_compression`, `policy_refresh_continuous_aggregate`, `policy_retention`. */
  procedure: z.string(),
  schedule: z.string().nullable(),
  scheduled: z.boolean(),
  nextStart: z.string().nullable(),
  /** The hypertable the job works on (a cagg's materialization hypertable for refresh policies). */
  hypertableSchema: z.string().nullable(),
  hypertableName: z.string().nullable(),
  config: z.string().nullable(),
  lastRunStatus: z.string().nullable(),
});
export type ServerJob = z.infer<typeof ServerJob>;

export const ServerCatalog = z.object({
  mode: z.enum(['timescaledb', 'plain']),
  /** What the UI shows: `TimescaleDB 2.14.2` or `plain PostgreSQL`. */
  modeLabel: z.string(),
  serverVersion: z.string(),
  timescaleVersion: z.string().nullable(),
  /** The schema TimescaleDB's functions live in (not always on the search_path); null on plain PostgreSQL. */
  timescaleSchema: z.string().nullable(),
  /** Something the user should know about what is shown, e.g. a grant the role lacks. */
  notice: z.string().nullable(),
  database: z.string(),
  schemas: z.array(z.object({ name: z.string(), relations: z.array(ServerRelation) })),
  hypertables: z.array(Hypertable),
  continuousAggregates: z.array(ContinuousAggregate),
  jobs: z.array(ServerJob),
});
export type ServerCatalog = z.infer<typeof ServerCatalog>;

/** Live results are held under ids with this prefix, so `results.chunk` knows where to look. */
export const LIVE_RESULT_PREFIX = 'live-';

/**
 * Past this many rows read on the server (the planner's estimate), a live query
 * or a server chart stops before it starts and says so, offering to run anyway
 * or to sync the days instead.
 */
export const HEAVY_SERVER_READ_ROWS = 20_000_000;
