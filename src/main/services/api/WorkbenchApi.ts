/**
 * The Node-side implementation of the API contract, shared by both shells.
 * `dispatch` is the single entry point a transport calls: it validates the
 * method and input, runs the handler and turns every failure into an
 * `ApiErrorBody` — a bad message never crashes the app.
 */
import { version as duckdbVersion } from '@duckdb/node-api';
import { ZodError } from 'zod';
import { api, isApiMethod, type ApiErrorBody, type ApiEvent, type ApiMethod } from '../../../shared/api/contract';
import type { ApiHandlers } from '../../../shared/api/handlers';
import { WorkbenchError } from '../../../shared/errors';
import type { JobRunner } from '../jobs/JobRunner';
import type { Workspace } from '../workspace/Workspace';
import { readPipelines } from '../postgres/Pipelines';

export interface WorkbenchContext {
  shell: 'electron' | 'web';
  appVersion: string;
  workspace: Workspace;
  jobs: JobRunner;
}

export function createHandlers(ctx: WorkbenchContext): ApiHandlers {
  const { workspace, jobs } = ctx;
  return {
    'app.info': async () => ({
      appVersion: ctx.appVersion,
      shell: ctx.shell,
      platform: process.platform,
      duckdbVersion: duckdbVersion(),
    }),
    'workspace.status': async () => workspace.status(),
    'query.run': async ({ queryId, sql }) => workspace.warehouse().query(queryId, sql),
    'query.cancel': async ({ queryId }) => ({ cancelled: workspace.warehouse().cancel(queryId) }),
    'results.chunk': async ({ resultId, chunk }) => workspace.warehouse().resultChunk(resultId, chunk),
    'results.release': async ({ resultId }) => ({ released: workspace.warehouse().releaseResult(resultId) }),
    'catalog.get': async () => workspace.warehouse().catalog(),
    'lake.list': async () => workspace.lake.list(),
    'pipelines.list': async () => ({ pipelines: await readPipelines(workspace.postgres()) }),
    'jobs.list': async () => ({ jobs: jobs.list() }),
    'jobs.cancel': async ({ jobId }) => ({ cancelled: jobs.cancel(jobId) }),
  };
}

export type DispatchResult = { ok: true; result: unknown } | { ok: false; error: ApiErrorBody; status: number };

function toErrorBody(err: unknown): { error: ApiErrorBody; status: number } {
  if (err instanceof WorkbenchError) {
    const status =
      err.code === 'bad_request' || err.code === 'unknown_method'
        ? 400
        : err.code === 'not_found'
          ? 404
          : err.code === 'unauthorized'
            ? 401
            : err.code === 'not_ready' || err.code === 'unavailable'
              ? 503
              : err.code === 'query_failed' || err.code === 'cancelled'
                ? 422
                : 500;
    return { error: { code: err.code, message: err.message, ...(err.hint ? { hint: err.hint } : {}) }, status };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { error: { code: 'internal', message }, status: 500 };
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
  return () => {
    offJobs();
    offWorkspace();
  };
}
