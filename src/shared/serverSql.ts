/**
 * SQL text for the Dash server (TimescaleDB or plain PostgreSQL), built in one
 * place so the Node side and the renderer bucket time the same way. Pure: no
 * Node, DOM or driver.
 */
import { quoteLiteral, readableName } from './sql';

export type ServerMode = 'timescaledb' | 'plain';

/**
 * What SQL for a server depends on: whether TimescaleDB is there, and the schema
 * its functions live in (named in pg_extension; it need not be on the search_path).
 */
export interface ServerKind {
  mode: ServerMode;
  /** Unquoted, as pg_extension names it; null on plain PostgreSQL. */
  timescaleSchema: string | null;
}

export const PLAIN_POSTGRES: ServerKind = { mode: 'plain', timescaleSchema: null };

/** A TimescaleDB function qualified by the extension's schema: `tsdb.time_bucket`. */
export function timescaleFunction(server: ServerKind, name: string): string {
  return server.timescaleSchema === null ? pgName(name) : `${pgName(server.timescaleSchema)}.${pgName(name)}`;
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
 * month with date_trunc('month', col, 'UTC') instead. `originSql` (a safe
 * timestamptz expression) moves the edges, e.g. to a chart window's start.
 */
export function timeBucketSql(server: ServerKind, intervalSql: string, columnSql: string, originSql?: string): string {
  if (server.mode === 'timescaledb') {
    const origin = originSql === undefined ? '' : `, origin => ${originSql}`;
    return `${timescaleFunction(server, 'time_bucket')}(${intervalSql}, ${columnSql}${origin})`;
  }
  return `date_bin(${intervalSql}, ${columnSql}, ${originSql ?? TIME_BUCKET_ORIGIN_SQL})`;
}

/** A timestamptz as ISO-8601 UTC text with microseconds (`2026-01-02T03:04:05.123456Z`), whatever the session's TimeZone. */
export function isoUtcSql(columnSql: string): string {
  return `to_char(${columnSql} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

// PostgreSQL's reserved key words (and `time`, which reads as a type before a string).
const PG_RESERVED = new Set(
  (
    'all analyse analyze and any array as asc asymmetric authorization binary both case cast check collate ' +
    'collation column concurrently constraint create cross current_catalog current_date current_role ' +
    'current_schema current_time current_timestamp current_user default deferrable desc distinct do else end ' +
    'except false fetch for foreign freeze from full grant group having ilike in initially inner intersect into ' +
    'is isnull join lateral leading left like limit localtime localtimestamp natural not notnull null offset on ' +
    'only or order outer overlaps placing primary references returning right select session_user similar some ' +
    'symmetric system_user table tablesample then time to trailing true union unique user using variadic ' +
    'verbose when where window with'
  ).split(' '),
);

/**
 * A string literal for server SQL, whatever the server's
 * standard_conforming_strings: where it is off, a backslash in '…' escapes the
 * next character (a crafted `\'` would end the literal), so text with a
 * backslash is written as E'…' with the backslashes doubled.
 */
export function pgLiteral(value: string): string {
  if (!value.includes('\\')) return quoteLiteral(value);
  return `E${quoteLiteral(value.replaceAll('\\', '\\\\'))}`;
}

/** An identifier for server SQL, quoted only when it must be: `dash.pipeline_metrics`. */
export function pgName(name: string): string {
  return readableName(name, PG_RESERVED);
}

export function pgRelation(schema: string, name: string): string {
  return `${pgName(schema)}.${pgName(name)}`;
}

/** What "Query live" on a table opens. */
export function liveSelectSql(schema: string, name: string, limit = 1000): string {
  return `SELECT * FROM ${pgRelation(schema, name)} LIMIT ${Math.max(1, Math.trunc(limit))};\n`;
}

/** Intervals a bucket preview offers; anything else is refused rather than pasted into SQL. */
export const BUCKET_INTERVALS = ['1 minute', '5 minutes', '15 minutes', '1 hour', '1 day', '7 days'] as const;
export type BucketInterval = (typeof BUCKET_INTERVALS)[number];

/**
 * Rows per time bucket of a table, newest first: a cheap look at how a range is
 * filled before querying (or syncing) it. Uses time_bucket on TimescaleDB and
 * date_bin on plain PostgreSQL.
 */
export function bucketPreviewSql(
  server: ServerKind,
  schema: string,
  name: string,
  timeColumn: string,
  interval: BucketInterval = '1 hour',
  limit = 1000,
): string {
  if (!BUCKET_INTERVALS.includes(interval)) throw new Error(`Unsupported bucket interval: ${String(interval)}`);
  const bucket = timeBucketSql(server, `${quoteLiteral(interval)}::interval`, pgName(timeColumn));
  return (
    `SELECT ${bucket} AS bucket, count(*) AS points\n` +
    `FROM ${pgRelation(schema, name)}\n` +
    `GROUP BY 1\nORDER BY 1 DESC\nLIMIT ${Math.max(1, Math.trunc(limit))};\n`
  );
}
