import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import type pg from 'pg';
import { afterAll, beforeAll, expect } from 'vitest';
import { startWorkbenchApp, type WorkbenchApp } from '../../src/main/services/WorkbenchApp';
import {
  api,
  type ApiEvent,
  type ApiInput,
  type ApiMethod,
  type ApiOutput,
  type JobSnapshot,
} from '../../src/shared/api/contract';
import type { TestServersInfo } from '../setup/TestServers';

/** Calls the API the way a transport does, and checks the reply against the contract. */
export async function callApi<M extends ApiMethod>(
  app: WorkbenchApp,
  method: M,
  input: ApiInput<M>,
): Promise<ApiOutput<M>> {
  const reply = await app.api.dispatch(method, input);
  if (!reply.ok) throw new Error(`${method}: ${reply.error.code}: ${reply.error.message}`);
  const parsed = api[method].output.safeParse(reply.result);
  expect(parsed.success, `${method} reply matches the contract`).toBe(true);
  return reply.result as ApiOutput<M>;
}

/**
 * Runs `sql` as the SQL tab does and reads its whole result, following it while it
 * grows (a big result answers at its small first chunk): every row, and the final count.
 */
export async function queryRows(
  app: WorkbenchApp,
  sql: string,
  queryId: string,
): Promise<{ rowCount: number; rows: Record<string, unknown>[] }> {
  const meta = await callApi(app, 'query.run', { sql, queryId });
  let growth = { rowCount: meta.rowCount, chunkCount: meta.chunkCount, done: meta.done ?? true };
  const rows: Record<string, unknown>[] = [];
  for (let chunk = 0; ; chunk++) {
    while (chunk >= growth.chunkCount && !growth.done) {
      growth = await callApi(app, 'results.wait', { resultId: meta.resultId, knownChunks: growth.chunkCount });
    }
    if (chunk >= growth.chunkCount) break;
    const bytes = await callApi(app, 'results.chunk', { resultId: meta.resultId, chunk });
    for (const row of tableFromIPC(bytes)) rows.push(row.toJSON() as Record<string, unknown>);
  }
  await callApi(app, 'results.release', { resultId: meta.resultId });
  return { rowCount: growth.rowCount, rows };
}

/** Resolves with the job's snapshot once it has finished, whichever way. */
export function finishedJob(app: WorkbenchApp, jobId: string): Promise<JobSnapshot> {
  return new Promise((resolve) => {
    const check = (job: JobSnapshot | undefined) => {
      if (job?.jobId === jobId && job.finishedAt !== null) {
        off();
        resolve(job);
      }
    };
    const off = app.jobs.onChange(check);
    check(app.jobs.get(jobId));
  });
}

/** Saves a connection profile for the bucket's Bronze lake (under `bronze/`), its secret in the secret store. */
export async function saveBucketConnection(
  app: WorkbenchApp,
  id: string,
  name: string,
  store: TestServersInfo['s3'],
): Promise<void> {
  await callApi(app, 'connections.save', {
    profile: {
      kind: 's3',
      id,
      name,
      endpoint: store.endpoint,
      bucket: store.bucket,
      region: 'auto',
      prefix: 'bronze/',
      accessKeyId: store.accessKeyId,
    },
    secret: store.secretAccessKey,
  });
}

export interface DemoAppOptions {
  /** The workspace folder; by default `dir` itself. */
  workspaceDir?: string;
  /** Subscribed before the workspace starts, so it sees every start-up event. */
  onEvent?: (event: ApiEvent) => void;
}

/**
 * Starts the app as the browser shell does, on a tiny demo workspace, and
 * waits until the workspace is ready. The app's own files (the secrets key)
 * go to `<dir>/app-data`, never to the user's home.
 */
export async function startDemoApp(dir: string, options: DemoAppOptions = {}): Promise<WorkbenchApp> {
  const app = await startWorkbenchApp({
    workspaceDir: options.workspaceDir ?? dir,
    shell: 'web',
    appVersion: '0.0.0-test',
    demoSize: 'tiny',
    secretsDir: join(dir, 'app-data'),
  });
  if (options.onEvent) app.subscribe(options.onEvent);
  await app.workspace.started;
  return app;
}

/** The started demo app of one describe block, and the temporary folder it works in. */
export interface DemoApp {
  readonly dir: string;
  readonly app: WorkbenchApp;
}

/**
 * Starts a demo app in a fresh temporary folder (named `<prefix>…`) before
 * the enclosing describe block's tests, and closes it and removes the folder
 * after them. Call it inside `describe`; `dir` and `app` are there from the
 * tests (and later hooks) on.
 */
export function useDemoApp(prefix: string, options: Omit<DemoAppOptions, 'workspaceDir'> = {}): DemoApp {
  let dir: string | undefined;
  let app: WorkbenchApp | undefined;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), prefix));
    app = await startDemoApp(dir, options);
  });
  afterAll(async () => {
    await app?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  return {
    get dir() {
      if (dir === undefined) throw new Error('the demo app starts in beforeAll: use it from a test or a later hook');
      return dir;
    },
    get app() {
      if (app === undefined) throw new Error('the demo app starts in beforeAll: use it from a test or a later hook');
      return app;
    },
  };
}

/**
 * The demo server's superuser, for a test that plays another writer or an administrator: the app
 * itself explores and pushes as the documented roles, never as this one.
 */
export async function demoServerAdmin(app: WorkbenchApp): Promise<pg.ClientConfig> {
  const file = join(app.workspace.dir, 'postgres', 'dash-workbench-credentials.json');
  const { user, password } = JSON.parse(await readFile(file, 'utf8')) as { user: string; password: string };
  const { host, port, database } = app.workspace.pushClientConfig('read-only');
  return { host, port, database, user, password };
}
