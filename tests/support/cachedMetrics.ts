/**
 * What a workspace's local metrics cache holds, read straight from its Parquet files with
 * DuckDB (offline: no extension downloads) — the truth e2e tests check the UI against.
 */
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

/** Runs `sql(source)`, where `source` reads every cached metrics file, and returns its rows. */
export async function queryCachedMetrics(
  workspaceDir: string,
  sql: (source: string) => string,
): Promise<Record<string, unknown>[]> {
  const db = await DuckDBInstance.create(':memory:', {
    autoload_known_extensions: 'false',
    autoinstall_known_extensions: 'false',
  });
  const con = await db.connect();
  try {
    const glob = join(workspaceDir, 'cache', 'metrics', '*', '*', '*.parquet').replaceAll("'", "''");
    const reader = await con.runAndReadAll(sql(`read_parquet('${glob}', hive_partitioning = true)`));
    return reader.getRowObjects();
  } finally {
    con.closeSync();
    db.closeSync();
  }
}
