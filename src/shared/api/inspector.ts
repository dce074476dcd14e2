/**
 * The Bronze record inspector: searching records across Bronze files, reading
 * one record with its neighbours, lineage from a metric point, and export.
 */
import { z } from 'zod';
import { ExportFileName, ResultExportStarted } from './export';
import { LakeKey } from './lake';

/** A value as JSON carries it: big integers and bytes become text, times ISO strings. */
export const InspectorCell = z.union([z.string(), z.number(), z.boolean(), z.null()]);
export type InspectorCell = z.infer<typeof InspectorCell>;

const Name = z
  .string()
  .min(1)
  .max(256)
  .refine((s) => !s.includes('\0'), 'must not contain NUL');

const Instant = z
  .string()
  .max(64)
  .refine((s) => !Number.isNaN(Date.parse(s)), 'must be a date and time such as 2026-10-05T14:03:00Z');

export const PredicateOp = z.enum(['=', '!=', '<', '<=', '>', '>=', 'contains', 'is null', 'is not null']);
export type PredicateOp = z.infer<typeof PredicateOp>;

export const FieldPredicate = z.object({
  field: Name,
  op: PredicateOp,
  value: z.string().max(1000).default(''),
});
export type FieldPredicate = z.infer<typeof FieldPredicate>;

/** What to look for. Every part left out (null or empty) matches everything. */
export const InspectorCriteria = z.object({
  /** Pipelines to search; empty means all. */
  pipelines: z.array(Name).max(100).default([]),
  recordId: Name.nullable().default(null),
  seriesId: Name.nullable().default(null),
  /** Event time (`ts`) range, from inclusive, to exclusive. */
  from: Instant.nullable().default(null),
  to: Instant.nullable().default(null),
  predicates: z.array(FieldPredicate).max(10).default([]),
  /** Text anywhere in `raw`, case-insensitive. */
  text: z.string().min(1).max(1000).nullable().default(null),
  /** Matches kept; the search stops there. */
  limit: z.number().int().min(1).max(10_000).default(1000),
});
export type InspectorCriteria = z.infer<typeof InspectorCriteria>;
export type InspectorCriteriaInput = z.input<typeof InspectorCriteria>;

export const InspectorField = z.object({ name: z.string(), type: z.string(), value: InspectorCell });
export type InspectorField = z.infer<typeof InspectorField>;

/** One record found, and exactly where it lives. */
export const InspectorMatch = z.object({
  pipelineId: z.string(),
  /** The landing day (the `date=` partition), not the event day. */
  date: z.string().nullable(),
  key: z.string(),
  etag: z.string(),
  rowGroup: z.number().int().nonnegative(),
  /** Row number in the file, from 0. */
  row: z.number().int().nonnegative(),
  recordId: z.string().nullable(),
  seriesId: z.string().nullable(),
  ts: z.string().nullable(),
  fields: z.array(InspectorField),
});
export type InspectorMatch = z.infer<typeof InspectorMatch>;

export const InspectorProblem = z.object({
  key: z.string(),
  kind: z.enum(['corrupt', 'truncated', 'schema', 'unreadable']),
  message: z.string(),
});
export type InspectorProblem = z.infer<typeof InspectorProblem>;

export const InspectorStats = z.object({
  filesTotal: z.number().int().nonnegative(),
  /** Left out by the pipeline or `date=` partition. */
  filesSkipped: z.number().int().nonnegative(),
  filesScanned: z.number().int().nonnegative(),
  rowGroupsScanned: z.number().int().nonnegative(),
  /** Left out because their min/max statistics exclude the criteria. */
  rowGroupsSkipped: z.number().int().nonnegative(),
  rowsScanned: z.number().int().nonnegative(),
  bytesRead: z.number().nonnegative(),
  /** Files read from the local folder or cache, and by range reads on the store. */
  localFiles: z.number().int().nonnegative(),
  remoteFiles: z.number().int().nonnegative(),
});
export type InspectorStats = z.infer<typeof InspectorStats>;

export const InspectorSearchStarted = z.object({ searchId: z.string(), jobId: z.string() });

export const InspectorMatchesRequest = z.object({
  searchId: z.string().min(1).max(128),
  offset: z.number().int().min(0).default(0),
  limit: z.number().int().min(1).max(1000).default(200),
});

export const InspectorMatchesPage = z.object({
  searchId: z.string(),
  state: z.enum(['running', 'succeeded', 'failed', 'cancelled']),
  error: z.string().nullable(),
  total: z.number().int().nonnegative(),
  /** True when the search stopped at its limit: there may be more. */
  limited: z.boolean(),
  /** Time to the first match, once there is one. */
  firstMatchMs: z.number().nonnegative().nullable(),
  elapsedMs: z.number().nonnegative(),
  stats: InspectorStats,
  problems: z.array(InspectorProblem),
  offset: z.number().int().nonnegative(),
  matches: z.array(InspectorMatch),
});
export type InspectorMatchesPage = z.infer<typeof InspectorMatchesPage>;

export const InspectorRecordRequest = z.object({
  key: LakeKey,
  row: z.number().int().nonnegative(),
  /** Records of the same series shown before and after. */
  neighbours: z.number().int().min(0).max(20).default(3),
});

export const InspectorRecord = z.object({
  record: InspectorMatch,
  size: z.number().nonnegative(),
  source: z.enum(['local', 'cache', 'store']),
  before: z.array(InspectorMatch),
  after: z.array(InspectorMatch),
});
export type InspectorRecord = z.infer<typeof InspectorRecord>;

export const LineageRequest = z.object({
  pipelineId: Name,
  seriesId: Name,
  time: Instant,
});
export type LineageRequest = z.infer<typeof LineageRequest>;

export const InspectorLineage = z.object({
  pipeline: z
    .object({
      id: z.string(),
      name: z.string(),
      version: z.number().int(),
      filter: z.string().nullable(),
      metrics: z.array(z.object({ name: z.string(), formula: z.string(), unit: z.string() })),
    })
    .nullable(),
  /** Why the pipeline is not shown (no server, unknown pipeline). */
  pipelineNote: z.string().nullable(),
  /** The Bronze records of that series at that time. */
  records: z.array(InspectorMatch),
  /** The series' record just before: what per-series windows (rate, delta) compare with. */
  previous: InspectorMatch.nullable(),
  /** Step by step per record (same order as `records`): the filter, then each metric, where formulas can be evaluated. */
  evaluation: z.object({
    available: z.boolean(),
    note: z.string().nullable(),
    rows: z.array(
      z.object({
        /** kept; dropped by the filter; or a later copy of a record already delivered (the first copy counts). */
        outcome: z.enum(['kept', 'filtered', 'duplicate']),
        filter: InspectorCell,
        values: z.record(z.string(), InspectorCell),
      }),
    ),
  }),
  stats: InspectorStats,
  problems: z.array(InspectorProblem),
});
export type InspectorLineage = z.infer<typeof InspectorLineage>;

export const InspectorExportFormat = z.enum(['csv', 'jsonl', 'parquet']);
export type InspectorExportFormat = z.infer<typeof InspectorExportFormat>;

export const InspectorExportRequest = z.object({
  searchId: z.string().min(1).max(128),
  format: InspectorExportFormat,
  fileName: ExportFileName.optional(),
});

export const inspectorApi = {
  'inspector.search': { input: InspectorCriteria, output: InspectorSearchStarted },
  'inspector.matches': { input: InspectorMatchesRequest, output: InspectorMatchesPage },
  'inspector.record': { input: InspectorRecordRequest, output: InspectorRecord },
  'inspector.lineage': { input: LineageRequest, output: InspectorLineage },
  'inspector.export': { input: InspectorExportRequest, output: ResultExportStarted },
} as const;
