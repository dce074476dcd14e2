/**
 * The one API contract between the renderer and the Node side.
 *
 * Both transports (Electron IPC and the HTTP browser shell) carry exactly these
 * methods and events; both ends validate what they receive with these schemas.
 * A method whose `output` is `BinaryOutput` returns raw bytes (Arrow IPC), which
 * IPC carries as a Uint8Array and HTTP as an application/octet-stream body.
 */
import { z } from 'zod';
import {
  ConnectionProfileView,
  ConnectionTestResult,
  ProfileId,
  SaveConnectionRequest,
  TestConnectionRequest,
} from './connections';
import {
  CacheKeysRequest,
  CacheListing,
  CacheRevalidateResult,
  CacheUsage,
  CacheVerifyResult,
  LakeBrowseRequest,
  LakeBrowseResult,
  LakeKey,
  LakeSetting,
  ParquetFileInfo,
  ParquetFileRequest,
  SkippedFile,
} from './lake';
import { ServerCatalog } from './server';
import { queryApi } from './queries';
import { ResultExportRequest, ResultExportStarted } from './export';
import { syncApi } from './sync';
import { chartApi } from './charts';
import { BinaryOutput } from './binary';
import { inspectorApi } from './inspector';
import { PreviewSampleRequest, draftsApi } from './drafts';
import { pushApi } from './push';
import { toErrorCode } from '../errors';
import { Id } from './ids';

const Empty = z.object({}).strict();

// ---------------------------------------------------------------- app / workspace

export const PhaseState = z.enum(['pending', 'running', 'ready', 'failed']);
export type PhaseState = z.infer<typeof PhaseState>;

/** Start-up as one progress: the phases run partly in parallel, so theirs alone would jump about. */
export const WorkspaceStartup = z.object({
  /** Never goes back while the workspace starts. */
  percent: z.number().min(0).max(100),
  /** Extrapolated from the pace so far; null until there is enough to go on. */
  secondsLeft: z.number().nonnegative().nullable(),
  /** What runs now, e.g. "Loading the demo metrics into PostgreSQL (41 %)". */
  step: z.string(),
});
export type WorkspaceStartup = z.infer<typeof WorkspaceStartup>;

export const WorkspaceStatus = z.object({
  /**
   * Which run of the workbench this status comes from, and its revision in that
   * run (raised whenever the status changes): an answer that was on its way while
   * a newer status arrived is older, and is not shown over it.
   */
  run: z.string().min(1),
  revision: z.number().int().nonnegative(),
  workspaceDir: z.string(),
  name: z.string(),
  isDemo: z.boolean(),
  /** IANA zone timestamps are shown in (workspace.json `timeZone`). */
  timeZone: z.string(),
  /** Overall readiness; `phases` says what is still starting. */
  state: PhaseState,
  phases: z.array(
    z.object({
      id: z.enum(['lake', 'postgres', 'warehouse']),
      title: z.string(),
      state: PhaseState,
      message: z.string().optional(),
    }),
  ),
  /** Null once every phase is ready or failed. */
  startup: WorkspaceStartup.nullable(),
  postgres: z
    .object({
      host: z.string(),
      port: z.number().int(),
      database: z.string(),
      embedded: z.boolean(),
      /** 'timescaledb' when the extension is installed, else 'plain PostgreSQL'. */
      mode: z.enum(['timescaledb', 'plain']),
      serverVersion: z.string(),
    })
    .nullable(),
  lake: z
    .object({
      driver: z.enum(['folder', 's3']),
      /** A folder path, or `s3://bucket/prefix`. */
      location: z.string(),
      /** The connection profile of an S3/R2 lake. */
      connectionId: z.string().nullable(),
      /** False once the store stopped answering; null when not known (or a folder). */
      online: z.boolean().nullable(),
      /** Cached files whose freshness could not be checked last time. */
      notRevalidated: z.array(z.object({ key: z.string(), message: z.string() })),
    })
    .nullable(),
});
export type WorkspaceStatus = z.infer<typeof WorkspaceStatus>;

export const AppInfo = z.object({
  appVersion: z.string(),
  shell: z.enum(['electron', 'web']),
  platform: z.string(),
  duckdbVersion: z.string(),
});
export type AppInfo = z.infer<typeof AppInfo>;

// ---------------------------------------------------------------- warehouse queries

export const ColumnInfo = z.object({
  name: z.string(),
  /** The DuckDB type as DuckDB prints it, e.g. `TIMESTAMP WITH TIME ZONE`. */
  type: z.string(),
  /**
   * A result's column only: the name the query gave it, where the engine knows
   * it by another (`name`: a name taken in another case, or `rowid`; shared/resultColumns).
   */
  queryName: z.string().optional(),
});
export type ColumnInfo = z.infer<typeof ColumnInfo>;

export const QueryRunRequest = z.object({
  sql: z.string().min(1, 'the query is empty').max(1_000_000),
  /** Chosen by the caller so it can cancel before the answer arrives. */
  queryId: Id,
});
export type QueryRunRequest = z.infer<typeof QueryRunRequest>;

const LiveRunRequest = QueryRunRequest.extend({
  /** Refuse (`heavy_read`, nothing run) when the planner expects to read more rows; null runs anyway. */
  maxRowsRead: z.number().int().positive().nullable().default(null),
});

export const QueryResultMeta = z.object({
  queryId: Id,
  resultId: Id,
  columns: z.array(ColumnInfo),
  rowCount: z.number().int().nonnegative(),
  /** The result is held as this many Arrow IPC streams, fetched one by one. */
  chunkCount: z.number().int().nonnegative(),
  /**
   * false: the warehouse answered at its first chunk and the query still runs;
   * rowCount and chunkCount count what exists so far, `results.wait` tells of the
   * rest, and each chunk can be fetched once. Absent or true: the whole result.
   */
  done: z.boolean().optional(),
  /** Until the answer (the first chunk of a result still growing). */
  elapsedMs: z.number().nonnegative(),
  /** Damaged Parquet files the views this query read left out (warehouse queries only). */
  skippedFiles: z.array(SkippedFile).max(10_000).optional(),
});
export type QueryResultMeta = z.infer<typeof QueryResultMeta>;

export const ResultChunkRequest = z.object({
  resultId: Id,
  chunk: z.number().int().nonnegative(),
});
export type ResultChunkRequest = z.infer<typeof ResultChunkRequest>;

/** Waits until the result holds more than `knownChunks` chunks or is complete; a failed query's error comes back instead. */
export const ResultWaitRequest = z.object({
  resultId: Id,
  knownChunks: z.number().int().nonnegative(),
});
export type ResultWaitRequest = z.infer<typeof ResultWaitRequest>;

/** How far a result still growing has got. */
export const ResultGrowth = z.object({
  rowCount: z.number().int().nonnegative(),
  chunkCount: z.number().int().nonnegative(),
  done: z.boolean(),
});
export type ResultGrowth = z.infer<typeof ResultGrowth>;

export const CatalogColumn = z.object({ name: z.string(), type: z.string() });
export const CatalogRelation = z.object({
  schema: z.string(),
  name: z.string(),
  kind: z.enum(['table', 'view']),
  columns: z.array(CatalogColumn),
});
export type CatalogRelation = z.infer<typeof CatalogRelation>;
export const Catalog = z.object({ relations: z.array(CatalogRelation) });
export type Catalog = z.infer<typeof Catalog>;

// ---------------------------------------------------------------- lake and server

export const LakePipeline = z.object({
  pipelineId: z.string(),
  days: z.number().int().nonnegative(),
  files: z.number().int().nonnegative(),
  bytes: z.number().nonnegative(),
  firstDay: z.string().nullable(),
  lastDay: z.string().nullable(),
});
export type LakePipeline = z.infer<typeof LakePipeline>;
export const LakeListing = z.object({ pipelines: z.array(LakePipeline) });
export type LakeListing = z.infer<typeof LakeListing>;

export const MetricDefinition = z.object({
  name: z.string().min(1),
  formula: z.string(),
  unit: z.string(),
});
export type MetricDefinition = z.infer<typeof MetricDefinition>;

export const PipelineDefinition = z.object({
  source: z.string(),
  filter: z.string().nullable(),
  metrics: z.array(MetricDefinition),
});
export type PipelineDefinition = z.infer<typeof PipelineDefinition>;

export const PipelineSummary = z.object({
  id: z.string(),
  name: z.string(),
  version: z.number().int(),
  definition: PipelineDefinition,
  updatedAt: z.string(),
  updatedBy: z.string(),
  /** Set when the server's definition does not match the contract. */
  problem: z.string().nullable(),
});
export type PipelineSummary = z.infer<typeof PipelineSummary>;
export const PipelineList = z.object({ pipelines: z.array(PipelineSummary) });

// ---------------------------------------------------------------- jobs

export const JobState = z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']);
export type JobState = z.infer<typeof JobState>;

export const JobSnapshot = z.object({
  jobId: Id,
  kind: z.string(),
  title: z.string(),
  state: JobState,
  /** done/total in `unit`; total is null while unknown. */
  progress: z.object({
    done: z.number().nonnegative(),
    total: z.number().nonnegative().nullable(),
    unit: z.string(),
  }),
  message: z.string(),
  error: z.string().nullable(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type JobSnapshot = z.infer<typeof JobSnapshot>;

// ---------------------------------------------------------------- the method table

export const api = {
  'app.info': { input: Empty, output: AppInfo },
  'workspace.status': { input: Empty, output: WorkspaceStatus },
  'query.run': { input: QueryRunRequest, output: QueryResultMeta },
  'query.cancel': { input: z.object({ queryId: Id }), output: z.object({ cancelled: z.boolean() }) },
  // A chunk not produced yet (a result still growing) is waited for; query.cancel ends the wait.
  'results.chunk': { input: ResultChunkRequest, output: BinaryOutput },
  'results.wait': { input: ResultWaitRequest, output: ResultGrowth },
  'results.release': { input: z.object({ resultId: Id }), output: z.object({ released: z.boolean() }) },
  'results.export': { input: ResultExportRequest, output: ResultExportStarted },
  'catalog.get': { input: Empty, output: Catalog },
  'lake.list': { input: Empty, output: LakeListing },
  'pipelines.list': { input: Empty, output: PipelineList },
  'jobs.list': { input: Empty, output: z.object({ jobs: z.array(JobSnapshot) }) },
  'jobs.cancel': { input: z.object({ jobId: Id }), output: z.object({ cancelled: z.boolean() }) },
  'connections.list': { input: Empty, output: z.object({ profiles: z.array(ConnectionProfileView) }) },
  'connections.save': { input: SaveConnectionRequest, output: ConnectionProfileView },
  'connections.duplicate': { input: z.object({ id: ProfileId }), output: ConnectionProfileView },
  'connections.delete': { input: z.object({ id: ProfileId }), output: z.object({ deleted: z.boolean() }) },
  'connections.test': { input: TestConnectionRequest, output: ConnectionTestResult },
  'workspace.setLake': { input: LakeSetting, output: WorkspaceStatus },
  'lake.browse': { input: LakeBrowseRequest, output: LakeBrowseResult },
  'lake.file': { input: ParquetFileRequest, output: ParquetFileInfo },
  'cache.list': { input: Empty, output: CacheListing },
  'cache.download': { input: CacheKeysRequest, output: z.object({ jobId: Id }) },
  'cache.refresh': { input: CacheKeysRequest, output: z.object({ jobId: Id }) },
  'cache.pin': { input: CacheKeysRequest, output: z.object({ keys: z.array(z.string()) }) },
  'cache.unpin': { input: CacheKeysRequest, output: z.object({ keys: z.array(z.string()) }) },
  'cache.evict': { input: CacheKeysRequest, output: z.object({ evicted: z.array(z.string()) }) },
  'cache.verify': { input: z.object({ keys: z.array(LakeKey).max(50_000).optional() }), output: CacheVerifyResult },
  'cache.revalidate': { input: Empty, output: CacheRevalidateResult },
  'server.catalog': { input: Empty, output: ServerCatalog },
  // Read-only, on the server itself; the result is fetched with results.chunk like a warehouse one.
  'live.run': { input: LiveRunRequest, output: QueryResultMeta },
  'live.cancel': { input: z.object({ queryId: Id }), output: z.object({ cancelled: z.boolean() }) },
  // The SQL editor: saved queries, run history, warehouse functions (schemas in ./queries).
  ...queryApi,
  // Metric sync from the server into the local Parquet cache (schemas in ./sync).
  ...syncApi,
  ...inspectorApi,
  // The pipeline editor: drafts as workspace files, the live preview's Bronze sample (schemas in ./drafts).
  ...draftsApi,
  'preview.sample': { input: PreviewSampleRequest, output: QueryResultMeta },
  // The time-series explorer: M4 chart data from cached metrics, saved charts (schemas in ./charts).
  ...chartApi,
  // The reprocessing preview and the push back to the server (schemas in ./push).
  ...pushApi,
} as const;

export type Api = typeof api;
export type ApiMethod = keyof Api;
export type ApiInput<M extends ApiMethod> = z.input<Api[M]['input']>;
export type ApiOutput<M extends ApiMethod> = z.output<Api[M]['output']>;

export const apiMethods = Object.keys(api) as ApiMethod[];

export function isApiMethod(name: unknown): name is ApiMethod {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(api, name);
}

export function isBinaryMethod(method: ApiMethod): boolean {
  return api[method].output === BinaryOutput;
}

// ---------------------------------------------------------------- events (Node -> renderer)

export const ApiEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('job'), job: JobSnapshot }),
  z.object({ type: z.literal('workspace'), status: WorkspaceStatus }),
  /** The cache changed (files arrived, left, or went stale): re-read what you show. */
  z.object({ type: z.literal('cache'), usage: CacheUsage }),
]);
export type ApiEvent = z.infer<typeof ApiEvent>;

// ---------------------------------------------------------------- replies

/**
 * A code as another process sent it: it must be a string, but one this build
 * does not know (a newer server's) reads as `internal`, never as a malformed reply.
 */
const ReceivedErrorCode = z.string().transform(toErrorCode);

export const ApiErrorBody = z.object({
  code: ReceivedErrorCode,
  message: z.string(),
  /** What the user can do about it, when we know. */
  hint: z.string().optional(),
});
export type ApiErrorBody = z.infer<typeof ApiErrorBody>;

export const ApiReply = z.union([
  z.object({ ok: z.literal(true), result: z.unknown() }),
  z.object({ ok: z.literal(false), error: ApiErrorBody }),
]);
export type ApiReply = z.infer<typeof ApiReply>;
