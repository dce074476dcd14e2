/**
 * The Node-side implementation of the API contract, shared by both shells.
 * `dispatch` is the single entry point a transport calls: it validates the
 * method and input, runs the handler and turns every failure into an
 * `ApiErrorBody` — a bad message never crashes the app.
 */
import { version as duckdbVersion } from '@duckdb/node-api';
import { ZodError } from 'zod';
import {
  api,
  isApiMethod,
  type ApiErrorBody,
  type ApiEvent,
  type ApiMethod,
  type QueryResultMeta,
} from '../../../shared/api/contract';
import type { ApiHandlers } from '../../../shared/api/handlers';
import { HTTP_STATUS_BY_CODE, WorkbenchError } from '../../../shared/errors';
import { fromSystemError } from '../systemErrors';
import { formatBytes } from '../../../shared/format';
import type { JobRunner } from '../jobs/JobRunner';
import type { Workspace } from '../workspace/Workspace';
import { readPipelines } from '../postgres/Pipelines';
import { Inspector } from '../inspector/Inspector';
import { lakeTarget } from '../inspector/searchTargets';
import type { ConnectionProfiles } from '../connections/ConnectionProfiles';
import { testPostgres, testS3 } from '../connections/ConnectionTester';
import { MetricSync } from '../sync/MetricSync';
import { QueryHistory, SavedQueries, recordRun } from '../queries/QueryFiles';
import { startResultExport } from '../export/ResultExport';
import { LiveQueries } from '../postgres/LiveQuery';
import { readServerCatalog } from '../postgres/ServerCatalog';
import { ChartService } from '../charts/ChartService';
import { MetricLevels } from '../charts/MetricLevels';
import { ServerCharts } from '../charts/ServerCharts';
import { chartAggregateChoices } from '../charts/ChartAggregates';
import { ReadOnlyStatements } from '../postgres/ReadOnlyStatements';
import { ChartFiles } from '../charts/ChartFiles';
import { PipelineDrafts } from '../pipelines/PipelineDrafts';
import { loadSample, sampleOptions } from '../pipelines/PreviewSample';
import { ReprocessingPreview } from '../preview/ReprocessingPreview';
import { encodeChartSeries } from '../../../shared/charts/chartArrow';

export interface WorkbenchContext {
  shell: 'electron' | 'web';
  appVersion: string;
  workspace: Workspace;
  jobs: JobRunner;
  connections: ConnectionProfiles;
  /** The shell's log (--verbose), for what goes wrong in the background. */
  log?: (line: string) => void;
}

export function createHandlers(ctx: WorkbenchContext): ApiHandlers {
  const { workspace, jobs, connections } = ctx;
  const log = ctx.log ?? (() => undefined);
  const saved = new SavedQueries(workspace.dir);
  const history = new QueryHistory(workspace.dir);
  const drafts = new PipelineDrafts(workspace.dir);
  const live = new LiveQueries({
    pool: () => workspace.postgres(),
    statementTimeoutMs: () => workspace.postgresStatementTimeoutMs(),
  });
  const levels = new MetricLevels({
    cacheDir: () => workspace.cacheDir,
    warehouse: () => workspace.warehouse(),
    log,
  });
  // Level files are never left half-written by a closing workspace.
  workspace.onClose(() => levels.stop());
  const charts = new ChartService(() => workspace.warehouse(), levels, log);
  // The cache a workspace opens with (e.g. the demo's) gets its chart levels once the workspace has
  // started: start-up (the demo's seeding among it) keeps the cores to itself.
  workspace.started
    .then(() => workspace.readyWarehouse())
    .then(
      () => levels.refreshAllLater(),
      () => undefined,
    );
  /** After a sync or push changed cached days: the views follow at once, the chart levels in the background. */
  const cacheChanged = async () => {
    await workspace.remountViews();
    levels.refreshAllLater();
  };
  /** Queries waiting for the warehouse to finish starting, by queryId: a cancel stops the wait. */
  const waiting = new Map<string, AbortController>();
  const readyWarehouse = async (queryId: string) => {
    const wait = new AbortController();
    waiting.set(queryId, wait);
    try {
      return await workspace.readyWarehouse(wait.signal);
    } finally {
      waiting.delete(queryId);
    }
  };
  const chartFiles = new ChartFiles(workspace.dir);
  const sync = new MetricSync({
    pool: () => workspace.postgres(),
    cacheDir: () => workspace.cacheDir,
    jobs,
    remountViews: cacheChanged,
  });
  const serverCharts = new ServerCharts({
    statements: new ReadOnlyStatements({
      pool: () => workspace.postgres(),
      statementTimeoutMs: () => workspace.postgresStatementTimeoutMs(),
    }),
    pool: () => workspace.postgres(),
    cached: charts,
    cachedDays: (selection) => sync.cachedDaysFor(selection.pipelineId, selection.metrics, selection.seriesIds),
    estimate: (selection) => sync.estimate(selection),
    aggregates: chartAggregateChoices,
  });
  const reprocessing = new ReprocessingPreview({
    warehouse: () => workspace.warehouse(),
    pool: () => workspace.postgres(),
    lake: () => workspace.lake(),
    cacheDir: () => workspace.cacheDir,
    jobs,
    remountViews: cacheChanged,
    serverConfig: (credentials) => workspace.pushClientConfig(credentials),
    serverInfo: () => {
      const p = workspace.status().postgres;
      return p && { host: p.host, port: p.port, database: p.database, embedded: p.embedded };
    },
    afterServerChange: (change) => sync.refreshAfterServerChange(change),
  });
  const inspector = new Inspector({
    target: () => lakeTarget(workspace.lake()),
    jobs,
    pipelines: () => readPipelines(workspace.postgres()),
    workspaceDir: workspace.dir,
    warehouse: () => workspace.warehouse(),
  });
  return {
    'app.info': async () => ({
      appVersion: ctx.appVersion,
      shell: ctx.shell,
      platform: process.platform,
      duckdbVersion: duckdbVersion(),
    }),
    'workspace.status': async () => workspace.status(),
    // During start-up a query waits for the views it may need (e.g. `metrics`) instead of failing on them.
    // Answers at the result's first chunk; the history records the whole run when it ends.
    'query.run': async ({ queryId, sql }) => {
      let answer = (_meta: QueryResultMeta): void => undefined;
      const answered = new Promise<QueryResultMeta>((resolve) => (answer = resolve));
      const recorded = recordRun(history, sql, async () => {
        const { meta, finished } = await (await readyWarehouse(queryId)).stream(queryId, sql);
        answer(meta);
        return finished;
      });
      // Fails the call when the query fails before its first chunk; a later failure reaches the chunk reads.
      const meta = await Promise.race([answered, recorded]);
      // A whole result is answered once its run is in the history, as before streaming.
      return meta.done === false ? meta : recorded;
    },
    'query.cancel': async ({ queryId }) => {
      const wait = waiting.get(queryId);
      if (wait) {
        wait.abort();
        return { cancelled: true };
      }
      return { cancelled: (await live.cancel(queryId)) || workspace.warehouse().cancel(queryId) };
    },
    // Live results are held by LiveQueries under `live-…` ids; the grid fetches both kinds the same way.
    'results.chunk': async ({ resultId, chunk }) =>
      LiveQueries.owns(resultId) ? live.resultChunk(resultId, chunk) : workspace.warehouse().takeChunk(resultId, chunk),
    // Live results arrive whole: only a warehouse result grows.
    'results.wait': async ({ resultId, knownChunks }) => workspace.warehouse().waitForResult(resultId, knownChunks),
    'results.release': async ({ resultId }) => ({
      released: LiveQueries.owns(resultId)
        ? live.releaseResult(resultId)
        : workspace.warehouse().releaseResult(resultId),
    }),
    'results.export': async (request) =>
      startResultExport(
        { workspaceDir: workspace.dir, timeZone: workspace.status().timeZone, warehouse: workspace.warehouse(), jobs },
        request,
      ),
    'catalog.get': async () => workspace.warehouse().catalog(),
    'catalog.functions': async () => ({ functions: await workspace.warehouse().functions() }),
    'queries.list': async () => ({ queries: await saved.list() }),
    'queries.read': async ({ name }) => saved.read(name),
    'queries.save': async ({ name, sql, createOnly }) => saved.save(name, sql, createOnly),
    'queries.delete': async ({ name }) => ({ deleted: await saved.delete(name) }),
    'queries.rename': async ({ from, to }) => saved.rename(from, to),
    'history.list': async ({ limit }) => ({ entries: await history.list(limit) }),
    'lake.list': async () => workspace.lake().list(),
    'pipelines.list': async () => ({ pipelines: await readPipelines(workspace.postgres()) }),
    'jobs.list': async () => ({ jobs: jobs.list() }),
    'jobs.cancel': async ({ jobId }) => ({ cancelled: jobs.cancel(jobId) }),
    'connections.list': async () => ({ profiles: await connections.list() }),
    'connections.save': async ({ profile, secret }) => connections.save(profile, secret),
    'connections.duplicate': async ({ id }) => connections.duplicate(id),
    'connections.delete': async ({ id }) => ({ deleted: await connections.delete(id) }),
    'workspace.setLake': async (setting) => workspace.setLake(setting),
    'lake.browse': async ({ prefix, token, limit }) => {
      const lake = workspace.lake();
      try {
        const result = await lake.browse(prefix, token ?? null, limit);
        if (lake.driver === 's3') workspace.noteStoreReachable(true);
        return result;
      } catch (err) {
        if (err instanceof WorkbenchError && (err.code === 'offline' || err.code === 'timeout')) {
          workspace.noteStoreReachable(false);
        }
        throw err;
      }
    },
    'lake.file': async ({ key, rows }) => workspace.lake().describeFile(key, rows),
    'cache.list': async () => {
      const cache = workspace.lake().cache;
      if (!cache) return { enabled: false, usage: { bytes: 0, files: 0, pinnedBytes: 0, quotaBytes: 0 }, entries: [] };
      const entries = await cache.list();
      return {
        enabled: true,
        usage: await cache.usage(),
        entries: entries.map(({ key, size, etag, state, pinned, downloadedAt, lastUsedAt }) => ({
          key,
          size,
          etag,
          state,
          pinned,
          downloadedAt,
          lastUsedAt,
        })),
      };
    },
    'cache.download': async ({ keys }) => ({ jobId: startCacheJob(ctx, keys, 'download') }),
    'cache.refresh': async ({ keys }) => ({ jobId: startCacheJob(ctx, keys, 'refresh') }),
    'cache.pin': async ({ keys }) => {
      await workspace.lake().requireCache().pin(keys);
      return { keys };
    },
    'cache.unpin': async ({ keys }) => {
      await workspace.lake().requireCache().unpin(keys);
      return { keys };
    },
    'cache.evict': async ({ keys }) => ({ evicted: await workspace.lake().requireCache().evict(keys) }),
    'cache.verify': async ({ keys }) => {
      const result = await workspace.lake().requireCache().verify(keys);
      return { ok: result.ok.length, corrupt: result.corrupt };
    },
    'cache.revalidate': async () => workspace.revalidate(),
    'server.catalog': async () => readServerCatalog(workspace.postgres()),
    'live.run': async ({ queryId, sql, maxRowsRead }) => live.run(queryId, sql, maxRowsRead),
    'live.cancel': async ({ queryId }) => ({ cancelled: await live.cancel(queryId) }),
    'sync.options': async () => sync.options(),
    'sync.series': async (input) => sync.series(input),
    'sync.estimate': async (selection) => sync.estimate(selection),
    'sync.start': async (selection) => ({ jobId: sync.start(selection).jobId }),
    'sync.status': async () => sync.status(),
    'sync.resyncStale': async ({ pipelineId }) => ({ jobId: (await sync.resyncStale(pipelineId))?.jobId ?? null }),
    'inspector.search': async (criteria) => inspector.search(criteria),
    'inspector.matches': async ({ searchId, offset, limit }) => inspector.matches(searchId, offset, limit),
    'inspector.record': async ({ key, row, neighbours }) => inspector.record(key, row, neighbours),
    'inspector.lineage': async (request) => inspector.lineage(request),
    'inspector.export': async ({ searchId, format, fileName }) => inspector.export(searchId, format, fileName),
    'chart.catalog': async () => ({ entries: await charts.catalog() }),
    'chart.seriesList': async (input) => charts.seriesList(input),
    'chart.series': async (input) =>
      encodeChartSeries(input.source === 'server' ? await serverCharts.series(input) : await charts.series(input)),
    'chart.serverExtent': async ({ pipelineId, metrics }) => serverCharts.extent(pipelineId, metrics),
    'chart.cancel': async ({ requestId }) => ({ cancelled: await serverCharts.cancel(requestId) }),
    'charts.list': async () => ({ charts: await chartFiles.list() }),
    'charts.read': async ({ name }) => chartFiles.read(name),
    'charts.save': async ({ name, spec }) => chartFiles.save(name, spec),
    'charts.delete': async ({ name }) => ({ deleted: await chartFiles.delete(name) }),
    'drafts.list': async () => ({ drafts: await drafts.list() }),
    'drafts.read': async ({ pipelineId }) => ({ draft: await drafts.read(pipelineId) }),
    'drafts.save': async (draft) => drafts.save(draft),
    'drafts.delete': async ({ pipelineId }) => ({ deleted: await drafts.delete(pipelineId) }),
    'preview.options': async ({ pipelineId }) => sampleOptions(workspace.warehouse(), pipelineId),
    'preview.sample': async (request) => loadSample(workspace.warehouse(), request),
    'preview.start': async (request) => reprocessing.start(request),
    'preview.result': async ({ previewId }) => reprocessing.result(previewId),
    'preview.series': async ({ previewId, seriesId, metricName }) =>
      reprocessing.series(previewId, seriesId, metricName),
    'push.plan': async ({ previewId, includeDefinition, credentials }) =>
      reprocessing.plan(previewId, includeDefinition, credentials),
    'push.run': async ({ previewId, ...options }) => reprocessing.startPush(previewId, options),
    'push.history': async ({ pipelineId, limit }) => ({ pushes: await reprocessing.history(pipelineId, limit) }),
    'push.undo': async ({ pushId, comment, credentials }) => reprocessing.startUndo(pushId, comment, credentials),
    'push.refreshAggregates': async ({ pushId, credentials }) =>
      reprocessing.startRefreshAggregates(pushId, credentials),
    'connections.test': async (input) => {
      // An unsaved profile is tested with the secret typed, or the saved one — only if it was saved
      // for this workspace and this very target (a changed host gets no password).
      const profile = 'id' in input ? await connections.get(input.id) : input.profile;
      const typed = 'id' in input ? undefined : input.secret;
      const saved =
        typed !== undefined && typed !== null ? { secret: typed, note: null } : await connections.secretFor(profile);
      const result =
        profile.kind === 'postgres' ? await testPostgres(profile, saved.secret) : await testS3(profile, saved.secret);
      return !result.ok && saved.note !== null ? { ...result, hint: saved.note } : result;
    },
  };
}

/** Downloads (or refreshes) lake files into the cache as a job with progress and cancel. */
function startCacheJob(ctx: WorkbenchContext, keys: string[], mode: 'download' | 'refresh'): string {
  const cache = ctx.workspace.lake().requireCache();
  const job = ctx.jobs.start({
    kind: `cache.${mode}`,
    title: `${mode === 'download' ? 'Caching' : 'Refreshing'} ${keys.length} Bronze file${keys.length === 1 ? '' : 's'}`,
    unit: 'bytes',
    run: async (job) => {
      const options = {
        signal: job.signal,
        onProgress: (p: {
          files: number;
          filesDone: number;
          bytes: number;
          bytesDone: number;
          bytesPerSecond: number;
          secondsLeft: number | null;
        }) =>
          job.progress(
            p.bytesDone,
            p.bytes,
            `${p.filesDone}/${p.files} files · ${formatBytes(p.bytesPerSecond)}/s` +
              (p.secondsLeft === null ? '' : ` · ${Math.ceil(p.secondsLeft)} s left`),
          ),
      };
      try {
        const result = mode === 'download' ? await cache.download(keys, options) : await cache.refresh(keys, options);
        ctx.workspace.noteStoreReachable(true);
        return result;
      } catch (err) {
        if (err instanceof WorkbenchError && (err.code === 'offline' || err.code === 'timeout')) {
          ctx.workspace.noteStoreReachable(false);
        }
        throw err;
      } finally {
        // The job ends once queries can see what it cached: `bronze.<pipeline>` views follow the files.
        await ctx.workspace.remountViews().catch(() => undefined);
      }
    },
  });
  return job.jobId;
}

export type DispatchResult = { ok: true; result: unknown } | { ok: false; error: ApiErrorBody; status: number };

function toErrorBody(thrown: unknown): { error: ApiErrorBody; status: number } {
  // A file-system failure (disk full, read-only, no permission) names its file and what to do, not errno text.
  const err = fromSystemError(thrown) ?? thrown;
  if (err instanceof WorkbenchError) {
    // The table (and why a remote's failure is never 401) lives with the codes in shared/errors.
    const status = HTTP_STATUS_BY_CODE[err.code];
    return { error: { code: err.code, message: err.message, ...(err.hint ? { hint: err.hint } : {}) }, status };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { error: { code: 'internal', message }, status: HTTP_STATUS_BY_CODE.internal };
}

function describeZod(err: ZodError): string {
  return err.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
}

export class WorkbenchApi {
  constructor(private readonly handlers: ApiHandlers) {}

  async dispatch(method: unknown, input: unknown): Promise<DispatchResult> {
    try {
      if (!isApiMethod(method)) {
        throw new WorkbenchError('unknown_method', `Unknown API method: ${String(method).slice(0, 80)}`);
      }
      const parsed = api[method].input.safeParse(input ?? {});
      if (!parsed.success) {
        throw new WorkbenchError('bad_request', `Invalid input for ${method}: ${describeZod(parsed.error)}`);
      }
      const result = await this.call(method, parsed.data);
      return { ok: true, result };
    } catch (err) {
      return { ok: false, ...toErrorBody(err) };
    }
  }

  private call<M extends ApiMethod>(method: M, input: unknown): Promise<unknown> {
    const handler = this.handlers[method] as (input: unknown) => Promise<unknown>;
    return handler(input);
  }
}

/** Fans workspace and job changes out as API events. */
export function subscribeEvents(ctx: WorkbenchContext, emit: (event: ApiEvent) => void): () => void {
  const offJobs = ctx.jobs.onChange((job) => emit({ type: 'job', job }));
  const offWorkspace = ctx.workspace.onChange((status) => emit({ type: 'workspace', status }));
  const offCache = ctx.workspace.onCacheChange((usage) => emit({ type: 'cache', usage }));
  return () => {
    offJobs();
    offWorkspace();
    offCache();
  };
}
