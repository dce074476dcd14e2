/**
 * Pushing recomputed metrics to a real PostgreSQL: only the delta's keys
 * written (unchanged rows keep their very tuples), audited, refused when the
 * pipeline or its metrics changed since the preview or the delta is off,
 * unharmed by a server that goes away mid-push, never applied twice, and
 * undoable exactly — also pushes audited before migration 003.
 */
import { createHash, randomUUID } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { PipelineDefinition } from '../../src/shared/api/contract';
import { applyMigrations, migrationsDir } from '../../src/main/services/postgres/Migrations';
import { MetricPush, type PushRange, type PushRequest } from '../../src/main/services/push/MetricPush';
import { planPush, type PushDelta } from '../../src/main/services/push/PushPlanner';
import { formatFingerprint, rangeFingerprint } from '../../src/main/services/push/rangeFingerprint';
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

/** ISO-8601 UTC with microseconds, as the server writes times. */
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

/** A set of rows as one comparable digest (order-free). */
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

const keyOf = (r: Pick<Row, 'metric' | 'series' | 'time'>) => `${r.metric}|${r.series}|${r.time}`;

/** What a preview hands a push: the keys added, changed (new value) and removed (null), exactly compared. */
function deltaOf(current: Row[], recomputed: Row[]): { row: Row; value: number | null }[] {
  const now = new Map(current.map((r) => [keyOf(r), r]));
  const next = new Map(recomputed.map((r) => [keyOf(r), r]));
  const delta: { row: Row; value: number | null }[] = [];
  for (const r of recomputed) if (now.get(keyOf(r))?.value !== r.value) delta.push({ row: r, value: r.value });
  for (const r of current) if (!next.has(keyOf(r))) delta.push({ row: r, value: null });
  return delta;
}

/** The plan's input, as the preview counts it: per UTC day and metric, the series touched, keys outside the range. */
function planDeltaOf(current: Row[], recomputed: Row[], r: PushRange): PushDelta {
  const now = new Map(current.map((row) => [keyOf(row), row]));
  const next = new Map(recomputed.map((row) => [keyOf(row), row]));
  const perDay = new Map<string, PushDelta['perDay'][number]>();
  const cell = (row: Row) => {
    const key = `${row.time.slice(0, 10)}|${row.metric}`;
    let c = perDay.get(key);
    if (!c) {
      c = {
        day: row.time.slice(0, 10),
        metricName: row.metric,
        values: { added: 0, removed: 0, changed: 0, unchanged: 0 },
      };
      perDay.set(key, c);
    }
    return c.values;
  };
  for (const row of recomputed) {
    const old = now.get(keyOf(row));
    if (!old) cell(row).added++;
    else if (old.value !== row.value) cell(row).changed++;
    else cell(row).unchanged++;
  }
  for (const row of current) if (!next.has(keyOf(row))) cell(row).removed++;
  const outsideRange = deltaOf(current, recomputed).filter(
    ({ row }) => Date.parse(row.time) < Date.parse(r.start) || Date.parse(row.time) >= Date.parse(r.end),
  ).length;
  return { perDay: [...perDay.values()], touched: [], outsideRange };
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
  /** Connects as a role of its own. */
  const as = (login: { user: string; password: string }) => async () => {
    const client = new pg.Client({ ...config, user: login.user, password: login.password });
    await client.connect();
    return client;
  };

  /**
   * A delta file as a preview writes it: each key's new value (null removes it),
   * then what the server `on` holds for it now — unless a line says otherwise
   * (`server`: its claimed value there, or null for "not on the server").
   */
  async function writeDelta(
    lines: {
      row: Pick<Row, 'time' | 'series' | 'metric'>;
      value: number | null;
      server?: { value: number | null } | null;
    }[],
    on: pg.ClientBase = admin,
  ) {
    const held = new Map((await serverRows('TRUE', on)).map((r) => [keyOf(r), r]));
    const text = (v: number | null) => (v === null ? '\\N' : String(v));
    const file = join(dir, `${randomUUID()}.tsv`);
    await writeFile(
      file,
      lines
        .map(({ row, value, server }) => {
          const was = server === undefined ? (held.get(keyOf(row)) ?? null) : server;
          return `${row.time}\t${row.series}\t${row.metric}\t${text(value)}\t${text(was?.value ?? null)}\t${was ? 't' : 'f'}\n`;
        })
        .join(''),
    );
    return file;
  }

  async function serverRows(where = 'TRUE', on: pg.ClientBase = admin): Promise<Row[]> {
    const { rows } = await on.query<{ time: string; series_id: string; metric_name: string; value: number }>(
      `SELECT to_char(time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS time, series_id, metric_name, value
       FROM dash.pipeline_metrics WHERE pipeline_id = $1 AND ${where}`,
      [PIPELINE],
    );
    return rows.map((r) => ({ time: r.time, series: r.series_id, metric: r.metric_name, value: r.value }));
  }

  const inRange = (r: PushRange) => `time >= '${r.start}' AND time < '${r.end}'`;

  /** The delta file that turns the server's rows of `r` into `recomputed`, as a preview writes it. */
  async function deltaFile(r: PushRange, recomputed: Row[], on: pg.ClientBase = admin): Promise<string> {
    return writeDelta(deltaOf(await serverRows(inRange(r), on), recomputed), on);
  }

  /** Every row's physical identity (ctid) and writing transaction (xmin), by key. */
  async function tuples(): Promise<Map<string, string>> {
    const { rows } = await admin.query<{ k: string; t: string }>(
      `SELECT metric_name || '|' || series_id || '|' || to_char(time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS k,
              ctid::text || '/' || xmin::text AS t
       FROM dash.pipeline_metrics WHERE pipeline_id = $1`,
      [PIPELINE],
    );
    return new Map(rows.map((r) => [r.k, r.t]));
  }

  async function version(): Promise<number> {
    const { rows } = await admin.query<{ version: number }>('SELECT version FROM dash.pipelines WHERE id = $1', [
      PIPELINE,
    ]);
    return rows[0]!.version;
  }

  async function auditCount(): Promise<number> {
    return (await admin.query<{ n: number }>('SELECT count(*)::int AS n FROM dash.metric_pushes')).rows[0]!.n;
  }

  /** The server reset to version 1 and the original rows, with no pushes. */
  async function reset(): Promise<void> {
    await admin.query('TRUNCATE dash.metric_push_replaced_rows, dash.metric_pushes, dash.pipeline_metrics');
    await admin.query('DELETE FROM dash.pipeline_versions');
    await admin.query('DELETE FROM dash.pipelines');
    await seed(admin);
  }

  async function seed(on: pg.ClientBase): Promise<void> {
    await on.query(
      `INSERT INTO dash.pipelines (id, name, version, definition, updated_by) VALUES ($1, 'Meters', 1, $2, 'seed')`,
      [PIPELINE, JSON.stringify(V1)],
    );
    await on.query(
      `INSERT INTO dash.pipeline_versions (pipeline_id, version, definition, updated_by) VALUES ($1, 1, $2, 'seed')`,
      [PIPELINE, JSON.stringify(V1)],
    );
    await on.query(
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

  /** What a preview records: the server's range fingerprint now. */
  async function preview(r: PushRange, on: pg.ClientConfig = config): Promise<string> {
    const client = new pg.Client(on);
    await client.connect();
    try {
      return formatFingerprint(await rangeFingerprint(client, PIPELINE, r));
    } finally {
      await client.end();
    }
  }

  /**
   * A push of the delta in `file` over `r` against version 1, with the server's
   * fingerprint now as the preview's; tests override what they are about.
   */
  async function pushRequest(r: PushRange, file: string, overrides: Partial<PushRequest> = {}): Promise<PushRequest> {
    return {
      pushId: randomUUID(),
      pipelineId: PIPELINE,
      baseVersion: 1,
      definition: V2,
      range: r,
      expectedChecksum: await preview(r),
      deltaFile: file,
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

  it('plans per metric per day, then pushes exactly: the range as recomputed, the rest untouched, the audit row right', async () => {
    await reset();
    const r = range('2026-10-02', '2026-10-03');
    // The draft drops the first hour of energy and doubles the rest.
    const recomputed = rowsOf(['2026-10-02'], (s, m, slot) => (s * 10 + m + slot / 4) * 2).filter(
      (row) => !(row.metric === 'energy' && row.time < '2026-10-02T01'),
    );
    const current = await serverRows(inRange(r));
    const plan = await planPush(connect, {
      pipelineId: PIPELINE,
      definition: V2,
      range: r,
      delta: planDeltaOf(current, recomputed, r),
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
    // Slot 0 of every series has the value 0 for power (s = 0): doubling it changes nothing.
    const energyValues = { added: 0, removed: 4 * 6, changed: 92 * 6, unchanged: 0 };
    const powerValues = { added: 0, removed: 0, changed: 96 * 6 - 1, unchanged: 1 };
    expect(plan.days).toEqual([
      { day: '2026-10-02', metricName: 'energy', rowsToDelete: 96 * 6, rowsToInsert: 92 * 6, values: energyValues },
      {
        day: '2026-10-02',
        metricName: 'power',
        rowsToDelete: 96 * 6 - 1,
        rowsToInsert: 96 * 6 - 1,
        values: powerValues,
      },
    ]);

    const outsideBefore = await serverRows(`NOT (${inRange(r)})`);
    const request = await pushRequest(r, await deltaFile(r, recomputed), { comment: 'double it' });
    const { pushId } = request;
    const result = await push.push(request);
    const fingerprintAfter = await preview(r);
    expect(result).toMatchObject({
      alreadyApplied: false,
      pipelineVersion: 2,
      rowsReplaced: 96 * 6 * 2 - 1,
      rowsInserted: 96 * 6 + 92 * 6 - 1,
      values: { added: 0, removed: 24, changed: 92 * 6 + 96 * 6 - 1, unchanged: 1 },
      // The fingerprint after the push, from the touched rows alone, is the range's as the server now computes it.
      checksum: fingerprintAfter,
    });
    expect(fingerprintAfter).toMatch(new RegExp(`^xor64:${recomputed.length}:[0-9a-f]{16}$`));

    expect(checksumOf(await serverRows(inRange(r)))).toBe(checksumOf(recomputed));
    expect(await serverRows(`NOT (${inRange(r)})`)).toEqual(outsideBefore);
    expect(await version()).toBe(2);
    const { rows: audit } = await admin.query(
      'SELECT pushed_by, base_version, pipeline_version, rows_replaced, rows_inserted, checksum, comment, replaced_scope FROM dash.metric_pushes WHERE push_id = $1',
      [pushId],
    );
    expect(audit).toEqual([
      {
        pushed_by: 'tester',
        base_version: 1,
        pipeline_version: 2,
        rows_replaced: String(96 * 6 * 2 - 1),
        rows_inserted: String(96 * 6 + 92 * 6 - 1),
        checksum: fingerprintAfter,
        comment: 'double it',
        replaced_scope: 'keys',
      },
    ]);
    const { rows: versions } = await admin.query('SELECT version, definition FROM dash.pipeline_versions ORDER BY 1');
    expect(versions).toEqual([
      { version: 1, definition: V1 },
      { version: 2, definition: V2 },
    ]);

    // The same push again (a retry after a lost reply) is recognised, not applied twice.
    const again = await push.push({ ...request, expectedChecksum: 'xor64:0:0000000000000000', comment: null });
    expect(again).toMatchObject({ alreadyApplied: true, pipelineVersion: 2, rowsInserted: 96 * 6 + 92 * 6 - 1 });
    expect(await version()).toBe(2);
    expect(checksumOf(await serverRows(inRange(r)))).toBe(checksumOf(recomputed));
  });

  it('writes only the keys that changed: every other row keeps its very tuple, and only the touched rows are kept for undo', async () => {
    await reset();
    const r = range('2026-10-01', '2026-10-04');
    const before = await serverRows();
    const tuplesBefore = await tuples();
    // Three values change, one key goes, one comes: 5 of 3456 rows.
    const changedKeys = new Set([original[10], original[500], original[3000]].map((row) => keyOf(row!)));
    const removed = original[77]!;
    const added: Row = { time: '2026-10-02T00:00:00.000000Z', series: 'm-new', metric: 'power', value: 42 };
    const recomputed = original
      .filter((row) => keyOf(row) !== keyOf(removed))
      .map((row) => (changedKeys.has(keyOf(row)) ? { ...row, value: row.value + 0.5 } : row))
      .concat([added]);
    const request = await pushRequest(r, await deltaFile(r, recomputed), { definition: null });
    const result = await push.push(request);
    expect(result).toMatchObject({
      rowsReplaced: 4,
      rowsInserted: 4,
      values: { added: 1, removed: 1, changed: 3, unchanged: original.length - 4 },
      checksum: await preview(r),
    });
    expect(checksumOf(await serverRows())).toBe(checksumOf(recomputed));

    const tuplesAfter = await tuples();
    const touched = new Set([...changedKeys, keyOf(removed), keyOf(added)]);
    const moved = [...tuplesBefore].filter(([k, t]) => tuplesAfter.get(k) !== t).map(([k]) => k);
    expect(new Set(moved)).toEqual(new Set([...changedKeys, keyOf(removed)]));
    for (const [k, t] of tuplesBefore) if (!touched.has(k)) expect(tuplesAfter.get(k)).toBe(t);

    const { rows: kept } = await admin.query<{
      metric_name: string;
      series_id: string;
      value: number | null;
      existed: boolean;
    }>(
      'SELECT metric_name, series_id, value, existed FROM dash.metric_push_replaced_rows WHERE push_id = $1 ORDER BY series_id, metric_name, time',
      [request.pushId],
    );
    const old = (row: Row) => ({ metric_name: row.metric, series_id: row.series, value: row.value, existed: true });
    expect(kept).toHaveLength(5);
    expect(kept).toEqual(
      expect.arrayContaining([
        { metric_name: 'power', series_id: 'm-new', value: null, existed: false },
        old(removed),
        ...before.filter((row) => changedKeys.has(keyOf(row))).map(old),
      ]),
    );
  });

  it('undoes a keys push exactly (added keys gone, removed ones back), and the undo of the undo pushes it again', async () => {
    await reset();
    const r = range('2026-10-02', '2026-10-03');
    const before = await serverRows();
    const recomputed = rowsOf(['2026-10-02'], (s, m, slot) => (m === 1 && s < 3 ? 1000 + slot : s * 10 + m + slot / 4))
      .filter((row) => !(row.series === 'm-05' && row.metric === 'power' && row.time === '2026-10-02T00:00:00.000000Z'))
      .concat([{ time: '2026-10-02T00:00:00.000000Z', series: 'm-new', metric: 'power', value: 1 }]);
    const request = await pushRequest(r, await deltaFile(r, recomputed));
    const pushed = await push.push(request);
    const values = { added: 1, removed: 1, changed: 3 * 96, unchanged: 96 * 6 * 2 - 3 * 96 - 1 };
    expect(pushed.values).toEqual(values);
    const afterPush = await serverRows();
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
      values_unchanged: String(values.unchanged),
    });
    // A retry answers from the audit row, counts included.
    expect(await push.push(request)).toMatchObject({ alreadyApplied: true, values });

    const undoId = randomUUID();
    const undo = await push.undo(undoRequest(request.pushId, undoId));
    expect(undo).toMatchObject({
      alreadyApplied: false,
      pipelineVersion: 3,
      rowsReplaced: 3 * 96 + 1,
      rowsInserted: 3 * 96 + 1,
      values,
      checksum: await preview(r),
    });
    expect(checksumOf(await serverRows())).toBe(checksumOf(before));
    expect(await serverRows(`series_id = 'm-new'`)).toEqual([]);
    const { rows: current } = await admin.query('SELECT version, definition FROM dash.pipelines WHERE id = $1', [
      PIPELINE,
    ]);
    expect(current).toEqual([{ version: 3, definition: V1 }]);
    expect(await audited(undoId)).toMatchObject({ values_changed: String(3 * 96) });
    await expect(push.undo(undoRequest(request.pushId))).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('already undone'),
    });

    // An undo is a keys push too: undoing it brings the pushed rows back.
    const again = await push.undo(undoRequest(undoId));
    expect(again).toMatchObject({ values, rowsReplaced: 3 * 96 + 1, checksum: await preview(r) });
    expect(checksumOf(await serverRows())).toBe(checksumOf(afterPush));
  });

  it('refuses a delta that is off — outside the range, a key twice, removing an absent key, a no-op, an unknown fingerprint — writing nothing', async () => {
    await reset();
    const r = range('2026-10-02', '2026-10-03');
    const before = checksumOf(await serverRows());
    const tuplesBefore = await tuples();
    const inside = original.find((row) => row.time.startsWith('2026-10-02'))!;
    const outside = original.find((row) => row.time.startsWith('2026-10-03'))!;
    const cases: [string, Parameters<typeof writeDelta>[0], RegExp][] = [
      [
        'out of range',
        [
          { row: inside, value: 1 },
          { row: outside, value: 2 },
        ],
        /1 rows of the push's delta are outside the range/,
      ],
      [
        'twice',
        [
          { row: inside, value: 1 },
          { row: inside, value: 2 },
        ],
        /names the key \(power, m-00, 2026-10-02T00:00:00.000Z\) more than once/,
      ],
      ['absent', [{ row: { ...inside, series: 'm-none' }, value: null }], /removes 1 keys the server does not have/],
      ['no-op', [{ row: inside, value: inside.value }], /sets 1 keys to the value they already have/],
      // What the delta says the server holds is checked against the rows it replaces.
      [
        'a wrong server value',
        [{ row: inside, value: 1, server: { value: inside.value + 7 } }],
        /does not describe the server's rows it replaces \(1 rows, by key and value\)/,
      ],
      [
        'a key said to be on the server that is not',
        [{ row: { ...inside, series: 'm-none' }, value: 1, server: { value: 3 } }],
        /does not describe the server's rows it replaces \(1 rows, by key and value\)/,
      ],
      [
        'a key said to be new that the server has',
        [{ row: inside, value: inside.value + 1, server: null }],
        /adds a key twice, or one the server already has: .*already exists/,
      ],
    ];
    // Every key of the range named once more than it has rows: all changed but one removed twice and one left out.
    const day = original.filter((row) => row.time.startsWith('2026-10-02'));
    cases.push([
      'a doubled removal',
      [
        ...day.slice(2).map((row) => ({ row, value: row.value + 1 })),
        { row: day[0]!, value: null },
        { row: day[0]!, value: null },
      ],
      /names the key \(power, m-00, 2026-10-02T00:00:00.000Z\) more than once/,
    ]);
    // Every key of the range changed, one of them said to hold a value it does not.
    cases.push([
      'a whole range with a wrong server value',
      day.map((row, i) => ({ row, value: row.value + 1, ...(i === 3 ? { server: { value: row.value - 1 } } : {}) })),
      /does not describe the server's rows it replaces \(\d+ rows, by key and value\)/,
    ]);
    for (const [what, lines, message] of cases) {
      const request = await pushRequest(r, await writeDelta(lines));
      await expect(push.push(request), what).rejects.toMatchObject({
        code: 'bad_request',
        message: expect.stringMatching(message),
      });
    }
    // A line that does not say whether the server has its key.
    const unstated = join(dir, `${randomUUID()}.tsv`);
    await writeFile(unstated, `${inside.time}\t${inside.series}\t${inside.metric}\t1\t\\N\t\\N\n`);
    await expect(push.push(await pushRequest(r, unstated))).rejects.toMatchObject({
      code: 'bad_request',
      message: expect.stringMatching(/1 rows of the push's delta do not say whether the server has their key/),
    });
    const stale = await pushRequest(r, await writeDelta([{ row: inside, value: 1 }]), {
      expectedChecksum: `sha256:${'0'.repeat(64)}`,
    });
    await expect(push.push(stale)).rejects.toMatchObject({ code: 'bad_request', hint: 'Preview again, then push.' });
    expect(checksumOf(await serverRows())).toBe(before);
    expect(await tuples()).toEqual(tuplesBefore);
    expect(await version()).toBe(1);
    expect(await auditCount()).toBe(0);
  });

  it('refuses when the pipeline was edited on the server since the preview', async () => {
    await reset();
    const r = range('2026-10-01', '2026-10-02');
    const request = await pushRequest(
      r,
      await deltaFile(
        r,
        rowsOf(['2026-10-01'], () => 1),
      ),
    );
    await admin.query(`UPDATE dash.pipelines SET version = 2, updated_by = 'someone else' WHERE id = $1`, [PIPELINE]);
    const before = checksumOf(await serverRows());
    await expect(push.push(request)).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('someone else'),
    });
    expect(checksumOf(await serverRows())).toBe(before);
    expect(await auditCount()).toBe(0);
  });

  it("refuses when the server's metrics in the range changed since the preview", async () => {
    await reset();
    const r = range('2026-10-01', '2026-10-02');
    const request = await pushRequest(
      r,
      await deltaFile(
        r,
        rowsOf(['2026-10-01'], () => 1),
      ),
      { definition: null },
    );
    // A delta of a few keys, the changed row among them: its stated old value no longer holds either, and the
    // stale preview is what the push reports.
    const few = original.filter(
      (row) => row.time === '2026-10-01T05:00:00.000000Z' || row.time.startsWith('2026-10-01T07'),
    );
    expect(few.some((row) => row.series === 'm-03' && row.time.startsWith('2026-10-01T05'))).toBe(true);
    const fewRequest = await pushRequest(r, await writeDelta(few.map((row) => ({ row, value: row.value + 100 }))), {
      definition: null,
    });
    await admin.query(
      `UPDATE dash.pipeline_metrics SET value = value + 1 WHERE pipeline_id = $1 AND series_id = 'm-03' AND time = '2026-10-01T05:00:00Z'`,
      [PIPELINE],
    );
    for (const stale of [request, fewRequest]) {
      await expect(push.push(stale)).rejects.toMatchObject({
        code: 'conflict',
        message: expect.stringContaining('changed since your preview'),
      });
    }
    expect(await version()).toBe(1);
    expect(await auditCount()).toBe(0);
  });

  it('leaves the server as it was when the server goes away mid-push, and a retry then succeeds', async () => {
    await reset();
    const r = range('2026-10-01', '2026-10-03');
    const recomputed = rowsOf(['2026-10-01', '2026-10-02'], (s, m, slot) => s + m + slot);
    const request = await pushRequest(r, await deltaFile(r, recomputed));
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
    expect(await auditCount()).toBe(0);
    expect((await admin.query('SELECT count(*)::int AS n FROM dash.metric_push_replaced_rows')).rows[0]).toEqual({
      n: 0,
    });

    const result = await push.push(request);
    expect(result).toMatchObject({ alreadyApplied: false, pipelineVersion: 2 });
    expect(checksumOf(await serverRows(inRange(r)))).toBe(checksumOf(recomputed));
  });

  it('plans, pushes and undoes as roles with exactly the grants docs/data-contract.md documents', async () => {
    await reset();
    const { reader, pusher } = await createDocumentedRoles(admin);
    const r = range('2026-10-02', '2026-10-03');
    const recomputed = rowsOf(['2026-10-02'], (s, m, slot) => s + m + slot);
    const request = await pushRequest(r, await deltaFile(r, recomputed));
    const planAs = async (login: { user: string; password: string }) =>
      planPush(as(login), {
        pipelineId: PIPELINE,
        definition: V2,
        range: r,
        delta: planDeltaOf(await serverRows(inRange(r)), recomputed, r),
      });

    // The exploration role may plan, and the plan names what it would lack to push.
    const readerPlan = await planAs(reader);
    expect(readerPlan.checkedAs).toBe(reader.user);
    expect(readerPlan.missingGrants.join('\n')).toMatch(/GRANT INSERT, DELETE ON dash\.pipeline_metrics/);
    const pusherPlan = await planAs(pusher);
    expect(pusherPlan).toMatchObject({ checkedAs: pusher.user, missingGrants: [], warnings: [] });

    const byPusher = new MetricPush(as(pusher));
    const before = await serverRows();
    const fingerprintBefore = await preview(r);
    const pushed = await byPusher.push({ ...request, pushedBy: pusher.user });
    expect(pushed).toMatchObject({ alreadyApplied: false, pipelineVersion: 2, checksum: await preview(r) });
    expect(checksumOf(await serverRows(inRange(r)))).toBe(checksumOf(recomputed));

    const undone = await byPusher.undo(undoRequest(pushed.pushId));
    expect(undone).toMatchObject({ alreadyApplied: false, checksum: fingerprintBefore });
    expect(checksumOf(await serverRows())).toBe(checksumOf(before));

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

  it('pushes as a role allowed one connection, checking the range on the pushing connection before it writes', async () => {
    await reset();
    const { pusher } = await createDocumentedRoles(admin);
    await admin.query(`ALTER ROLE ${admin.escapeIdentifier(pusher.user)} CONNECTION LIMIT 1`);
    const byPusher = new MetricPush(as(pusher));
    const r = range('2026-10-02', '2026-10-03');
    const recomputed = rowsOf(['2026-10-02'], (s, m, slot) => s + m + slot);
    const request = await pushRequest(r, await deltaFile(r, recomputed));

    // The preview's rows changed since: refused as stale, though only found out after the writes.
    const inside = original.find((row) => row.time.startsWith('2026-10-02T06'))!;
    const changeOne = (value: number) =>
      admin.query(
        'UPDATE dash.pipeline_metrics SET value = $4 WHERE pipeline_id = $1 AND metric_name = $2 AND series_id = $3 AND time = $5',
        [PIPELINE, inside.metric, inside.series, value, inside.time],
      );
    await changeOne(inside.value + 0.5);
    const rowsChanged = await serverRows();
    await expect(byPusher.push({ ...request, pushedBy: pusher.user })).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringMatching(/changed since your preview \(\d+ rows now, \d+ then\)/),
    });
    expect(checksumOf(await serverRows())).toBe(checksumOf(rowsChanged));
    await changeOne(inside.value);

    const pushed = await byPusher.push({ ...request, pushedBy: pusher.user });
    expect(pushed).toMatchObject({ alreadyApplied: false, checksum: await preview(r) });
    expect(checksumOf(await serverRows(inRange(r)))).toBe(checksumOf(recomputed));
  });

  it('refuses to undo a push that a later push over the same range followed', async () => {
    await reset();
    const r = range('2026-10-01', '2026-10-02');
    const metricsOnly = { definition: null };
    const { pushId: first } = await push.push(
      await pushRequest(
        r,
        await deltaFile(
          r,
          rowsOf(['2026-10-01'], () => 2),
        ),
        metricsOnly,
      ),
    );
    await push.push(
      await pushRequest(
        r,
        await deltaFile(
          r,
          rowsOf(['2026-10-01'], () => 3),
        ),
        metricsOnly,
      ),
    );
    await expect(push.undo(undoRequest(first))).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('no longer the latest push'),
    });
  });

  /** A database with only the first `n` shipped migrations, seeded; and a MetricPush on it. */
  async function olderServer(n: number): Promise<{ config: pg.ClientConfig; client: pg.Client; push: MetricPush }> {
    const older = await createTestDatabase(inject('servers').postgres, `push_before_${n}`);
    const files = join(dir, `migrations-${n}-${randomUUID()}`);
    await mkdir(files, { recursive: true });
    const shipped = ['001_dash_contract.sql', '002_push_value_counts.sql'].slice(0, n);
    for (const f of shipped) await copyFile(join(migrationsDir(), f), join(files, f));
    const client = new pg.Client(older);
    await client.connect();
    await applyMigrations(client, { dir: files });
    await seed(client);
    return {
      config: older,
      client,
      push: new MetricPush(async () => {
        const c = new pg.Client(older);
        await c.connect();
        return c;
      }),
    };
  }

  it('pushes to a server without migration 003 keeping its whole range for undo, and undoes that range push exactly once 003 is applied', async () => {
    const old = await olderServer(2);
    try {
      const r = range('2026-10-02', '2026-10-03');
      const before = await serverRows('TRUE', old.client);
      const recomputed = rowsOf(['2026-10-02'], (s, m, slot) => (s === 1 ? 5 : s * 10 + m + slot / 4));
      const file = await deltaFile(r, recomputed, old.client);
      const pushed = await old.push.push({
        ...(await pushRequest(r, file, { expectedChecksum: await preview(r, old.config) })),
      });
      expect(pushed.values).toEqual({ added: 0, removed: 0, changed: 2 * 96, unchanged: 96 * 6 * 2 - 2 * 96 });
      expect(checksumOf(await serverRows(inRange(r), old.client))).toBe(checksumOf(recomputed));
      // Without 003 the replaced rows are the whole range, as every push before it kept them.
      const { rows: kept } = await old.client.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM dash.metric_push_replaced_rows WHERE push_id = $1',
        [pushed.pushId],
      );
      expect(kept[0]!.n).toBe(96 * 6 * 2);

      // The server is upgraded; the push audited before 003 is a 'range' push, and its undo restores the range.
      expect(await applyMigrations(old.client)).toEqual({ applied: ['003_push_only_changes'] });
      const { rows: scope } = await old.client.query('SELECT replaced_scope FROM dash.metric_pushes');
      expect(scope).toEqual([{ replaced_scope: 'range' }]);
      const undo = await old.push.undo(undoRequest(pushed.pushId));
      expect(undo.values).toEqual({ added: 0, removed: 0, changed: 2 * 96, unchanged: 96 * 6 * 2 - 2 * 96 });
      expect(checksumOf(await serverRows('TRUE', old.client))).toBe(checksumOf(before));
      expect(undo.checksum).toBe(await preview(r, old.config));
      const { rows: undoScope } = await old.client.query(
        'SELECT replaced_scope FROM dash.metric_pushes WHERE push_id = $1',
        [undo.pushId],
      );
      expect(undoScope).toEqual([{ replaced_scope: 'keys' }]);
    } finally {
      await old.client.end();
    }
  });

  it('still pushes to a server without the value-count columns (only migration 001), auditing what it can', async () => {
    const old = await olderServer(1);
    try {
      const r = range('2026-10-02', '2026-10-03');
      const recomputed = rowsOf(['2026-10-02'], () => 0.125);
      const request = await pushRequest(r, await deltaFile(r, recomputed, old.client), {
        expectedChecksum: await preview(r, old.config),
        definition: null,
      });
      const result = await old.push.push(request);
      expect(result.values).toEqual({ added: 0, removed: 0, changed: recomputed.length, unchanged: 0 });
      const { rows: audit } = await old.client.query<{ n: string }>(
        'SELECT rows_inserted::text AS n FROM dash.metric_pushes',
      );
      expect(audit).toEqual([{ n: String(recomputed.length) }]);
      expect(checksumOf(await serverRows(inRange(r), old.client))).toBe(checksumOf(recomputed));
    } finally {
      await old.client.end();
    }
  });
});
