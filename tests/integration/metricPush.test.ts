/**
 * Pushing recomputed metrics to a real PostgreSQL: exact, audited, refused when
 * the pipeline or its metrics changed since the preview, unharmed by a server
 * that goes away mid-push, never applied twice, and undoable.
 */
import { createHash, randomUUID } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { PipelineDefinition } from '../../src/shared/api/contract';
import { applyMigrations, migrationsDir } from '../../src/main/services/postgres/Migrations';
import {
  MetricPush,
  rangeChecksum,
  type IncomingRows,
  type PushRange,
  type PushRequest,
} from '../../src/main/services/push/MetricPush';
import { createDocumentedRoles } from '../support/contractRoles';
import { createTestDatabase } from '../support/postgres';

const PIPELINE = 'meters';
const DAYS = ['2026-10-01', '2026-10-02', '2026-10-03'];
const SERIES = Array.from({ length: 6 }, (_, i) => `m-${String(i).padStart(2, '0')}`);
const METRICS = ['power', 'energy'];
const STEP_MS = 15 * 60_000;
const V1: PipelineDefinition = {
  source: 'bronze/meters/',
  filter: null,
  metrics: [
    { name: 'power', formula: 'value', unit: 'kW' },
    { name: 'energy', formula: 'value / 4', unit: 'kWh' },
  ],
};
const V2: PipelineDefinition = {
  ...V1,
  metrics: [V1.metrics[0]!, { name: 'energy', formula: 'value / 2', unit: 'kWh' }],
};

interface Row {
  time: string;
  series: string;
  metric: string;
  value: number;
}

/** ISO-8601 UTC with microseconds, as the checksum writes times. */
const isoMicros = (ms: number) => new Date(ms).toISOString().replace('Z', '000Z');

function rowsOf(days: string[], value: (series: number, metric: number, slot: number) => number): Row[] {
  const rows: Row[] = [];
  for (const day of days) {
    const start = Date.parse(`${day}T00:00:00Z`);
    for (let slot = 0; slot < 96; slot++) {
      SERIES.forEach((series, s) =>
        METRICS.forEach((metric, m) =>
          rows.push({ time: isoMicros(start + slot * STEP_MS), series, metric, value: value(s, m, slot) }),
        ),
      );
    }
  }
  return rows;
}

/** The contract's checksum, computed here independently of the server. */
function checksumOf(rows: Row[]): string {
  const sorted = [...rows].sort((a, b) =>
    a.metric !== b.metric
      ? a.metric < b.metric
        ? -1
        : 1
      : a.series !== b.series
        ? a.series < b.series
          ? -1
          : 1
        : a.time < b.time
          ? -1
          : a.time > b.time
            ? 1
            : 0,
  );
  const text = sorted.map((r) => `${r.metric}\t${r.series}\t${r.time}\t${r.value}\n`).join('');
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

const range = (from: string, to: string): PushRange => ({
  start: `${from}T00:00:00.000Z`,
  end: `${to}T00:00:00.000Z`,
});

/** What the preview counts for a plan: recomputed rows per UTC day and metric, and those outside the range. */
function incomingOf(rows: Row[], r: PushRange): IncomingRows {
  const perDay = new Map<string, { day: string; metricName: string; rows: number }>();
  let outsideRange = 0;
  for (const row of rows) {
    const t = Date.parse(row.time);
    if (t < Date.parse(r.start) || t >= Date.parse(r.end)) outsideRange++;
    const key = `${row.time.slice(0, 10)}|${row.metric}`;
    const cell = perDay.get(key) ?? { day: row.time.slice(0, 10), metricName: row.metric, rows: 0 };
    cell.rows++;
    perDay.set(key, cell);
  }
  return { perDay: [...perDay.values()], outsideRange };
}

describe('MetricPush against a real PostgreSQL', () => {
  let config: pg.ClientConfig;
  let admin: pg.Client;
  let dir: string;
  let push: MetricPush;
  const original = rowsOf(DAYS, (s, m, slot) => s * 10 + m + slot / 4);

  const connect = async () => {
    const client = new pg.Client(config);
    await client.connect();
    return client;
  };

  async function rowsFile(rows: Row[]): Promise<string> {
    const file = join(dir, `${randomUUID()}.tsv`);
    await writeFile(file, rows.map((r) => `${r.time}\t${r.series}\t${r.metric}\t${r.value}\n`).join(''));
    return file;
  }

  async function serverRows(where = 'TRUE'): Promise<Row[]> {
    const { rows } = await admin.query<{ time: string; series_id: string; metric_name: string; value: number }>(
      `SELECT to_char(time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS time, series_id, metric_name, value
       FROM dash.pipeline_metrics WHERE pipeline_id = $1 AND ${where}`,
      [PIPELINE],
    );
    return rows.map((r) => ({ time: r.time, series: r.series_id, metric: r.metric_name, value: r.value }));
  }

  async function version(): Promise<number> {
    const { rows } = await admin.query<{ version: number }>('SELECT version FROM dash.pipelines WHERE id = $1', [
      PIPELINE,
    ]);
    return rows[0]!.version;
  }

  /** The server reset to version 1 and the original rows, with no pushes. */
  async function reset(): Promise<void> {
    await admin.query('TRUNCATE dash.metric_push_replaced_rows, dash.metric_pushes, dash.pipeline_metrics');
    await admin.query('DELETE FROM dash.pipeline_versions');
    await admin.query('DELETE FROM dash.pipelines');
    await admin.query(
      `INSERT INTO dash.pipelines (id, name, version, definition, updated_by) VALUES ($1, 'Meters', 1, $2, 'seed')`,
      [PIPELINE, JSON.stringify(V1)],
    );
    await admin.query(
      `INSERT INTO dash.pipeline_versions (pipeline_id, version, definition, updated_by) VALUES ($1, 1, $2, 'seed')`,
      [PIPELINE, JSON.stringify(V1)],
    );
    await admin.query(
      `INSERT INTO dash.pipeline_metrics (time, pipeline_id, series_id, metric_name, value)
       SELECT t::timestamptz, $1, s, m, v FROM unnest($2::text[], $3::text[], $4::text[], $5::float8[]) AS x(t, s, m, v)`,
      [
        PIPELINE,
        original.map((r) => r.time),
        original.map((r) => r.series),
        original.map((r) => r.metric),
        original.map((r) => r.value),
      ],
    );
  }

  /** What a preview would have: the server's checksum of the range now. */
  async function preview(r: PushRange): Promise<string> {
    const client = await connect();
    try {
      return (await rangeChecksum(client, PIPELINE, r)).checksum;
    } finally {
      await client.end();
    }
  }

  /**
   * A push of the rows in `file` over `r` against version 1, with the server's
   * checksum now as the preview's; tests override what they are about.
   */
  async function pushRequest(r: PushRange, file: string, overrides: Partial<PushRequest> = {}): Promise<PushRequest> {
    return {
      pushId: randomUUID(),
      pipelineId: PIPELINE,
      baseVersion: 1,
      definition: V2,
      range: r,
      expectedChecksum: await preview(r),
      rowsFile: file,
      pushedBy: 'tester',
      comment: null,
      ...overrides,
    };
  }

  const undoRequest = (undoOf: string, pushId: string = randomUUID()) => ({
    pushId,
    undoOf,
    pushedBy: 'tester',
    comment: null,
  });

  beforeAll(async () => {
    const servers = inject('servers');
    config = await createTestDatabase(servers.postgres, 'push');
    admin = await connect();
    await applyMigrations(admin);
    dir = await mkdtemp(join(tmpdir(), 'dash-push-'));
    push = new MetricPush(connect);
  });

  afterAll(async () => {
    await admin?.end();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('plans per metric per day, then pushes exactly: the range replaced, the rest untouched, the audit row right', async () => {
    await reset();
    const r = range('2026-10-02', '2026-10-03');
    // The draft drops the first hour of energy and doubles the rest.
    const recomputed = rowsOf(['2026-10-02'], (s, m, slot) => (s * 10 + m + slot / 4) * 2).filter(
      (row) => !(row.metric === 'energy' && row.time < '2026-10-02T01'),
    );
    const file = await rowsFile(recomputed);

    const plan = await push.plan({
      pipelineId: PIPELINE,
      baseVersion: 1,
      definition: V2,
      range: r,
      incoming: incomingOf(recomputed, r),
    });
    expect(plan).toMatchObject({
      serverVersion: 1,
      newVersion: 2,
      mode: 'plain',
      warnings: [],
      chunks: [],
      missingGrants: [],
      continuousAggregates: [],
    });
    expect(plan.days).toEqual([
      { day: '2026-10-02', metricName: 'energy', rowsToDelete: 96 * 6, rowsToInsert: 92 * 6 },
      { day: '2026-10-02', metricName: 'power', rowsToDelete: 96 * 6, rowsToInsert: 96 * 6 },
    ]);

    const outsideBefore = await serverRows(`NOT (time >= '${r.start}' AND time < '${r.end}')`);
    const request = await pushRequest(r, file, { comment: 'double it' });
    const { pushId } = request;
    const result = await push.push(request);
    expect(result).toMatchObject({
      alreadyApplied: false,
      pipelineVersion: 2,
      rowsReplaced: 96 * 6 * 2,
      rowsInserted: recomputed.length,
      checksum: checksumOf(recomputed),
    });

    const inside = await serverRows(`time >= '${r.start}' AND time < '${r.end}'`);
    expect(checksumOf(inside)).toBe(checksumOf(recomputed));
    expect(await serverRows(`NOT (time >= '${r.start}' AND time < '${r.end}')`)).toEqual(outsideBefore);
    expect(await version()).toBe(2);
    const { rows: audit } = await admin.query(
      'SELECT pushed_by, base_version, pipeline_version, rows_replaced, rows_inserted, checksum, comment FROM dash.metric_pushes WHERE push_id = $1',
      [pushId],
    );
    expect(audit).toEqual([
      {
        pushed_by: 'tester',
        base_version: 1,
        pipeline_version: 2,
        rows_replaced: String(96 * 6 * 2),
        rows_inserted: String(recomputed.length),
        checksum: checksumOf(recomputed),
        comment: 'double it',
      },
    ]);
    const { rows: versions } = await admin.query('SELECT version, definition FROM dash.pipeline_versions ORDER BY 1');
    expect(versions).toEqual([
      { version: 1, definition: V1 },
      { version: 2, definition: V2 },
    ]);

    // The same push again (a retry after a lost reply) is recognised, not applied twice.
    const again = await push.push({ ...request, expectedChecksum: 'sha256:stale', comment: null });
    expect(again).toMatchObject({ alreadyApplied: true, pipelineVersion: 2, rowsInserted: recomputed.length });
    expect(await version()).toBe(2);
    expect(checksumOf(await serverRows(`time >= '${r.start}' AND time < '${r.end}'`))).toBe(checksumOf(recomputed));
  });

  it('counts the values a push and its undo change, not the rows they rewrite, in the result and the audit', async () => {
    await reset();
    const r = range('2026-10-02', '2026-10-03');
    const originalOf = (s: number, m: number, slot: number) => s * 10 + m + slot / 4;
    // Energy of three series changes; power stays; one row goes (m-05 power at 00:00) and one comes (a new series).
    const recomputed = rowsOf(['2026-10-02'], (s, m, slot) => originalOf(s, m, slot) + (m === 1 && s < 3 ? 1 : 0))
      .filter((row) => !(row.series === 'm-05' && row.metric === 'power' && row.time === '2026-10-02T00:00:00.000000Z'))
      .concat([{ time: '2026-10-02T00:00:00.000000Z', series: 'm-new', metric: 'power', value: 1 }]);
    const request = await pushRequest(r, await rowsFile(recomputed));
    const result = await push.push(request);
    const pushed = { added: 1, removed: 1, changed: 3 * 96, unchanged: 96 * 6 * 2 - 3 * 96 - 1 };
    expect(result).toMatchObject({ rowsReplaced: 96 * 6 * 2, rowsInserted: 96 * 6 * 2, values: pushed });
    const audited = async (pushId: string) =>
      (
        await admin.query(
          'SELECT values_added, values_removed, values_changed, values_unchanged FROM dash.metric_pushes WHERE push_id = $1',
          [pushId],
        )
      ).rows[0] as Record<string, string>;
    expect(await audited(request.pushId)).toEqual({
      values_added: '1',
      values_removed: '1',
      values_changed: String(3 * 96),
      values_unchanged: String(pushed.unchanged),
    });
    // A retry answers from the audit row, counts included.
    expect(await push.push(request)).toMatchObject({ alreadyApplied: true, values: pushed });

    // The undo puts the replaced rows back: the same values change back.
    const undoId = randomUUID();
    const undo = await push.undo(undoRequest(request.pushId, undoId));
    expect(undo.values).toEqual(pushed);
    expect(await audited(undoId)).toMatchObject({
      values_changed: String(3 * 96),
      values_unchanged: String(pushed.unchanged),
    });
  });

  it('still pushes to a server without the value-count columns (migration 002 not applied), auditing what it can', async () => {
    const servers = inject('servers');
    const oldConfig = await createTestDatabase(servers.postgres, 'push_old_contract');
    const onlyFirst = join(dir, 'migrations-001');
    await mkdir(onlyFirst, { recursive: true });
    await copyFile(join(migrationsDir(), '001_dash_contract.sql'), join(onlyFirst, '001_dash_contract.sql'));
    const old = new pg.Client(oldConfig);
    await old.connect();
    try {
      await applyMigrations(old, { dir: onlyFirst });
      await old.query(
        `INSERT INTO dash.pipelines (id, name, version, definition, updated_by) VALUES ($1, 'Meters', 1, $2, 'seed')`,
        [PIPELINE, JSON.stringify(V1)],
      );
      const oldPush = new MetricPush(async () => {
        const c = new pg.Client(oldConfig);
        await c.connect();
        return c;
      });
      const r = range('2026-10-02', '2026-10-03');
      const rows = rowsOf(['2026-10-02'], () => 2);
      const client = new pg.Client(oldConfig);
      await client.connect();
      const expectedChecksum = (await rangeChecksum(client, PIPELINE, r)).checksum;
      await client.end();
      const result = await oldPush.push({
        pushId: randomUUID(),
        pipelineId: PIPELINE,
        baseVersion: 1,
        definition: null,
        range: r,
        expectedChecksum,
        rowsFile: await rowsFile(rows),
        pushedBy: 'tester',
        comment: null,
      });
      expect(result.values).toEqual({ added: rows.length, removed: 0, changed: 0, unchanged: 0 });
      const { rows: audit } = await old.query<{ n: string }>('SELECT rows_inserted::text AS n FROM dash.metric_pushes');
      expect(audit).toEqual([{ n: String(rows.length) }]);
    } finally {
      await old.end();
    }
  });

  it('refuses when the pipeline was edited on the server since the preview', async () => {
    await reset();
    const r = range('2026-10-01', '2026-10-02');
    const request = await pushRequest(r, await rowsFile(rowsOf(['2026-10-01'], () => 1)));
    await admin.query(`UPDATE dash.pipelines SET version = 2, updated_by = 'someone else' WHERE id = $1`, [PIPELINE]);
    const before = checksumOf(await serverRows());
    await expect(push.push(request)).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('someone else'),
    });
    expect(checksumOf(await serverRows())).toBe(before);
    expect((await admin.query('SELECT count(*)::int AS n FROM dash.metric_pushes')).rows[0]).toEqual({ n: 0 });
  });

  it("refuses when the server's metrics in the range changed since the preview", async () => {
    await reset();
    const r = range('2026-10-01', '2026-10-02');
    const request = await pushRequest(r, await rowsFile(rowsOf(['2026-10-01'], () => 1)), { definition: null });
    await admin.query(
      `UPDATE dash.pipeline_metrics SET value = value + 1 WHERE pipeline_id = $1 AND series_id = 'm-03' AND time = '2026-10-01T05:00:00Z'`,
      [PIPELINE],
    );
    await expect(push.push(request)).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('changed since your preview'),
    });
    expect(await version()).toBe(1);
  });

  it('leaves the server as it was when the server goes away mid-push, and a retry then succeeds', async () => {
    await reset();
    const r = range('2026-10-01', '2026-10-03');
    const recomputed = rowsOf(['2026-10-01', '2026-10-02'], (s, m, slot) => s + m + slot);
    const request = await pushRequest(r, await rowsFile(recomputed));
    const before = checksumOf(await serverRows());

    // The backend is terminated after the old rows are deleted, before the new ones go in.
    let killed = false;
    const dying = new MetricPush(async () => {
      const client = await connect();
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
        const text = typeof args[0] === 'string' ? args[0] : '';
        if (!killed && text.includes('INSERT INTO dash.pipeline_metrics')) {
          killed = true;
          return admin.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]).then(() => query(...args));
        }
        return query(...args);
      };
      return client;
    });
    await expect(dying.push(request)).rejects.toThrow();
    expect(killed).toBe(true);
    expect(checksumOf(await serverRows())).toBe(before);
    expect(await version()).toBe(1);
    expect((await admin.query('SELECT count(*)::int AS n FROM dash.metric_pushes')).rows[0]).toEqual({ n: 0 });
    expect((await admin.query('SELECT count(*)::int AS n FROM dash.metric_push_replaced_rows')).rows[0]).toEqual({
      n: 0,
    });

    const result = await push.push(request);
    expect(result).toMatchObject({ alreadyApplied: false, pipelineVersion: 2, rowsInserted: recomputed.length });
    expect(checksumOf(await serverRows(`time >= '${r.start}' AND time < '${r.end}'`))).toBe(checksumOf(recomputed));
  });

  it('undoes a push as a new audited push: every replaced row back, the definition restored, once only', async () => {
    await reset();
    const r = range('2026-10-02', '2026-10-04');
    const before = await serverRows();
    const { pushId: first } = await push.push(await pushRequest(r, await rowsFile(rowsOf(['2026-10-02'], () => 7))));
    expect(await version()).toBe(2);

    const undoId = randomUUID();
    const undo = await push.undo(undoRequest(first, undoId));
    expect(undo).toMatchObject({ alreadyApplied: false, pipelineVersion: 3, rowsReplaced: 96 * 6 * 2 });
    expect(undo.rowsInserted).toBe(96 * 6 * 2 * 2);
    expect(checksumOf(await serverRows())).toBe(checksumOf(before));
    const { rows: current } = await admin.query('SELECT version, definition FROM dash.pipelines WHERE id = $1', [
      PIPELINE,
    ]);
    expect(current).toEqual([{ version: 3, definition: V1 }]);
    const { rows: audit } = await admin.query('SELECT undo_of FROM dash.metric_pushes WHERE push_id = $1', [undoId]);
    expect(audit).toEqual([{ undo_of: first }]);

    await expect(push.undo(undoRequest(first))).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('already undone'),
    });
  });

  it('plans, pushes and undoes as roles with exactly the grants docs/data-contract.md documents', async () => {
    await reset();
    const { reader, pusher } = await createDocumentedRoles(admin);
    const as = (login: { user: string; password: string }) => async () => {
      const client = new pg.Client({ ...config, user: login.user, password: login.password });
      await client.connect();
      return client;
    };
    const r = range('2026-10-02', '2026-10-03');
    const recomputed = rowsOf(['2026-10-02'], (s, m, slot) => s + m + slot);
    const request = await pushRequest(r, await rowsFile(recomputed));
    const planOf = (p: MetricPush) =>
      p.plan({ pipelineId: PIPELINE, baseVersion: 1, definition: V2, range: r, incoming: incomingOf(recomputed, r) });

    // The exploration role may plan, and the plan names what it would lack to push.
    const readerPlan = await planOf(new MetricPush(as(reader)));
    expect(readerPlan.checkedAs).toBe(reader.user);
    expect(readerPlan.missingGrants.join('\n')).toMatch(/GRANT INSERT, DELETE ON dash\.pipeline_metrics/);
    const pusherPlan = await planOf(new MetricPush(as(pusher)));
    expect(pusherPlan).toMatchObject({ checkedAs: pusher.user, missingGrants: [], warnings: [] });

    const byPusher = new MetricPush(as(pusher));
    const before = await serverRows();
    const pushed = await byPusher.push({ ...request, pushedBy: pusher.user });
    expect(pushed).toMatchObject({ alreadyApplied: false, pipelineVersion: 2, checksum: checksumOf(recomputed) });
    expect(checksumOf(await serverRows(`time >= '${r.start}' AND time < '${r.end}'`))).toBe(checksumOf(recomputed));

    const undone = await byPusher.undo(undoRequest(pushed.pushId));
    expect(undone).toMatchObject({ alreadyApplied: false, rowsInserted: 96 * 6 * 2 });
    expect(checksumOf(await serverRows())).toBe(checksumOf(before));
    const { rows: audit } = await admin.query<{ checksum: string; rows_replaced: string }>(
      'SELECT checksum, rows_replaced FROM dash.metric_pushes WHERE push_id = $1',
      [undone.pushId],
    );
    expect(audit[0]).toEqual({
      checksum: checksumOf(
        before.filter((row) => Date.parse(row.time) >= Date.parse(r.start) && Date.parse(row.time) < Date.parse(r.end)),
      ),
      rows_replaced: String(recomputed.length),
    });

    // The audit trail only grows: the documented pushing role may not rewrite it.
    const client = await as(pusher)();
    try {
      await expect(
        client.query("UPDATE dash.metric_pushes SET comment = 'rewritten' WHERE push_id = $1", [pushed.pushId]),
      ).rejects.toMatchObject({ code: '42501' });
    } finally {
      await client.end();
    }
  });

  it('refuses to undo a push that a later push over the same range followed', async () => {
    await reset();
    const r = range('2026-10-01', '2026-10-02');
    const metricsOnly = { definition: null };
    const { pushId: first } = await push.push(
      await pushRequest(r, await rowsFile(rowsOf(['2026-10-01'], () => 2)), metricsOnly),
    );
    await push.push(await pushRequest(r, await rowsFile(rowsOf(['2026-10-01'], () => 3)), metricsOnly));
    await expect(push.undo(undoRequest(first))).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('no longer the latest push'),
    });
  });
});
