/**
 * Benchmark datasets, generated once into the bench cache: Parquet files
 * (deterministic) and an embedded PostgreSQL holding metric points.
 */
import { existsSync } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DuckDBInstance } from '@duckdb/node-api';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { EmbeddedServer } from '../src/main/services/postgres/EmbeddedServer';
import { applyMigrations } from '../src/main/services/postgres/Migrations';
import { quoteLiteral } from '../src/shared/sql';
import type { BenchContext } from './harness';

/**
 * A Parquet file in the bench cache written once from `select` (deterministic
 * SQL), through a temporary name so an interrupted run never leaves half a file.
 */
export async function generatedParquet(cacheDir: string, name: string, select: string): Promise<string> {
  const file = join(cacheDir, name);
  if (existsSync(file)) return file;
  await mkdir(cacheDir, { recursive: true });
  const tmp = `${file}.tmp`;
  const db = await DuckDBInstance.create(':memory:', {
    autoload_known_extensions: 'false',
    autoinstall_known_extensions: 'false',
  });
  const con = await db.connect();
  try {
    await con.run(`COPY (${select}) TO ${quoteLiteral(tmp)} (FORMAT parquet, ROW_GROUP_SIZE 122880)`);
  } finally {
    con.closeSync();
    db.closeSync();
  }
  await rename(tmp, file);
  return file;
}

/**
 * `rows` metric points in one Parquet file: 200 series at one-minute spacing,
 * values from a daily cycle plus hash noise, so hourly buckets are realistic.
 */
export function metricsParquet(cacheDir: string, rows: number): Promise<string> {
  return generatedParquet(
    cacheDir,
    `metrics-${rows}.parquet`,
    `
        SELECT 'series-' || lpad((i % 200)::VARCHAR, 4, '0') AS series_id,
               TIMESTAMPTZ '2026-10-01 00:00:00+00' + to_minutes((i // 200)::BIGINT) AS ts,
               100 + 50 * sin(2 * pi() * ((i // 200) % 1440) / 1440) + (hash(i) % 1000) / 100.0 AS value
        FROM range(${rows}) t(i)
        ORDER BY ts, series_id
  `,
  );
}

/**
 * The hourly aggregation of query.warehouse and query.wasm. Buckets come from
 * epoch_us so the same SQL runs on DuckDB-WASM, which has no ICU: there,
 * TIMESTAMPTZ functions such as epoch() or date_trunc() would try to load it.
 */
export function hourlyAggregationSql(table: string): string {
  return `
    SELECT series_id,
           make_timestamp((epoch_us(ts) // 3600000000) * 3600000000) AS hour,
           count(*) AS points, avg(value) AS avg_value, min(value) AS min_value, max(value) AS max_value
    FROM ${table}
    GROUP BY ALL`;
}

/**
 * Metric points on the server: every pipeline × series × metric, one point
 * every 10 minutes for `days` days from 2026-01-01.
 */
export interface ServerMetrics {
  pipelines: string[];
  days: number;
  series: number;
  metrics: string[];
}

const POINTS_PER_DAY = 144; // one point every 10 minutes

export function serverMetricRows(spec: ServerMetrics): number {
  return spec.pipelines.length * spec.days * spec.series * spec.metrics.length * POINTS_PER_DAY;
}

/**
 * Runs `measure` against an embedded PostgreSQL holding `spec`'s metric
 * points. Its data folder (`<cacheDir>/<name>`) persists under the bench
 * cache, so the rows are generated on the first run only.
 */
export async function withMetricServer<T>(
  ctx: Pick<BenchContext, 'cacheDir' | 'log'>,
  name: string,
  spec: ServerMetrics,
  measure: (pool: pg.Pool) => Promise<T>,
): Promise<T> {
  await mkdir(ctx.cacheDir, { recursive: true });
  const server = await EmbeddedServer.start({ dataDir: join(ctx.cacheDir, name) });
  const pool = new pg.Pool({ ...server.connectionConfig(), max: 4 });
  pool.on('error', () => undefined);
  try {
    const client = await pool.connect();
    try {
      await ensureMetricRows(client, spec, ctx.log);
    } finally {
      client.release();
    }
    return await measure(pool);
  } finally {
    await pool.end();
    await server.stop();
  }
}

async function ensureMetricRows(
  client: pg.ClientBase,
  spec: ServerMetrics,
  log: (line: string) => void,
): Promise<void> {
  await applyMigrations(client);
  const expected = serverMetricRows(spec);
  const { rows } = await client.query<{ n: string }>(
    'SELECT count(*)::text AS n FROM dash.pipeline_metrics WHERE pipeline_id = ANY($1::text[])',
    [spec.pipelines],
  );
  if (Number(rows[0]?.n) === expected) return;
  log(`  generating ${expected.toLocaleString('en-US')} rows`);
  await client.query('DELETE FROM dash.pipeline_metrics WHERE pipeline_id = ANY($1::text[])', [spec.pipelines]);
  // In time order, as a live server receives them.
  await client.query(
    `INSERT INTO dash.pipeline_metrics (time, pipeline_id, series_id, metric_name, value)
     SELECT t, p, 'device-' || lpad(s::text, 4, '0'), m, sin(extract(epoch FROM t) / 3600 + s) * 100 + random()
     FROM generate_series(TIMESTAMPTZ '2026-01-01 00:00+00', TIMESTAMPTZ '2026-01-01 00:00+00' + INTERVAL '${spec.days} days' - INTERVAL '10 minutes', INTERVAL '10 minutes') AS t,
          unnest($1::text[]) AS p, generate_series(1, ${spec.series}) AS s, unnest($2::text[]) AS m
     ORDER BY t`,
    [spec.pipelines, spec.metrics],
  );
  await client.query('VACUUM ANALYZE dash.pipeline_metrics');
}

/**
 * The server's own limit for reading `select`'s rows: a bare COPY (FORMAT
 * binary), read and dropped. Returns the number of rows copied.
 */
async function bareCopyBinary(pool: pg.Pool, select: string): Promise<number> {
  const client = await pool.connect();
  try {
    const copy = client.query(copyTo(`COPY (${select}) TO STDOUT (FORMAT binary)`));
    await pipeline(
      copy,
      new Writable({
        write(_chunk, _encoding, done) {
          done();
        },
      }),
    );
    return copy.rowCount;
  } finally {
    client.release();
  }
}

/** The time in ms of `bareCopyBinary`, checking that it copied `rows` rows. */
export async function bareCopyBinaryMs(pool: pg.Pool, select: string, rows: number): Promise<number> {
  const started = performance.now();
  const copied = await bareCopyBinary(pool, select);
  const ms = performance.now() - started;
  if (copied !== rows) throw new Error(`bare COPY returned ${copied} of ${rows} rows`);
  return ms;
}
