/**
 * The push history as the server's audit table keeps it (dash.metric_pushes):
 * read for the UI, for a retried push (recognised by its id) and for undo —
 * tolerant of servers audited before migrations 002 and 003.
 */
import type pg from 'pg';
import type { DiffCounts, AggregateRefresh, PushRecord } from '../../../shared/api/push';
import type { PushResult } from './MetricPush';

/**
 * The audit's value counts of push `p` (a row of dash.metric_pushes aliased
 * `p`), read through to_jsonb so that a server without migration 002 answers
 * nulls instead of failing.
 */
export const AUDIT_VALUES_SQL = (['added', 'removed', 'changed', 'unchanged'] as const)
  .map((k) => `to_jsonb(p) ->> 'values_${k}' AS values_${k}`)
  .join(', ');

/** What push `p`'s replaced rows are (migration 003); every push audited before it kept its whole range. */
export const REPLACED_SCOPE_SQL = `coalesce(to_jsonb(p) ->> 'replaced_scope', 'range') AS replaced_scope`;

export interface AuditValuesRow {
  values_added: string | null;
  values_removed: string | null;
  values_changed: string | null;
  values_unchanged: string | null;
}

/** The counts of an audit row, or null when that push was audited without them. */
export function auditValues(row: AuditValuesRow): DiffCounts | null {
  const known = [row.values_added, row.values_removed, row.values_changed, row.values_unchanged];
  if (known.some((v) => v === null)) return null;
  return {
    added: Number(row.values_added),
    removed: Number(row.values_removed),
    changed: Number(row.values_changed),
    unchanged: Number(row.values_unchanged),
  };
}

/** Which of the contract's later migrations this server's audit tables have (an unmigrated server still takes pushes). */
export interface AuditContract {
  /** Migration 002: metric_pushes.values_*. */
  values: boolean;
  /** Migration 003: metric_pushes.replaced_scope and metric_push_replaced_rows.existed, so a push may keep only its keys. */
  keys: boolean;
}

export async function auditContract(client: pg.ClientBase): Promise<AuditContract> {
  const { rows } = await client.query<{ values_columns: number; keys_columns: number }>(
    `SELECT count(*) FILTER (WHERE attrelid = 'dash.metric_pushes'::regclass
              AND attname IN ('values_added', 'values_removed', 'values_changed', 'values_unchanged'))::int AS values_columns,
            count(*) FILTER (WHERE (attrelid = 'dash.metric_pushes'::regclass AND attname = 'replaced_scope')
              OR (attrelid = 'dash.metric_push_replaced_rows'::regclass AND attname = 'existed'))::int AS keys_columns
     FROM pg_attribute
     WHERE attrelid IN ('dash.metric_pushes'::regclass, 'dash.metric_push_replaced_rows'::regclass) AND NOT attisdropped`,
  );
  return { values: rows[0]?.values_columns === 4, keys: rows[0]?.keys_columns === 2 };
}

/** The audited result of push `pushId`, if it was applied: a retry is answered from it. */
export async function previousPush(client: pg.ClientBase, pushId: string): Promise<PushResult | null> {
  const { rows } = await client.query<
    {
      pipeline_id: string;
      range_start: Date;
      range_end: Date;
      pipeline_version: number;
      rows_replaced: string;
      rows_inserted: string;
      checksum: string;
    } & AuditValuesRow
  >(
    `SELECT pipeline_id, range_start, range_end, pipeline_version, rows_replaced, rows_inserted, checksum,
            ${AUDIT_VALUES_SQL}
     FROM dash.metric_pushes p WHERE push_id = $1`,
    [pushId],
  );
  const row = rows[0];
  if (!row) return null;
  return {
    pushId,
    pipelineId: row.pipeline_id,
    range: { start: row.range_start.toISOString(), end: row.range_end.toISOString() },
    alreadyApplied: true,
    pipelineVersion: row.pipeline_version,
    rowsReplaced: Number(row.rows_replaced),
    rowsInserted: Number(row.rows_inserted),
    values: auditValues(row),
    checksum: row.checksum,
    aggregates: [],
  };
}

/**
 * The latest `limit` pushes of a pipeline, newest first, with who undid each;
 * `aggregates` adds how refreshing went for pushes made in this session.
 */
export async function pushHistory(
  db: pg.Pool | pg.ClientBase,
  pipelineId: string,
  limit: number,
  aggregates: (pushId: string) => AggregateRefresh[] | null,
): Promise<PushRecord[]> {
  const { rows } = await db.query<
    {
      push_id: string;
      pushed_at: Date;
      pushed_by: string;
      base_version: number;
      pipeline_version: number;
      range_start: Date;
      range_end: Date;
      rows_replaced: string;
      rows_inserted: string;
      checksum: string;
      undo_of: string | null;
      undone_by: string | null;
      comment: string | null;
    } & AuditValuesRow
  >(
    `SELECT p.push_id, p.pushed_at, p.pushed_by, p.base_version, p.pipeline_version, p.range_start, p.range_end,
            p.rows_replaced::text, p.rows_inserted::text, p.checksum, p.undo_of, u.push_id AS undone_by, p.comment,
            ${AUDIT_VALUES_SQL}
     FROM dash.metric_pushes p LEFT JOIN dash.metric_pushes u ON u.undo_of = p.push_id
     WHERE p.pipeline_id = $1 ORDER BY p.pushed_at DESC LIMIT $2`,
    [pipelineId, limit],
  );
  return rows.map((r) => ({
    pushId: r.push_id,
    pushedAt: r.pushed_at.toISOString(),
    pushedBy: r.pushed_by,
    baseVersion: r.base_version,
    pipelineVersion: r.pipeline_version,
    rangeStart: r.range_start.toISOString(),
    rangeEnd: r.range_end.toISOString(),
    rowsReplaced: Number(r.rows_replaced),
    rowsInserted: Number(r.rows_inserted),
    values: auditValues(r),
    checksum: r.checksum,
    undoOf: r.undo_of,
    undoneBy: r.undone_by,
    comment: r.comment,
    aggregates: aggregates(r.push_id),
  }));
}
