/**
 * Continuous aggregates over dash.pipeline_metrics (and aggregates over those),
 * and refreshing them after a push changed a range of raw rows.
 *
 * TimescaleDB refreshes only the buckets that lie wholly inside the window it is
 * given, and refuses a window shorter than one bucket; so a push's range is
 * widened, for each aggregate, to whole buckets of that aggregate on both edges
 * — computed by the server's own time_bucket with the aggregate's width, origin,
 * offset and time zone. Refreshing needs the aggregate owner's rights and USAGE
 * on the extension's schema; `refreshChecks` says beforehand what a role lacks.
 */
import type pg from 'pg';
import { pgName } from '../../../../shared/serverSql';
import { quoteLiteral } from '../../../../shared/sql';
import { pgErrorText } from '../pgErrors';
import { timescaleUsageGrant, type TimescaleExtension } from '../ServerMode';
import { METRICS_HYPERTABLE } from './MetricChunks';

export interface AggregateBucket {
  /** e.g. `1 day` */
  width: string;
  origin: string | null;
  offset: string | null;
  timezone: string | null;
}

export interface MetricAggregate {
  /** `schema.view` as SQL. */
  name: string;
  owner: string;
  /** Null when this TimescaleDB does not say (the refresh then uses the range as it is). */
  bucket: AggregateBucket | null;
  /** 0 over pipeline_metrics, 1 over such an aggregate, …: refreshed in that order. */
  depth: number;
  /** Its materialization hypertable's id (what cagg_watermark takes). */
  matHypertableId: number;
  /** False for a real-time aggregate (it adds raw rows past its watermark). */
  materializedOnly: boolean;
  /**
   * Its query as written (the direct view, deparsed), null if the catalog does
   * not name it. The user view's own text is a select from the materialization
   * hypertable (and the raw rows past the watermark when real-time).
   */
  viewDefinition: string | null;
}

export interface RefreshWindow {
  start: string;
  end: string;
}

export interface AggregateRefreshCheck {
  name: string;
  canRefresh: boolean;
  /** Why not, and what would allow it. */
  reason: string | null;
}

export interface AggregateRefresh {
  name: string;
  window: RefreshWindow | null;
  refreshed: boolean;
  error: string | null;
}

const text = (value: unknown): string | null =>
  typeof value === 'string' && value.trim() !== '' ? value : typeof value === 'number' ? String(value) : null;

/** The continuous aggregates built on dash.pipeline_metrics, directly or over one another, parents first. */
export async function metricAggregates(client: pg.ClientBase | pg.Pool): Promise<MetricAggregate[]> {
  const { rows } = await client.query<{
    name: string;
    owner: string;
    depth: number;
    mat_hypertable_id: number;
    agg: Record<string, unknown>;
    definition: string | null;
    view_definition: string | null;
  }>(
    `WITH RECURSIVE tree AS (
       SELECT ca.mat_hypertable_id, ca.user_view_schema, ca.user_view_name, to_jsonb(ca) AS agg, 0 AS depth
       FROM _timescaledb_catalog.continuous_agg ca
       JOIN _timescaledb_catalog.hypertable h ON h.id = ca.raw_hypertable_id
       WHERE h.schema_name = $1 AND h.table_name = $2
       UNION ALL
       SELECT ca.mat_hypertable_id, ca.user_view_schema, ca.user_view_name, to_jsonb(ca), t.depth + 1
       FROM _timescaledb_catalog.continuous_agg ca JOIN tree t ON ca.raw_hypertable_id = t.mat_hypertable_id
     )
     SELECT format('%I.%I', t.user_view_schema, t.user_view_name) AS name, pg_get_userbyid(c.relowner) AS owner,
            t.depth, t.mat_hypertable_id, t.agg, pg_get_viewdef(c.oid) AS definition,
            (SELECT pg_get_viewdef(dc.oid) FROM pg_class dc JOIN pg_namespace dn ON dn.oid = dc.relnamespace
             WHERE dc.relname = t.agg->>'direct_view_name' AND dn.nspname = t.agg->>'direct_view_schema') AS view_definition
     FROM tree t
     JOIN pg_class c ON c.relname = t.user_view_name
     JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = t.user_view_schema
     ORDER BY t.depth, 1`,
    [METRICS_HYPERTABLE.schema, METRICS_HYPERTABLE.name],
  );
  if (rows.length === 0) return [];
  // Since 2.14 every aggregate's bucket is in this table; before, only variable-width ones were.
  const functions = new Map<number, Record<string, unknown>>();
  const { rows: exists } = await client.query<{ found: boolean }>(
    "SELECT to_regclass('_timescaledb_catalog.continuous_aggs_bucket_function') IS NOT NULL AS found",
  );
  if (exists[0]?.found) {
    const { rows: fns } = await client.query<{ mat_hypertable_id: number; fn: Record<string, unknown> }>(
      'SELECT mat_hypertable_id, to_jsonb(bf) AS fn FROM _timescaledb_catalog.continuous_aggs_bucket_function bf',
    );
    for (const f of fns) functions.set(f.mat_hypertable_id, f.fn);
  }
  return rows.map((r) => ({
    name: r.name,
    owner: r.owner,
    depth: r.depth,
    bucket: bucketOf(functions.get(r.mat_hypertable_id) ?? null, r.agg, r.view_definition ?? r.definition),
    matHypertableId: r.mat_hypertable_id,
    materializedOnly: r.agg.materialized_only !== false,
    viewDefinition: r.view_definition,
  }));
}

function bucketOf(
  fn: Record<string, unknown> | null,
  agg: Record<string, unknown>,
  definition: string | null,
): AggregateBucket | null {
  const microseconds = typeof agg.bucket_width === 'number' || typeof agg.bucket_width === 'string';
  const width =
    text(fn?.bucket_width) ??
    (microseconds && Number(agg.bucket_width) > 0 ? `${Number(agg.bucket_width)} microseconds` : null) ??
    // Last resort: the width written in the view's own time_bucket call.
    (definition ? (/time_bucket\('([^']+)'::interval/.exec(definition)?.[1] ?? null) : null);
  if (!width) return null;
  return {
    width,
    origin: text(fn?.bucket_origin) ?? text(fn?.origin),
    offset: text(fn?.bucket_offset),
    timezone: text(fn?.bucket_timezone) ?? text(fn?.timezone),
  };
}

/** A bucket in words, for the plan: `1 day`, `1 day (in Europe/Berlin)`, `01:00:00 (offset 00:15:00)`. */
export function describeBucket(bucket: AggregateBucket): string {
  const extras = [
    bucket.timezone ? `in ${bucket.timezone}` : null,
    bucket.origin ? `from ${bucket.origin}` : null,
    bucket.offset ? `offset ${bucket.offset}` : null,
  ].filter(Boolean);
  return extras.length ? `${bucket.width} (${extras.join(', ')})` : bucket.width;
}

/** `time_bucket` as the aggregate calls it, over the SQL instant `at`. */
function bucketCall(ext: TimescaleExtension, bucket: AggregateBucket, at: string): string {
  const fn = `${ext.schemaSql}.time_bucket`;
  const width = `${quoteLiteral(bucket.width)}::interval`;
  const origin = bucket.origin ? `${quoteLiteral(bucket.origin)}::timestamptz` : null;
  const offset = bucket.offset ? `${quoteLiteral(bucket.offset)}::interval` : null;
  if (bucket.timezone) {
    const named = [origin ? `origin => ${origin}` : null, offset ? `"offset" => ${offset}` : null].filter(Boolean);
    return `${fn}(${[width, at, quoteLiteral(bucket.timezone), ...named].join(', ')})`;
  }
  if (origin) return `${fn}(${width}, ${at}, ${origin})`;
  if (offset) return `${fn}(${width}, ${at}, "offset" => ${offset})`;
  return `${fn}(${width}, ${at})`;
}

/**
 * SQL for the window refreshing `range` completely in an aggregate with `bucket`:
 * from the start of the bucket holding `range.start` to the end of the bucket
 * holding the range's last instant. The end is found as the bucket of that last
 * instant plus one bucket width (in the bucket's time zone, so a 23- or 25-hour
 * day is still one day); columns `start`, `end` as ISO text.
 */
function refreshWindowSql(ext: TimescaleExtension, bucket: AggregateBucket, range: RefreshWindow): string {
  const start = `${quoteLiteral(range.start)}::timestamptz`;
  const last = `(${quoteLiteral(range.end)}::timestamptz - interval '1 microsecond')`;
  const width = `${quoteLiteral(bucket.width)}::interval`;
  const beyond = bucket.timezone
    ? `((${last} AT TIME ZONE ${quoteLiteral(bucket.timezone)}) + ${width}) AT TIME ZONE ${quoteLiteral(bucket.timezone)}`
    : `${last} + ${width}`;
  return `SELECT to_json(${bucketCall(ext, bucket, start)}) #>> '{}' AS start,
                 to_json(${bucketCall(ext, bucket, `(${beyond})`)}) #>> '{}' AS "end"`;
}

/** Each aggregate's refresh window for a push over `range` (the range itself where the bucket is unknown). */
export async function refreshWindows(
  client: pg.ClientBase | pg.Pool,
  ext: TimescaleExtension,
  aggregates: MetricAggregate[],
  range: RefreshWindow,
): Promise<Map<string, RefreshWindow>> {
  const windows = new Map<string, RefreshWindow>();
  for (const agg of aggregates) {
    if (!agg.bucket) {
      windows.set(agg.name, range);
      continue;
    }
    const { rows } = await client.query<{ start: string; end: string }>(refreshWindowSql(ext, agg.bucket, range));
    const row = rows[0]!;
    windows.set(agg.name, { start: new Date(row.start).toISOString(), end: new Date(row.end).toISOString() });
  }
  return windows;
}

/** Whether the connected role may refresh each aggregate, and if not, what it lacks. */
export async function refreshChecks(
  client: pg.ClientBase | pg.Pool,
  ext: TimescaleExtension,
  aggregates: MetricAggregate[],
): Promise<AggregateRefreshCheck[]> {
  if (aggregates.length === 0) return [];
  const { rows } = await client.query<{ name: string; owns: boolean; user_name: string; can_execute: boolean }>(
    // By oid throughout: naming things in a schema the role may not use would fail before we could say so.
    `SELECT t.name, pg_has_role(c.relowner, 'USAGE') AS owns, current_user AS user_name,
            coalesce((SELECT bool_or(has_function_privilege(p.oid, 'EXECUTE')) FROM pg_proc p
                      WHERE p.proname = 'refresh_continuous_aggregate' AND p.pronamespace = e.extnamespace), false)
              AS can_execute
     FROM unnest($1::text[]) AS t(name)
     JOIN pg_class c ON c.oid = to_regclass(t.name)
     CROSS JOIN pg_extension e WHERE e.extname = 'timescaledb'`,
    [aggregates.map((a) => a.name)],
  );
  return aggregates.map((agg) => {
    const row = rows.find((r) => r.name === agg.name);
    const user = row?.user_name ?? 'this user';
    let reason: string | null = null;
    if (!ext.usable) {
      reason = `the role "${user}" may not use the schema "${ext.schema}" where TimescaleDB lives (${timescaleUsageGrant(ext, user)})`;
    } else if (!row?.can_execute) {
      reason = `the role "${user}" may not execute ${ext.schemaSql}.refresh_continuous_aggregate`;
    } else if (!row.owns) {
      reason = `only its owner "${agg.owner}" may refresh it, and "${user}" is not a member of that role (GRANT ${pgName(agg.owner)} TO ${pgName(user)}; or leave it to the aggregate's refresh policy)`;
    }
    return { name: agg.name, canRefresh: reason === null, reason };
  });
}

/**
 * Refreshes every aggregate over `range` widened to its buckets, parents before
 * the aggregates built on them. Never throws: each failure is reported with its
 * aggregate and the rest are still tried. Runs outside a transaction (CALL
 * refresh_continuous_aggregate cannot run inside one).
 */
export async function refreshAggregates(
  client: pg.ClientBase,
  ext: TimescaleExtension,
  aggregates: MetricAggregate[],
  range: RefreshWindow,
): Promise<AggregateRefresh[]> {
  const results: AggregateRefresh[] = [];
  let windows: Map<string, RefreshWindow>;
  try {
    windows = await refreshWindows(client, ext, aggregates, range);
  } catch (err) {
    return aggregates.map((a) => ({ name: a.name, window: null, refreshed: false, error: pgErrorText(err) }));
  }
  for (const agg of aggregates) {
    const window = windows.get(agg.name) ?? range;
    try {
      await client.query(
        `CALL ${ext.schemaSql}.refresh_continuous_aggregate(${quoteLiteral(agg.name)}::regclass, ${quoteLiteral(window.start)}::timestamptz, ${quoteLiteral(window.end)}::timestamptz)`,
      );
      results.push({ name: agg.name, window, refreshed: true, error: null });
    } catch (err) {
      results.push({ name: agg.name, window, refreshed: false, error: pgErrorText(err) });
    }
  }
  return results;
}
