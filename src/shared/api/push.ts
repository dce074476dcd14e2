/**
 * The reprocessing preview and the push back to the server, as the API carries
 * them: a preview recomputes a draft over cached Bronze for a UTC range and
 * diffs it against the server's metrics; a push writes that recomputation
 * with write credentials typed for the push (never stored).
 */
import { z } from 'zod';
import { DraftMetric, DraftPipelineId } from './drafts';
import { SkippedFile } from './lake';
import { MetricName } from './names';
import { Id } from './ids';

/** `[start, end)`, ISO-8601 instants. */
export const PreviewRange = z
  .object({ start: z.string().datetime({ offset: true }), end: z.string().datetime({ offset: true }) })
  .refine((r) => Date.parse(r.end) > Date.parse(r.start), 'the range ends before it starts');
export type PreviewRange = z.infer<typeof PreviewRange>;

export const PreviewStartRequest = z.object({
  pipelineId: DraftPipelineId,
  /** The server version the draft started from (the push refuses if the server moved on). */
  baseVersion: z.number().int().nonnegative(),
  filter: z.string().max(20_000).nullable(),
  metrics: z.array(DraftMetric).min(1, 'the draft has no metrics').max(500),
  range: PreviewRange,
  /** Relative tolerance: |a − b| ≤ tolerance × max(|a|, |b|) counts as unchanged. */
  tolerance: z.number().min(0).max(1).default(1e-9),
  /** Late records land after their event day: Bronze days cached up to this many days after the range. */
  lateDays: z.number().int().min(0).max(31).default(3),
});
export type PreviewStartRequest = z.input<typeof PreviewStartRequest>;

export const DiffCounts = z.object({
  added: z.number().int().nonnegative(),
  removed: z.number().int().nonnegative(),
  changed: z.number().int().nonnegative(),
  unchanged: z.number().int().nonnegative(),
});
export type DiffCounts = z.infer<typeof DiffCounts>;

export const DiffChange = z.object({
  seriesId: z.string(),
  metricName: z.string(),
  /** ISO-8601 UTC. */
  time: z.string(),
  /** Null where the value is not finite (JSON has no NaN or infinity). */
  current: z.number().nullable(),
  recomputed: z.number().nullable(),
  absolute: z.number().nullable(),
  /** |Δ| / |current|; null when current is 0. */
  relative: z.number().nullable(),
});
export type DiffChange = z.infer<typeof DiffChange>;

const TimeWindow = z.object({ start: z.string(), end: z.string() });

/** A continuous aggregate refreshed after a push (TimescaleDB), or why it could not be. */
export const AggregateRefresh = z.object({
  name: z.string(),
  /** The push's range widened to whole buckets of this aggregate. */
  window: TimeWindow.nullable(),
  refreshed: z.boolean(),
  error: z.string().nullable(),
});
export type AggregateRefresh = z.infer<typeof AggregateRefresh>;

export const PushOutcome = z.object({
  pushId: z.string(),
  alreadyApplied: z.boolean(),
  pipelineVersion: z.number().int(),
  rowsReplaced: z.number().int().nonnegative(),
  rowsInserted: z.number().int().nonnegative(),
  /**
   * What the push did to the range's values (per metric, series and time; exact,
   * no tolerance): every row is rewritten, usually few values change. Null for a
   * retried push audited on a server that did not keep these counts.
   */
  values: DiffCounts.nullable(),
  checksum: z.string(),
  /** Continuous aggregates refreshed after commit; a failed refresh is a warning, never a failed push. */
  aggregates: z.array(AggregateRefresh),
});
export type PushOutcome = z.infer<typeof PushOutcome>;

export const PreviewSummary = z.object({
  previewId: Id,
  pipelineId: z.string(),
  baseVersion: z.number().int(),
  range: z.object({ start: z.string(), end: z.string() }),
  tolerance: z.number(),
  createdAt: z.string(),
  /** The Bronze days read (landing days, the range plus `lateDays` after it). */
  bronzeDays: z.object({ first: z.string(), last: z.string(), lateDays: z.number().int() }),
  /** Bronze files downloaded for this preview (S3/R2 lakes). */
  filesCached: z.number().int().nonnegative(),
  /** Damaged Bronze files of the days read, left out: their records are missing from the recomputation. */
  skippedFiles: z.array(SkippedFile).max(10_000),
  recomputedRows: z.number().int().nonnegative(),
  serverRows: z.number().int().nonnegative(),
  /** `rangeChecksum` of the server's rows, taken in the same snapshot as the rows compared. */
  serverChecksum: z.string(),
  totals: DiffCounts,
  perMetric: z.array(DiffCounts.extend({ metricName: z.string() })),
  perSeries: z.array(DiffCounts.extend({ seriesId: z.string() })),
  perDay: z.array(DiffCounts.extend({ day: z.string() })),
  largestAbsolute: z.array(DiffChange),
  largestRelative: z.array(DiffChange),
  /** The last push of this preview, once one succeeded. */
  push: PushOutcome.nullable(),
  elapsedMs: z.number().nonnegative(),
});
export type PreviewSummary = z.infer<typeof PreviewSummary>;

export const PreviewSeriesRequest = z.object({
  previewId: Id,
  seriesId: z.string().min(1).max(256),
  metricName: MetricName,
});

export const PreviewSeries = z.object({
  seriesId: z.string(),
  metricName: z.string(),
  /** [epoch ms, current, recomputed]; null where a side has no (finite) value. */
  points: z.array(z.tuple([z.number(), z.number().nullable(), z.number().nullable()])),
  /** Stretches of consecutive points that differ: [first ms, last ms]. */
  changed: z.array(z.tuple([z.number(), z.number()])),
  truncated: z.boolean(),
});
export type PreviewSeries = z.infer<typeof PreviewSeries>;

/**
 * Write credentials for one push, asked for explicitly and never stored: a
 * PostgreSQL user and password, or (the demo's embedded server only) its own
 * write role after the user confirmed.
 */
export const WriteCredentials = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('password'),
    user: z.string().min(1, 'type the user').max(256),
    password: z.string().max(1024),
  }),
  z.object({ kind: z.literal('embedded'), confirmed: z.literal(true) }),
]);
export type WriteCredentials = z.infer<typeof WriteCredentials>;

export const PushPlanView = z.object({
  pipelineId: z.string(),
  serverVersion: z.number().int(),
  newVersion: z.number().int(),
  /** Whether the draft's definition differs from the server's (else only metrics are pushed). */
  definitionChanged: z.boolean(),
  range: z.object({ start: z.string(), end: z.string() }),
  days: z.array(
    z.object({
      day: z.string(),
      metricName: z.string(),
      rowsToDelete: z.number().int().nonnegative(),
      rowsToInsert: z.number().int().nonnegative(),
      /** What happens to this day's and metric's values (exact, as the push will count them). */
      values: DiffCounts,
    }),
  ),
  rowsToDelete: z.number().int().nonnegative(),
  rowsToInsert: z.number().int().nonnegative(),
  /**
   * What the push does to the range's values, keyed by (metric, series, time),
   * exact (no tolerance): the rows are all rewritten, these are the values that
   * actually change.
   */
  values: DiffCounts,
  mode: z.enum(['timescaledb', 'plain']),
  /** The role the plan was checked as (the exploration role, or the push's once its credentials are given). */
  checkedAs: z.string(),
  /** Privileges a push needs that `checkedAs` lacks, as GRANT statements. */
  missingGrants: z.array(z.string()),
  chunks: z.array(
    z.object({
      name: z.string(),
      rangeStart: z.string(),
      rangeEnd: z.string(),
      compression: z.enum(['none', 'compressed', 'partial']),
      approximateRows: z.number(),
    }),
  ),
  maxTuplesDecompressed: z.number().nullable(),
  /** Rows of this pipeline's compressed batches the push would decompress. */
  tuplesToDecompress: z.number(),
  continuousAggregates: z.array(
    z.object({
      name: z.string(),
      owner: z.string(),
      bucket: z.string().nullable(),
      window: TimeWindow.nullable(),
      canRefresh: z.boolean(),
      reason: z.string().nullable(),
    }),
  ),
  warnings: z.array(z.string()),
  /** The server this push would write to, and whether it is the demo's embedded one. */
  server: z.object({ host: z.string(), port: z.number().int(), database: z.string(), embedded: z.boolean() }),
});
export type PushPlanView = z.infer<typeof PushPlanView>;

export const PushRecord = z.object({
  pushId: z.string(),
  pushedAt: z.string(),
  pushedBy: z.string(),
  baseVersion: z.number().int(),
  pipelineVersion: z.number().int(),
  rangeStart: z.string(),
  rangeEnd: z.string(),
  rowsReplaced: z.number(),
  rowsInserted: z.number(),
  /** The audit's value counts (added/removed/changed/unchanged); null for pushes audited before the server kept them. */
  values: DiffCounts.nullable(),
  checksum: z.string(),
  undoOf: z.string().nullable(),
  /** Set when a later push undid this one. */
  undoneBy: z.string().nullable(),
  comment: z.string().nullable(),
  /** For pushes made in this session: how refreshing the continuous aggregates went (null: not known here). */
  aggregates: z.array(AggregateRefresh).nullable(),
});
export type PushRecord = z.infer<typeof PushRecord>;

export const pushApi = {
  'preview.start': { input: PreviewStartRequest, output: z.object({ jobId: Id, previewId: Id }) },
  'preview.result': { input: z.object({ previewId: Id }), output: PreviewSummary },
  'preview.series': { input: PreviewSeriesRequest, output: PreviewSeries },
  'push.plan': {
    input: z.object({
      previewId: Id,
      includeDefinition: z.boolean().default(true),
      /** Check as the role that will push (its grants, limits and refresh rights); else as the exploration role. */
      credentials: WriteCredentials.optional(),
    }),
    output: PushPlanView,
  },
  'push.run': {
    input: z.object({
      previewId: Id,
      includeDefinition: z.boolean().default(true),
      comment: z.string().max(2000).nullable().default(null),
      credentials: WriteCredentials,
    }),
    output: z.object({ jobId: Id, pushId: z.string() }),
  },
  'push.history': {
    input: z.object({ pipelineId: DraftPipelineId, limit: z.number().int().min(1).max(500).default(50) }),
    output: z.object({ pushes: z.array(PushRecord) }),
  },
  'push.undo': {
    input: z.object({
      pushId: z.string().uuid(),
      comment: z.string().max(2000).nullable().default(null),
      credentials: WriteCredentials,
    }),
    output: z.object({ jobId: Id, pushId: z.string() }),
  },
  /** Refreshes the continuous aggregates over a push's range again (after a refresh failed), as a job. */
  'push.refreshAggregates': {
    input: z.object({ pushId: z.string().uuid(), credentials: WriteCredentials }),
    output: z.object({ jobId: Id }),
  },
} as const;
