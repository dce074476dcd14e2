/**
 * Metric sync: pulling dash.pipeline_metrics from the server into the local
 * Parquet cache (cache/metrics/pipeline_id=<id>/date=<YYYY-MM-DD>/part-0.parquet).
 */
import { z } from 'zod';

/** A pipeline, metric or series name as the server has it: free text, but bounded. */
export const SyncName = z
  .string()
  .min(1)
  .max(256)
  .refine((s) => !s.includes('\0'), 'must not contain NUL');

/** A UTC day, `YYYY-MM-DD`. */
export const SyncDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date like 2026-01-31')
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)), 'must be a real date');

/**
 * What to sync: whole UTC days in [from, to). A null bound means "from the
 * first day" / "through the last day" the server has. Null metric or series
 * lists mean all of them.
 */
export const SyncSelection = z
  .object({
    pipelines: z.array(SyncName).min(1, 'pick at least one pipeline').max(100),
    metricNames: z.array(SyncName).min(1).max(1000).nullable().default(null),
    seriesIds: z.array(SyncName).min(1).max(5000).nullable().default(null),
    from: SyncDay.nullable().default(null),
    to: SyncDay.nullable().default(null),
  })
  .refine((s) => s.from === null || s.to === null || s.from < s.to, {
    message: 'the end of the range must be after its start',
    path: ['to'],
  });
export type SyncSelection = z.output<typeof SyncSelection>;
export type SyncSelectionInput = z.input<typeof SyncSelection>;

export const SyncOptions = z.object({
  mode: z.enum(['timescaledb', 'plain']),
  pipelines: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      /** Metric names from the pipeline's definition. */
      metrics: z.array(z.string()),
    }),
  ),
});
export type SyncOptions = z.infer<typeof SyncOptions>;

export const SyncSeriesRequest = z.object({
  pipelines: z.array(SyncName).min(1).max(100),
  /** Matched anywhere in the series id, case-insensitively. */
  search: z.string().max(200).default(''),
  limit: z.number().int().min(1).max(500).default(100),
});

export const SyncSeriesResult = z.object({
  series: z.array(z.string()),
  /** True when more series match than `limit`. */
  more: z.boolean(),
});
export type SyncSeriesResult = z.infer<typeof SyncSeriesResult>;

export const SyncEstimate = z.object({
  rows: z.number().nonnegative(),
  /** Bytes the server would send (row count × average row width). */
  bytes: z.number().nonnegative(),
  method: z.enum(['timescaledb-chunks', 'planner']),
  /** In words, for the UI: how the estimate was made. */
  note: z.string(),
});
export type SyncEstimate = z.infer<typeof SyncEstimate>;

export const SyncPipelineStatus = z.object({
  pipelineId: z.string(),
  /** Days present in the cache (synced or computed locally by the demo). */
  days: z.number().int().nonnegative(),
  syncedDays: z.number().int().nonnegative(),
  /** Rows in the synced days, as the server counted them. */
  rows: z.number().nonnegative(),
  firstDay: z.string().nullable(),
  lastDay: z.string().nullable(),
  lastSyncAt: z.string().nullable(),
  /**
   * Cached days known to differ from the server: a push or undo changed them
   * and re-syncing them failed or has not run yet. Cleared by re-syncing them.
   */
  stale: z.array(z.object({ day: SyncDay, since: z.string(), reason: z.string() })),
});
export type SyncPipelineStatus = z.infer<typeof SyncPipelineStatus>;

export const SyncStatus = z.object({
  pipelines: z.array(SyncPipelineStatus),
  /** The job of a sync still running, if any. */
  runningJobId: z.string().nullable(),
  /** What the last finished sync fetched, in words. */
  lastMessage: z.string().nullable(),
});
export type SyncStatus = z.infer<typeof SyncStatus>;

/** The sync methods, spread into the contract's method table. */
export const syncApi = {
  'sync.options': { input: z.object({}).strict(), output: SyncOptions },
  'sync.series': { input: SyncSeriesRequest, output: SyncSeriesResult },
  'sync.estimate': { input: SyncSelection, output: SyncEstimate },
  'sync.start': { input: SyncSelection, output: z.object({ jobId: z.string() }) },
  'sync.status': { input: z.object({}).strict(), output: SyncStatus },
  /** Re-syncs the cached days marked stale (of one pipeline, or all), as a job; null when none is stale. */
  'sync.resyncStale': {
    input: z.object({ pipelineId: SyncName.nullable().default(null) }).strict(),
    output: z.object({ jobId: z.string().nullable() }),
  },
} as const;
