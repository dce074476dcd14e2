/**
 * TimescaleDB or plain PostgreSQL: the workbench works on both, and says which
 * one it is talking to. Development machines and the tests run plain PostgreSQL.
 */
import type pg from 'pg';
import type { ServerMode } from '../../../shared/serverSql';

export type { ServerMode };

export interface ServerModeInfo {
  mode: ServerMode;
  /** e.g. '18.1' */
  serverVersion: string;
  /** The installed timescaledb extension version, null on plain PostgreSQL. */
  timescaleVersion: string | null;
}

export async function detectServerMode(client: pg.ClientBase | pg.Pool): Promise<ServerModeInfo> {
  const { rows } = await client.query<{ server_version: string; timescale_version: string | null }>(
    `SELECT current_setting('server_version') AS server_version,
            (SELECT extversion FROM pg_extension WHERE extname = 'timescaledb') AS timescale_version`,
  );
  const row = rows[0];
  if (!row) throw new Error('The server did not report its version');
  return {
    mode: row.timescale_version ? 'timescaledb' : 'plain',
    serverVersion: row.server_version,
    timescaleVersion: row.timescale_version,
  };
}

// The bucketing SQL is pure and shared with the renderer.
export { TIME_BUCKET_ORIGIN_SQL, timeBucketSql } from '../../../shared/serverSql';
