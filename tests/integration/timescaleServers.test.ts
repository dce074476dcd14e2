/**
 * Both TimescaleDB servers the tests use are real: Debian's (2.19, Apache
 * edition: hypertables and chunks, but compression refused) and PGlite's
 * (2.23-dev: compression and continuous aggregates).
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPgliteTimescale, type PgliteTimescale } from '../support/pgliteTimescale';
import { createTimescaleDatabase, describeTimescale, timescaleOrSkip } from '../support/timescale';

/** Three days of hourly rows for three series: 216 rows over three 1-day chunks. */
const CREATE_HYPERTABLE = [
  'CREATE TABLE m (time timestamptz NOT NULL, series int NOT NULL, value double precision)',
  "SELECT tsdb.create_hypertable('m', 'time', chunk_time_interval => interval '1 day')",
  `INSERT INTO m
     SELECT t, s, s * 10 + extract(hour FROM t)
     FROM generate_series('2024-01-01 00:00+00'::timestamptz, '2024-01-03 23:00+00', interval '1 hour') t,
          generate_series(1, 3) s`,
];

describeTimescale('Debian TimescaleDB (Apache edition)', () => {
  let config: pg.ClientConfig;
  let client: pg.Client;

  beforeAll(async () => {
    // The extension's functions in a schema that is not on search_path, as on the Dash cluster.
    config = await createTimescaleDatabase('ts_smoke', { extensionSchema: 'tsdb' });
    client = new pg.Client(config);
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
  });

  it('is TimescaleDB 2.x with the extension in tsdb, off the search_path', async () => {
    const server = timescaleOrSkip()!;
    expect(server.timescaleVersion).toMatch(/^2\.\d+\.\d+/);
    const { rows } = await client.query<{ extversion: string; schema: string; search_path: string }>(
      `SELECT e.extversion, n.nspname AS schema, current_setting('search_path') AS search_path
       FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'timescaledb'`,
    );
    expect(rows).toEqual([{ extversion: server.timescaleVersion, schema: 'tsdb', search_path: '"$user", public' }]);
  });

  it('makes hypertables with chunks but refuses compression (Apache license)', async () => {
    for (const sql of CREATE_HYPERTABLE) await client.query(sql);
    const chunks = await client.query<{ chunk_name: string }>(
      "SELECT chunk_name FROM timescaledb_information.chunks WHERE hypertable_name = 'm' ORDER BY range_start",
    );
    expect(chunks.rows).toHaveLength(3);
    const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM m');
    expect(rows[0]!.n).toBe('216');
    await expect(client.query('ALTER TABLE m SET (timescaledb.compress)')).rejects.toThrow(
      /not supported under the current "apache" license/,
    );
  });

  it('accepts other login roles with a password over TCP', async () => {
    await client.query("CREATE ROLE ts_smoke_reader LOGIN PASSWORD 'reader-secret'");
    await client.query('GRANT SELECT ON m TO ts_smoke_reader');
    const reader = new pg.Client({ ...config, user: 'ts_smoke_reader', password: 'reader-secret' });
    await reader.connect();
    try {
      const { rows } = await reader.query<{ who: string; n: string }>(
        'SELECT current_user AS who, count(*) AS n FROM m',
      );
      expect(rows).toEqual([{ who: 'ts_smoke_reader', n: '216' }]);
    } finally {
      await reader.end();
    }
    const wrong = new pg.Client({ ...config, user: 'ts_smoke_reader', password: 'wrong' });
    await expect(wrong.connect()).rejects.toThrow(/password authentication failed/);
    await wrong.end().catch(() => undefined);
  });
});

describe('PGlite TimescaleDB (compression and continuous aggregates)', () => {
  let server: PgliteTimescale;
  let pool: pg.Pool;

  beforeAll(async () => {
    server = await startPgliteTimescale({ extensionSchema: 'tsdb' });
    pool = server.pool();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('compresses a chunk and refreshes a continuous aggregate', async () => {
    expect(server.timescaleVersion).toMatch(/^2\.\d+/);
    for (const sql of CREATE_HYPERTABLE) await pool.query(sql);

    await pool.query(
      "ALTER TABLE m SET (timescaledb.compress, timescaledb.compress_segmentby = 'series', timescaledb.compress_orderby = 'time')",
    );
    await pool.query("SELECT tsdb.compress_chunk(c) FROM tsdb.show_chunks('m') c ORDER BY c LIMIT 1");
    const chunks = await pool.query<{ is_compressed: boolean }>(
      "SELECT is_compressed FROM timescaledb_information.chunks WHERE hypertable_name = 'm' ORDER BY range_start",
    );
    expect(chunks.rows.map((r) => r.is_compressed)).toEqual([true, false, false]);
    // Compressed rows still read back.
    const total = await pool.query<{ n: string; sum: number }>('SELECT count(*) AS n, sum(value) AS sum FROM m');
    expect(total.rows[0]).toEqual({ n: '216', sum: 6804 });

    await pool.query(
      `CREATE MATERIALIZED VIEW m_daily WITH (timescaledb.continuous) AS
         SELECT tsdb.time_bucket(interval '1 day', time) AS day, series, count(*) AS n, avg(value) AS avg
         FROM m GROUP BY 1, 2 WITH NO DATA`,
    );
    await pool.query("CALL tsdb.refresh_continuous_aggregate('m_daily', NULL, NULL)");
    const daily = await pool.query<{ day: Date; series: number; n: string; avg: number }>(
      'SELECT day, series, n, avg FROM m_daily ORDER BY day, series',
    );
    expect(daily.rows).toHaveLength(9);
    for (const row of daily.rows) {
      expect(row.n).toBe('24');
      expect(row.avg).toBe(row.series * 10 + 11.5);
    }
    expect(daily.rows[0]!.day.toISOString()).toBe('2024-01-01T00:00:00.000Z');
  });
});
