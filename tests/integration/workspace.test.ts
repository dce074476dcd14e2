import { chmod, lstat, mkdtemp, readFile, readlink, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT_DATA_HOME } from '../../src/main/services/postgres/rootDataFolder';
import type { WorkbenchApp } from '../../src/main/services/WorkbenchApp';
import type { ApiEvent } from '../../src/shared/api/contract';
import { callApi, demoServerAdmin, startDemoApp, useDemoApp } from '../support/api';
import { createDocumentedRoles } from '../support/contractRoles';

const call = callApi;

describe('the demo workspace behind the API', () => {
  const events: ApiEvent[] = [];
  const demo = useDemoApp('dash-ws-', { onEvent: (event) => events.push(event) });

  it('starts every phase and reports it', async () => {
    const status = (await call(demo.app, 'workspace.status', {})) as {
      state: string;
      postgres: { mode: string; embedded: boolean };
    };
    expect(status.state).toBe('ready');
    expect(status.postgres).toMatchObject({ mode: 'plain', embedded: true });
    expect(events.some((e) => e.type === 'workspace' && e.status.state === 'ready')).toBe(true);
    expect(events.some((e) => e.type === 'job' && e.job.kind === 'demo.generate' && e.job.state === 'succeeded')).toBe(
      true,
    );
    const config = JSON.parse(await readFile(join(demo.dir, 'workspace.json'), 'utf8')) as Record<string, unknown>;
    expect(JSON.stringify(config)).not.toMatch(/password/i);
  });

  it('numbers every status change, so a client can tell an older status from a newer one', async () => {
    const statuses = events.flatMap((e) => (e.type === 'workspace' ? [e.status] : []));
    expect(statuses.length).toBeGreaterThan(3);
    expect(new Set(statuses.map((s) => s.run)).size).toBe(1);
    for (const [i, status] of statuses.entries()) {
      if (i === 0) continue;
      const before = statuses[i - 1]!;
      const { run: _run, revision, ...said } = status;
      const { run: _before, revision: beforeRevision, ...saidBefore } = before;
      // A new revision exactly when what the status says changed.
      expect(revision).toBe(JSON.stringify(said) === JSON.stringify(saidBefore) ? beforeRevision : beforeRevision + 1);
    }
    const now = demo.app.workspace.status();
    expect(demo.app.workspace.status().revision).toBe(now.revision);
    expect(now.revision).toBeGreaterThanOrEqual(statuses.at(-1)!.revision);
    expect(now.run).toBe(statuses[0]!.run);
  });

  it('lists the lake, the catalog and the server’s pipelines', async () => {
    const lake = (await call(demo.app, 'lake.list', {})) as { pipelines: { pipelineId: string; days: number }[] };
    expect(lake.pipelines.map((p) => p.pipelineId)).toEqual(['energy_meters', 'payment_events', 'temperature_sensors']);
    expect(lake.pipelines.every((p) => p.days >= 30)).toBe(true);
    const catalog = (await call(demo.app, 'catalog.get', {})) as { relations: { schema: string; name: string }[] };
    const names = catalog.relations.map((r) => `${r.schema}.${r.name}`);
    expect(names).toEqual(
      expect.arrayContaining(['main.metrics', 'bronze.energy_meters', 'bronze.temperature_sensors']),
    );
    const pipelines = (await call(demo.app, 'pipelines.list', {})) as {
      pipelines: { id: string; problem: string | null }[];
    };
    expect(pipelines.pipelines).toHaveLength(3);
    expect(pipelines.pipelines.every((p) => p.problem === null)).toBe(true);
  });

  it('runs a query over the cached metrics that matches the server’s metrics', async () => {
    const meta = (await call(demo.app, 'query.run', {
      queryId: 'it-1',
      sql: 'SELECT pipeline_id, count(*)::INTEGER AS n, sum(value) AS total FROM metrics GROUP BY ALL ORDER BY ALL',
    })) as { resultId: string; chunkCount: number; rowCount: number };
    expect(meta.rowCount).toBe(3);
    const bytes = (await call(demo.app, 'results.chunk', { resultId: meta.resultId, chunk: 0 })) as Uint8Array;
    const local = tableFromIPC(bytes)
      .toArray()
      .map((r) => r.toJSON());
    const server = await demo.app.workspace
      .postgres()
      .query<{ pipeline_id: string; n: number; total: number }>(
        'SELECT pipeline_id, count(*)::int AS n, sum(value) AS total FROM dash.pipeline_metrics GROUP BY 1 ORDER BY 1',
      );
    expect(local.map((r) => [r.pipeline_id, r.n])).toEqual(server.rows.map((r) => [r.pipeline_id, r.n]));
    local.forEach((r, i) => expect(r.total).toBeCloseTo(server.rows[i]!.total, 6));
  });

  it('keeps exploration read-only on the server', async () => {
    await expect(demo.app.workspace.postgres().query('DELETE FROM dash.pipeline_metrics')).rejects.toThrow(/read-only/);
  });

  it('turns bad calls into clear errors', async () => {
    const bad = await demo.app.api.dispatch('query.run', { sql: 'SELEC 1', queryId: 'it-2' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'query_failed' } });
    const unknownResult = await demo.app.api.dispatch('results.chunk', { resultId: 'result-gone', chunk: 0 });
    expect(unknownResult).toMatchObject({ ok: false, error: { code: 'not_found', hint: 'Run the query again.' } });
  });
});

describe('the demo server behind the API, explored as a role that is not a superuser', () => {
  const demo = useDemoApp('dash-ws-roles-');

  async function liveRows(sql: string): Promise<Record<string, unknown>[]> {
    const meta = await call(demo.app, 'live.run', { queryId: `it-live-${Math.random()}`, sql });
    const rows: Record<string, unknown>[] = [];
    for (let chunk = 0; chunk < meta.chunkCount; chunk++) {
      const bytes = (await call(demo.app, 'results.chunk', { resultId: meta.resultId, chunk })) as Uint8Array;
      for (const row of tableFromIPC(bytes)) rows.push(row.toJSON() as Record<string, unknown>);
    }
    return rows;
  }

  it('refuses a live query the server keeps for superusers, and runs the demo’s own queries', async () => {
    for (const sql of ["SELECT pg_read_file('/etc/hostname')", "SELECT * FROM pg_ls_dir('.')"]) {
      const refused = await demo.app.api.dispatch('live.run', { queryId: 'it-superuser', sql });
      expect(refused.ok).toBe(false);
      expect(refused.ok ? '' : refused.error.message).toMatch(/permission denied for function pg_(read_file|ls_dir)/);
    }
    expect(await liveRows('SELECT current_user AS who, rolsuper FROM pg_roles WHERE rolname = current_user')).toEqual([
      { who: 'dash_reader', rolsuper: false },
    ]);
    const counts = await liveRows(
      'SELECT pipeline_id, count(*)::int AS n FROM dash.pipeline_metrics GROUP BY 1 ORDER BY 1',
    );
    expect(counts.map((r) => r.pipeline_id)).toEqual(['energy_meters', 'payment_events', 'temperature_sensors']);
    expect(counts.every((r) => Number(r.n) > 0)).toBe(true);
  });

  it('pushes as the documented write role, with exactly the documented grants', async () => {
    const push = new pg.Client(demo.app.workspace.pushClientConfig('embedded'));
    await push.connect();
    try {
      const { rows } = await push.query<{ who: string; rolsuper: boolean }>(
        'SELECT current_user AS who, rolsuper FROM pg_roles WHERE rolname = current_user',
      );
      expect(rows).toEqual([{ who: 'dash_pusher', rolsuper: false }]);
    } finally {
      await push.end();
    }
    // Compared, as the server's superuser, with roles made from docs/data-contract.md itself.
    const admin = new pg.Client(await demoServerAdmin(demo.app));
    await admin.connect();
    try {
      const documented = await createDocumentedRoles(admin);
      const grants = async (role: string) =>
        (
          await admin.query<{ g: string }>(
            `SELECT table_schema || '.' || table_name || ' ' || privilege_type AS g
             FROM information_schema.table_privileges WHERE grantee = $1 ORDER BY 1`,
            [role],
          )
        ).rows.map((r) => r.g);
      expect(await grants('dash_reader')).toEqual(await grants(documented.reader.user));
      expect(await grants('dash_pusher')).toEqual(await grants(documented.pusher.user));
      expect(await grants('dash_reader')).toContain('dash.pipeline_metrics SELECT');
    } finally {
      await admin.end();
    }
  });
});

describe('opening a workspace whose parent folder only its owner may enter', () => {
  const asRoot = process.getuid?.() === 0;
  let parent: string;
  let app: WorkbenchApp | undefined;

  beforeAll(async () => {
    parent = await mkdtemp(join(tmpdir(), 'dash-ws-private-'));
    await chmod(parent, 0o700);
  });

  afterAll(async () => {
    await app?.close();
    // As root the data lives in the app's own folder; the workspace links to it.
    const data = await readlink(join(parent, 'ws', 'postgres')).catch(() => null);
    if (data?.startsWith(`${ROOT_DATA_HOME}/`)) await rm(data, { recursive: true, force: true });
    await rm(parent, { recursive: true, force: true });
  });

  it(
    asRoot
      ? 'as root, changes no folder above it: the server runs as postgres from the app’s own folder'
      : 'changes no folder above it (not root here: PostgreSQL runs as this user, so only that path is checked)',
    async () => {
      const above = [parent, ...parentsOf(parent)];
      const before = await Promise.all(above.map(async (dir) => (await stat(dir)).mode));
      app = await startDemoApp(parent, { workspaceDir: join(parent, 'ws') });
      expect(app.workspace.status().state).toBe('ready');
      expect(await Promise.all(above.map(async (dir) => (await stat(dir)).mode))).toEqual(before);
      const dataDir = join(parent, 'ws', 'postgres');
      if (asRoot) {
        const target = await readlink(dataDir);
        expect(target.startsWith(`${ROOT_DATA_HOME}/`)).toBe(true);
        expect((await stat(ROOT_DATA_HOME)).mode & 0o777).toBe(0o711);
      } else {
        expect((await lstat(dataDir)).isDirectory()).toBe(true);
      }
      const meta = await call(app, 'live.run', {
        queryId: 'it-private',
        sql: 'SELECT count(*)::int AS n FROM dash.pipelines',
      });
      expect(meta.rowCount).toBe(1);

      // The next start finds the same data.
      await app.close();
      app = await startDemoApp(parent, { workspaceDir: join(parent, 'ws') });
      expect(app.workspace.status().state).toBe('ready');
      expect(await Promise.all(above.map(async (dir) => (await stat(dir)).mode))).toEqual(before);
    },
  );
});

function parentsOf(dir: string): string[] {
  const out: string[] = [];
  for (let d = dir; dirname(d) !== d; d = dirname(d)) out.push(dirname(d));
  return out;
}
