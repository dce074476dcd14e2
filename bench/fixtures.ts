/**
 * Benchmark datasets, generated once (deterministically) into the bench cache.
 */
import { existsSync } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { quoteLiteral } from '../src/shared/sql';

/**
 * `rows` metric points in one Parquet file: 200 series at one-minute spacing,
 * values from a daily cycle plus hash noise, so hourly buckets are realistic.
 */
export async function metricsParquet(cacheDir: string, rows: number): Promise<string> {
  const file = join(cacheDir, `metrics-${rows}.parquet`);
  if (existsSync(file)) return file;
  await mkdir(cacheDir, { recursive: true });
  const tmp = `${file}.tmp`;
  const db = await DuckDBInstance.create(':memory:', {
    autoload_known_extensions: 'false',
    autoinstall_known_extensions: 'false',
  });
  const con = await db.connect();
  try {
    await con.run(`
      COPY (
        SELECT 'series-' || lpad((i % 200)::VARCHAR, 4, '0') AS series_id,
               TIMESTAMPTZ '2026-10-01 00:00:00+00' + to_minutes((i // 200)::BIGINT) AS ts,
               100 + 50 * sin(2 * pi() * ((i // 200) % 1440) / 1440) + (hash(i) % 1000) / 100.0 AS value
        FROM range(${rows}) t(i)
        ORDER BY ts, series_id
      ) TO ${quoteLiteral(tmp)} (FORMAT parquet, ROW_GROUP_SIZE 122880)`);
  } finally {
    con.closeSync();
    db.closeSync();
  }
  await rename(tmp, file);
  return file;
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
