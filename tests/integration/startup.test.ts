/**
 * A demo workspace while it starts: a query asked for early waits for the
 * warehouse's views instead of failing on them, start-up shows as one progress
 * that only goes forward, and a start-up stopped half-way resumes.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkbenchApp, type WorkbenchApp } from '../../src/main/services/WorkbenchApp';
import type { ApiEvent, WorkspaceStatus } from '../../src/shared/api/contract';
import { callApi, queryRows } from '../support/api';

const SAMPLE = 'SELECT pipeline_id, count(*)::INTEGER AS n FROM metrics GROUP BY ALL ORDER BY ALL';

function openApp(dir: string): Promise<WorkbenchApp> {
  return startWorkbenchApp({
    workspaceDir: dir,
    shell: 'web',
    appVersion: '0.0.0-test',
    demoSize: 'tiny',
    secretsDir: join(dir, 'app-data'),
  });
}

async function rowsOf(app: WorkbenchApp, sql: string, queryId: string): Promise<Record<string, unknown>[]> {
  return (await queryRows(app, sql, queryId)).rows;
}

describe('a demo workspace while it starts', () => {
  let dir: string;
  let app: WorkbenchApp | undefined;
  const statuses: WorkspaceStatus[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dash-startup-'));
    app = await openApp(dir);
    app.subscribe((event: ApiEvent) => {
      if (event.type === 'workspace') statuses.push(event.status);
    });
  });

  afterAll(async () => {
    await app?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('runs the sample query asked for before the warehouse is ready, once its views exist; a cancel stops the wait', async () => {
    const a = app!;
    expect(a.workspace.status().phases.find((p) => p.id === 'warehouse')!.state).not.toBe('ready');
    // Cancelled while it waits: the answer says so.
    const waiting = a.api.dispatch('query.run', { queryId: 'early-cancelled', sql: SAMPLE });
    expect(await callApi(a, 'query.cancel', { queryId: 'early-cancelled' })).toEqual({ cancelled: true });
    expect(await waiting).toMatchObject({ ok: false, error: { code: 'cancelled' } });

    // Not "Table with name metrics does not exist", nor "still starting": the rows.
    const rows = await rowsOf(a, SAMPLE, 'early');
    expect(a.workspace.status().phases.find((p) => p.id === 'warehouse')!.state).toBe('ready');
    expect(rows.map((r) => r.pipeline_id)).toEqual(['energy_meters', 'payment_events', 'temperature_sensors']);
    expect(rows.every((r) => Number(r.n) > 0)).toBe(true);
  });

  it('reports one start-up progress that only goes forward, with the time left, and none once ready', async () => {
    await app!.workspace.started;
    const during = statuses.filter((s) => s.startup !== null);
    expect(during.length).toBeGreaterThan(2);
    const percents = during.map((s) => s.startup!.percent);
    expect(percents).toEqual([...percents].sort((x, y) => x - y));
    expect(percents.at(-1)).toBeGreaterThanOrEqual(50);
    expect(during.some((s) => typeof s.startup!.secondsLeft === 'number')).toBe(true);
    expect(during.every((s) => s.startup!.step.length > 0)).toBe(true);
    // While the server loads, the warehouse is ready already: the cache does not wait for PostgreSQL.
    expect(
      during.some((s) => s.phases.find((p) => p.id === 'warehouse')!.state === 'ready' && s.state !== 'ready'),
    ).toBe(true);
    const last = statuses.at(-1)!;
    expect(last.state).toBe('ready');
    expect(last.startup).toBeNull();
    expect(app!.workspace.status().startup).toBeNull();
  });
});

describe('a demo start-up stopped while it loads PostgreSQL', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dash-startup-resume-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('resumes on the next open: the lake and cache are kept, the server is loaded and agrees with the cache', async () => {
    const first = await openApp(dir);
    const generated: string[] = [];
    first.jobs.onChange((job) => {
      if (job.state === 'running' && job.kind === 'demo.seed') first.jobs.cancel(job.jobId);
      if (job.state === 'succeeded') generated.push(job.kind);
    });
    await first.workspace.started;
    const stopped = first.workspace.status();
    expect(stopped.phases.find((p) => p.id === 'postgres')!.state).toBe('failed');
    expect(stopped.phases.find((p) => p.id === 'warehouse')!.state).toBe('ready');
    expect(stopped.startup).toBeNull();
    expect(generated).toEqual(expect.arrayContaining(['demo.generate', 'demo.metrics']));
    await first.close();

    const again = await openApp(dir);
    const rerun: string[] = [];
    again.jobs.onChange((job) => {
      if (job.state === 'running') rerun.push(job.kind);
    });
    try {
      await again.workspace.started;
      expect(again.workspace.status().state).toBe('ready');
      expect(rerun).not.toContain('demo.generate');
      expect(rerun).not.toContain('demo.metrics');
      const local = await rowsOf(again, SAMPLE, 'after-resume');
      const server = await again.workspace
        .postgres()
        .query<{ pipeline_id: string; n: number }>(
          'SELECT pipeline_id, count(*)::int AS n FROM dash.pipeline_metrics GROUP BY 1 ORDER BY 1',
        );
      expect(server.rows.map((r) => [r.pipeline_id, r.n])).toEqual(local.map((r) => [r.pipeline_id, r.n]));
    } finally {
      await again.close();
    }
  });
});
