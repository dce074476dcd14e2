/**
 * Live queries and the server catalog against the real PostgreSQL of the test
 * setup (plain, seeded with the contract and demo metrics): exact Arrow rows,
 * cancel that frees the backend, writes refused with nothing changed, the
 * statement timeout, the row bound, and the catalog in plain mode.
 */
import { tableFromIPC } from 'apache-arrow';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { LiveQueries } from '../../src/main/services/postgres/LiveQuery';
import { readServerCatalog } from '../../src/main/services/postgres/ServerCatalog';
import { PLAIN_POSTGRES, bucketPreviewSql } from '../../src/shared/serverSql';
import { failure } from '../support/failure';

const servers = inject('servers');
let pool: pg.Pool;
let admin: pg.Client;

function newLive(options: { timeoutMs?: number; maxRows?: number; rowsPerChunk?: number; fetchRows?: number } = {}) {
  return new LiveQueries({
    pool: () => pool,
    statementTimeoutMs: () => options.timeoutMs ?? 60_000,
    ...(options.maxRows ? { maxRows: options.maxRows } : {}),
    ...(options.rowsPerChunk ? { rowsPerChunk: options.rowsPerChunk } : {}),
    ...(options.fetchRows ? { fetchRows: options.fetchRows } : {}),
  });
}

async function decode(live: LiveQueries, resultId: string, chunkCount: number) {
  const rows: Record<string, unknown>[] = [];
  for (let i = 0; i < chunkCount; i++) {
    const table = tableFromIPC(live.resultChunk(resultId, i));
    for (const row of table) rows.push(row.toJSON() as Record<string, unknown>);
  }
  return rows;
}

/** Waits (by polling the server, not by time) until a backend fetches from the live cursor. */
async function backendRunning(): Promise<number> {
  // pg_stat_activity shows the FETCH (the statement running), not the cursor's query.
  const marker = 'FETCH FORWARD % FROM dash_live_cursor';
  for (let attempt = 0; attempt < 2000; attempt++) {
    const { rows } = await admin.query<{ pid: number }>(
      "SELECT pid FROM pg_stat_activity WHERE state = 'active' AND query LIKE $1 AND pid <> pg_backend_pid()",
      [marker],
    );
    if (rows[0]) return rows[0].pid;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`no backend ever ran ${marker}`);
}

beforeAll(async () => {
  const { host, port, database, user, password } = servers.postgres;
  // The same pool the workspace builds: exploration is read-only by default.
  pool = new pg.Pool({ host, port, database, user, password, max: 4, options: '-c default_transaction_read_only=on' });
  admin = new pg.Client({ host, port, database, user, password });
  await admin.connect();
  await admin.query(`
    CREATE SCHEMA IF NOT EXISTS live_test;
    CREATE TABLE IF NOT EXISTS live_test.notes (id int PRIMARY KEY, note text);
    TRUNCATE live_test.notes;
    CREATE TABLE IF NOT EXISTS live_test.readings (id int PRIMARY KEY, value float8);
    TRUNCATE live_test.readings;
    INSERT INTO live_test.readings SELECT g, g * 0.5 FROM generate_series(1, 50000) g;
    ANALYZE live_test.readings;
    INSERT INTO live_test.notes VALUES (1, 'kept');
    CREATE OR REPLACE FUNCTION live_test.sneaky_write() RETURNS int LANGUAGE plpgsql VOLATILE AS
      $$ BEGIN INSERT INTO live_test.notes VALUES (2, 'written'); RETURN 2; END $$;`);
});

afterAll(async () => {
  // Whatever a failed test left running must not hold the pool open.
  await admin
    ?.query(
      "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE query LIKE 'FETCH FORWARD %' AND pid <> pg_backend_pid()",
    )
    .catch(() => undefined);
  await admin?.query('DROP SCHEMA IF EXISTS live_test CASCADE').catch(() => undefined);
  await admin?.end();
  await pool?.end();
});

describe('live queries', () => {
  it('returns exact rows of every common type as Arrow chunks that decode right', async () => {
    const live = newLive({ rowsPerChunk: 300, fetchRows: 128 });
    const meta = await live.run(
      'q-types',
      `SELECT g AS n, g::bigint * 10000000000 AS big, g / 4.0::float8 AS half, ('s' || g) AS label,
              g % 2 = 0 AS even, TIMESTAMPTZ '2026-01-02 03:04:05.123456+02' + g * INTERVAL '1 second' AS at,
              DATE '1999-12-31' + g AS day, (g::numeric / 8) AS ratio, CASE WHEN g % 3 = 0 THEN NULL ELSE g END AS sometimes,
              TIMESTAMP '1969-07-20 20:17:40' AS landing, '{"a": 1}'::jsonb AS doc
       FROM generate_series(1, 1000) g ORDER BY g`,
    );
    expect(meta.rowCount).toBe(1000);
    // Exactly rowsPerChunk rows per chunk, as the warehouse does.
    expect(meta.chunkCount).toBe(4);
    expect(meta.resultId.startsWith('live-')).toBe(true);
    expect(meta.columns.map((c) => `${c.name}:${c.type}`)).toEqual([
      'n:integer',
      'big:bigint',
      'half:double precision',
      'label:text',
      'even:boolean',
      'at:timestamp with time zone',
      'day:date',
      'ratio:numeric',
      'sometimes:integer',
      'landing:timestamp without time zone',
      'doc:jsonb',
    ]);
    const rows = await decode(live, meta.resultId, meta.chunkCount);
    expect(rows).toHaveLength(1000);
    const first = rows[0]!;
    expect(first).toMatchObject({ n: 1, big: 10_000_000_000n, half: 0.25, label: 's1', even: false, ratio: 0.125 });
    expect(first.sometimes).toBe(1);
    expect(rows[2]!.sometimes).toBeNull();
    // Arrow timestamps in ms from toJSON(); check the microseconds through the raw vector.
    const table = tableFromIPC(live.resultChunk(meta.resultId, 0));
    const at = table.getChild('at')!;
    expect(at.type.toString()).toContain('Timestamp');
    const raw = at.data[0]!.values as BigInt64Array;
    expect(raw[0]).toBe(BigInt(Date.parse('2026-01-02T01:04:06Z')) * 1000n + 123_456n);
    expect(new Date(first.day as number).toISOString()).toBe('2000-01-01T00:00:00.000Z');
    expect(new Date(Number(first.landing)).toISOString()).toBe('1969-07-20T20:17:40.000Z');
    expect(first.doc).toBe('{"a": 1}');
    expect(rows[999]).toMatchObject({ n: 1000, label: 's1000', even: true });
    expect(live.releaseResult(meta.resultId)).toBe(true);
    expect(() => live.resultChunk(meta.resultId, 0)).toThrow(/no longer held/);
  });

  it('reads the metrics the server holds, the same as a direct count', async () => {
    const live = newLive();
    const { rows } = await admin.query<{ n: string }>('SELECT count(*) AS n FROM dash.pipeline_metrics');
    const meta = await live.run('q-metrics', 'SELECT * FROM dash.pipeline_metrics');
    expect(meta.rowCount).toBe(Number(rows[0]!.n));
    expect(meta.rowCount).toBeGreaterThan(0);
    expect(meta.columns.map((c) => c.name)).toEqual(['time', 'pipeline_id', 'series_id', 'metric_name', 'value']);
    // The shared time-bucket SQL runs on plain PostgreSQL as date_bin.
    const buckets = await live.run(
      'q-buckets',
      bucketPreviewSql(PLAIN_POSTGRES, 'dash', 'pipeline_metrics', 'time', '1 day'),
    );
    const bucketRows = await decode(live, buckets.resultId, buckets.chunkCount);
    expect(bucketRows.reduce((sum, r) => sum + Number(r.points), 0)).toBe(meta.rowCount);
  });

  it('an empty result still has its columns', async () => {
    const live = newLive();
    const meta = await live.run('q-empty', 'SELECT 1 AS one WHERE false');
    expect(meta).toMatchObject({ rowCount: 0, chunkCount: 1 });
    expect(meta.columns).toEqual([{ name: 'one', type: 'integer' }]);
    expect(tableFromIPC(live.resultChunk(meta.resultId, 0)).numRows).toBe(0);
  });

  it('cancels a long query on the server and frees its backend', async () => {
    const live = newLive();
    const running = live.run('q-sleep', 'SELECT pg_sleep(30)');
    running.catch(() => undefined);
    const pid = await backendRunning();
    expect(await live.cancel('q-sleep')).toBe(true);
    const err = await failure(running);
    expect(err.code).toBe('cancelled');
    const { rows } = await admin.query<{ state: string; xact: string | null }>(
      'SELECT state, xact_start::text AS xact FROM pg_stat_activity WHERE pid = $1',
      [pid],
    );
    // Back in the pool, idle and outside any transaction (or closed).
    if (rows[0]) expect(rows[0]).toEqual({ state: 'idle', xact: null });
    expect(await live.cancel('q-sleep')).toBe(false);
    // The pool still works after it.
    const meta = await live.run('q-after', 'SELECT 42 AS answer');
    expect(await decode(live, meta.resultId, meta.chunkCount)).toEqual([{ answer: 42 }]);
  });

  it('cancels a big streaming result mid-flight', async () => {
    const live = newLive({ fetchRows: 1000 });
    const running = live.run(
      'q-stream',
      'SELECT g, pg_sleep(0.0005) AS nap, md5(g::text) AS h FROM generate_series(1, 2000000) g',
    );
    running.catch(() => undefined);
    const pid = await backendRunning();
    await live.cancel('q-stream');
    expect((await failure(running)).code).toBe('cancelled');
    const { rows } = await admin.query<{ state: string }>('SELECT state FROM pg_stat_activity WHERE pid = $1', [pid]);
    if (rows[0]) expect(rows[0].state).toBe('idle');
  });

  it('refuses writes with a clear message and changes nothing', async () => {
    const live = newLive();
    const before = await admin.query('SELECT * FROM live_test.notes ORDER BY id');
    const writes = [
      "INSERT INTO live_test.notes VALUES (3, 'no')",
      "UPDATE live_test.notes SET note = 'changed'",
      'DELETE FROM live_test.notes',
      'CREATE TABLE live_test.other (x int)',
      'TRUNCATE live_test.notes',
      "-- a comment first\n  insert into live_test.notes values (4, 'no')",
      "WITH w AS (INSERT INTO live_test.notes VALUES (5, 'no') RETURNING *) SELECT * FROM w",
      'SELECT live_test.sneaky_write()',
      'SELECT 1; DELETE FROM live_test.notes',
      'SELECT 1; COMMIT; DELETE FROM live_test.notes',
      'SELECT * FROM live_test.notes FOR UPDATE',
      'EXPLAIN ANALYZE DELETE FROM live_test.notes',
    ];
    for (const [i, sql] of writes.entries()) {
      const err = await failure(live.run(`q-write-${i}`, sql));
      expect(err.message, sql).toMatch(/^Live queries (are read-only|run one statement at a time)/);
      expect(err.hint, sql).toBeTruthy();
    }
    const after = await admin.query('SELECT * FROM live_test.notes ORDER BY id');
    expect(after.rows).toEqual(before.rows);
    const { rows } = await admin.query("SELECT to_regclass('live_test.other') AS other");
    expect(rows[0].other).toBeNull();
  });

  it('stops at the statement timeout with a clear message', async () => {
    const live = newLive({ timeoutMs: 200 });
    const err = await failure(live.run('q-timeout', 'SELECT pg_sleep(10)'));
    expect(err.code).toBe('timeout');
    expect(err.message).toMatch(/statement timeout/);
    expect(err.hint).toMatch(/sync the range/);
    // The pooled connection did not keep the short timeout.
    const { rows } = await pool.query("SELECT current_setting('statement_timeout') AS t");
    expect(rows[0].t).not.toBe('200ms');
  });

  it('bounds memory: a result past the row limit stops with a hint to sync the range', async () => {
    const live = newLive({ maxRows: 1000, fetchRows: 300 });
    const err = await failure(live.run('q-big', 'SELECT g FROM generate_series(1, 5000) g'));
    expect(err.message).toMatch(/more than 1,000 rows/);
    expect(err.hint).toMatch(/sync the range/);
    const exact = await live.run('q-exact', 'SELECT g FROM generate_series(1, 1000) g');
    expect(exact.rowCount).toBe(1000);
  });

  it('asks before heavy work: refuses a query the planner expects to read past the limit, running nothing', async () => {
    const live = newLive();
    // Division by zero on every row, but only when run: the refusal proves it never ran.
    const heavy = 'SELECT 1 / (id - id) AS boom FROM live_test.readings WHERE value > 0';
    const err = await failure(live.run('q-heavy', heavy, 10_000));
    expect(err.code).toBe('heavy_read');
    // A sequential scan reads the whole table whatever its filter: counted as the table's 50,000 rows.
    expect(err.message).toMatch(
      /about 5\d,\d{3} rows .*above 10,000\)\. It reads "live_test"\."readings" from end to end\. Nothing was run\./,
    );
    expect(err.hint).toMatch(/Run it anyway.*sync these days/);

    // An index range under the limit runs at once; the same statement with no limit runs as written.
    const narrow = await live.run('q-narrow', 'SELECT id FROM live_test.readings WHERE id < 100', 10_000);
    expect(narrow.rowCount).toBe(99);
    // A LIMIT stops a streaming scan early (the Server section's "query live" reads 1,000 rows)…
    const first = await live.run('q-first', 'SELECT * FROM live_test.readings LIMIT 1000', 10_000);
    expect(first.rowCount).toBe(1000);
    // …but not one that sorts everything first.
    const sorted = await failure(
      live.run('q-sorted', 'SELECT * FROM live_test.readings ORDER BY value DESC LIMIT 10', 10_000),
    );
    expect(sorted.code).toBe('heavy_read');
    const anyway = await failure(live.run('q-anyway', heavy, null));
    expect(anyway.code).toBe('query_failed');
    expect(anyway.message).toMatch(/division by zero/);
    const whole = await live.run('q-whole', 'SELECT id FROM live_test.readings', null);
    expect(whole.rowCount).toBe(50_000);
  });

  it('keeps SQL error positions right when it plans first', async () => {
    const live = newLive();
    const err = await failure(
      live.run('q-bad-planned', 'SELECT 1 AS ok,\n  nope_column FROM dash.pipeline_metrics', 10_000),
    );
    expect(err.code).toBe('query_failed');
    expect(err.message).toMatch(/nope_column.*line 2, column 3/);
  });

  it('reports SQL errors with their position in the user’s text', async () => {
    const live = newLive();
    const err = await failure(live.run('q-bad', 'SELECT 1 AS ok,\n  nope_column FROM dash.pipeline_metrics'));
    expect(err.code).toBe('query_failed');
    expect(err.message).toMatch(/nope_column.*line 2, column 3/);
  });
});

describe('server catalog', () => {
  it('says plain PostgreSQL and lists dash.pipeline_metrics with its columns', async () => {
    const catalog = await readServerCatalog(pool);
    expect(catalog.mode).toBe('plain');
    expect(catalog.modeLabel).toBe('plain PostgreSQL');
    expect(catalog.timescaleVersion).toBeNull();
    expect(catalog.hypertables).toEqual([]);
    expect(catalog.continuousAggregates).toEqual([]);
    expect(catalog.jobs).toEqual([]);
    const dash = catalog.schemas.find((s) => s.name === 'dash');
    const metrics = dash?.relations.find((r) => r.name === 'pipeline_metrics');
    expect(metrics).toMatchObject({ kind: 'table', isHypertable: false, timeColumn: 'time' });
    expect(metrics!.columns).toEqual([
      { name: 'time', type: 'timestamp with time zone', nullable: false },
      { name: 'pipeline_id', type: 'text', nullable: false },
      { name: 'series_id', type: 'text', nullable: false },
      { name: 'metric_name', type: 'text', nullable: false },
      { name: 'value', type: 'double precision', nullable: true },
    ]);
    expect(metrics!.bytes).toBeGreaterThan(0);
    expect(catalog.schemas.some((s) => s.name === 'pg_catalog' || s.name === 'information_schema')).toBe(false);
  });
});
