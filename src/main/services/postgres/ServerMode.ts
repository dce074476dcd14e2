/**
 * TimescaleDB or plain PostgreSQL: the workbench works on both, and says which
 * one it is talking to. Development machines and the tests run plain PostgreSQL.
 */
import type pg from 'pg';

export type ServerMode = 'timescaledb' | 'plain';

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

/**
 * Where time_bucket() puts bucket boundaries by default for intervals without
 * months: 2000-01-03 00:00 UTC, a Monday, so weekly buckets start on Mondays.
 * Spelled with its offset so the session's TimeZone cannot move it.
 */
export const TIME_BUCKET_ORIGIN_SQL = "TIMESTAMPTZ '2000-01-03 00:00:00+00'";

/**
 * SQL bucketing `columnSql` (a timestamptz) into `intervalSql` buckets, the same
 * buckets on both kinds of server. Both arguments are SQL text the caller has
 * already made safe (a quoted literal or a $n parameter, and a quoted column).
 * On plain PostgreSQL this is date_bin(), which (like the rest of this
 * contract) does not take intervals with months or years; bucket by calendar
 * month with date_trunc('month', col, 'UTC') instead.
 */
export function timeBucketSql(mode: ServerMode, intervalSql: string, columnSql: string): string {
  return mode === 'timescaledb'
    ? `time_bucket(${intervalSql}, ${columnSql})`
    : `date_bin(${intervalSql}, ${columnSql}, ${TIME_BUCKET_ORIGIN_SQL})`;
}
