/**
 * Pushing recomputed metrics (and, optionally, a new pipeline definition) back
 * to the Dash server, as docs/data-contract.md describes: one transaction that
 * locks the pipeline row, refuses when the pipeline or its metrics changed since
 * the preview, keeps the replaced rows for undo, streams the new rows in with
 * COPY, and writes the audit row. A retried push (same push id) is recognised and
 * never applied twice; an undo is itself an audited push.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Transform, Writable } from 'node:stream';
import type pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import type { PipelineDefinition } from '../../../shared/api/contract';
import type { DiffCounts } from '../../../shared/api/push';
import { WorkbenchError, errorMessage } from '../../../shared/errors';
import { isoUtcSql } from '../../../shared/serverSql';
import { pgErrorCode, pgErrorText } from '../postgres/pgErrors';
import { detectServerMode, timescaleAtLeast, type ServerModeInfo } from '../postgres/ServerMode';
import { decompressedBatchesCondition, metricChunks, type ChunkCompression } from '../postgres/timescale/MetricChunks';
import {
  describeBucket,
  metricAggregates,
  refreshAggregates,
  refreshChecks,
  refreshWindows,
  type AggregateRefresh,
} from '../postgres/timescale/MetricAggregates';

/** `[start, end)`, ISO-8601 instants. */
export interface PushRange {
  start: string;
  end: string;
}

export interface PushRequest {
  /** Chosen by the workbench before the first attempt, so a retry is recognised. */
  pushId: string;
  pipelineId: string;
  /** The pipeline version the preview was computed against. */
  baseVersion: number;
  /** The draft's definition, or null to push metrics only. */
  definition: PipelineDefinition | null;
  range: PushRange;
  /** `rangeChecksum` of the server's rows when the preview was made. */
  expectedChecksum: string;
  /**
   * The recomputed rows as COPY text, one per line: `time \t series_id \t
   * metric_name \t value` (time ISO-8601 UTC; no null values — a null metric has
   * no row). Every row must be inside the range.
   */
  rowsFile: string;
  pushedBy: string;
  comment: string | null;
}

export interface PushResult {
  pushId: string;
  /** The pipeline and range written (an undo's come from the push it undoes). */
  pipelineId: string;
  range: PushRange;
  /** True when this push id had already been applied: nothing was done now. */
  alreadyApplied: boolean;
  pipelineVersion: number;
  rowsReplaced: number;
  rowsInserted: number;
  /**
   * What the push did to the values of the range, keyed by (metric, series,
   * time): a push rewrites every row, but usually changes few values. Null for
   * an earlier push (retry) audited before the server kept these counts.
   */
  values: DiffCounts | null;
  checksum: string;
  /**
   * TimescaleDB only: each continuous aggregate over the metrics, refreshed after
   * commit over the range widened to its buckets — or why not. A failure here
   * never undoes the push: it is a warning with a "refresh again".
   */
  aggregates: AggregateRefresh[];
}

export interface PlanDay {
  day: string;
  metricName: string;
  rowsToDelete: number;
  rowsToInsert: number;
}

/** The recomputed rows a push would insert, counted where they are (the preview's warehouse). */
export interface IncomingRows {
  /** Per UTC day and metric. */
  perDay: { day: string; metricName: string; rows: number }[];
  /** Rows outside the push's range (the push would refuse them). */
  outsideRange: number;
}

export interface PlannedAggregate {
  name: string;
  owner: string;
  /** e.g. `1 day`, `1 day (Europe/Berlin)`; null when the server does not say. */
  bucket: string | null;
  /** The range widened to whole buckets of this aggregate; null when it cannot be computed by this role. */
  window: PushRange | null;
  /** Whether the role the plan was checked as may refresh it. */
  canRefresh: boolean;
  reason: string | null;
}

export interface PushPlan {
  pipelineId: string;
  serverVersion: number;
  /** The version the pipeline will have after the push. */
  newVersion: number;
  range: PushRange;
  days: PlanDay[];
  rowsToDelete: number;
  rowsToInsert: number;
  mode: 'timescaledb' | 'plain';
  /** The role the plan was made as: privileges and limits below are that role's. */
  checkedAs: string;
  /** Privileges a push needs that `checkedAs` lacks, as GRANT statements. */
  missingGrants: string[];
  /** TimescaleDB only: the chunks the range touches. */
  chunks: {
    name: string;
    rangeStart: string;
    rangeEnd: string;
    compression: ChunkCompression;
    approximateRows: number;
  }[];
  /** TimescaleDB only: the limit on tuples one DML transaction may decompress (null: unlimited or unknown). */
  maxTuplesDecompressed: number | null;
  /** Rows of this pipeline's compressed batches the push would decompress (TimescaleDB). */
  tuplesToDecompress: number;
  /** Continuous aggregates over dash.pipeline_metrics that the push will refresh, with their windows. */
  continuousAggregates: PlannedAggregate[];
  /** Plain-language warnings, e.g. a decompression over the limit. */
  warnings: string[];
}

/** How a range of one pipeline's rows is written for the checksum (docs/data-contract.md). */
function canonicalRowsSql(
  client: pg.ClientBase,
  relation: string,
  pipelineId: string | null,
  range: PushRange,
  pushId: string | null = null,
): string {
  const where = [
    pipelineId === null ? null : `pipeline_id = ${client.escapeLiteral(pipelineId)}`,
    pushId === null ? null : `push_id = ${client.escapeLiteral(pushId)}`,
    `time >= ${client.escapeLiteral(range.start)}::timestamptz`,
    `time < ${client.escapeLiteral(range.end)}::timestamptz`,
  ].filter((w) => w !== null);
  return `SELECT metric_name, series_id, ${isoUtcSql('time')}, value
    FROM ${relation} WHERE ${where.join(' AND ')}
    ORDER BY metric_name COLLATE "C", series_id COLLATE "C", time`;
}

/**
 * `sha256:` + the SHA-256 of rows written as COPY text (`metric_name \t
 * series_id \t time \t value \n`, value as PostgreSQL's shortest exact text),
 * streamed so a large range never sits in memory; the same bytes go to `file` when given.
 */
async function checksumOf(
  client: pg.ClientBase,
  select: string,
  file?: string,
  signal: AbortSignal = new AbortController().signal,
): Promise<{ checksum: string; rows: number }> {
  await client.query('SET LOCAL extra_float_digits = 1');
  const hash = createHash('sha256');
  const copy = client.query(copyTo(`COPY (${select}) TO STDOUT`));
  const hashing = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  const sink =
    file === undefined ? new Writable({ write: (_chunk, _encoding, done) => done() }) : createWriteStream(file);
  await pipeline(copy, hashing, sink, { signal });
  return { checksum: `sha256:${hash.digest('hex')}`, rows: copy.rowCount };
}

/** The checksum of the server's current rows of a pipeline in a range: what a preview records. */
export async function rangeChecksum(
  client: pg.ClientBase,
  pipelineId: string,
  range: PushRange,
): Promise<{ checksum: string; rows: number }> {
  await client.query('BEGIN READ ONLY');
  try {
    return await checksumOf(client, canonicalRowsSql(client, 'dash.pipeline_metrics', pipelineId, range));
  } finally {
    await client.query('ROLLBACK');
  }
}

/**
 * The server's rows of a pipeline in a range written to `file` exactly as the
 * checksum reads them (COPY text: `metric_name \t series_id \t time \t value`,
 * time ISO-8601 UTC, sorted), and that `rangeChecksum`: one pass, one snapshot.
 * What a preview compares with and records.
 */
export async function rangeSnapshot(
  client: pg.ClientBase,
  pipelineId: string,
  range: PushRange,
  file: string,
  signal?: AbortSignal,
): Promise<{ checksum: string; rows: number }> {
  await client.query('BEGIN READ ONLY');
  try {
    return await checksumOf(client, canonicalRowsSql(client, 'dash.pipeline_metrics', pipelineId, range), file, signal);
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
  }
}

function checkRange(range: PushRange): void {
  const start = Date.parse(range.start);
  const end = Date.parse(range.end);
  if (!Number.isFinite(start) || !Number.isFinite(end) || end <= start) {
    throw new WorkbenchError(
      'bad_request',
      `The push range ${range.start} – ${range.end} is not a valid [start, end).`,
    );
  }
}

/** Runs `work` on a client of its own, ended afterwards. */
async function withClient<T>(connect: () => Promise<pg.Client>, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = await connect();
  // A server that goes away mid-push must fail the push, not crash the app.
  client.on('error', () => undefined);
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Runs `work` in one transaction on a client of its own; rolls back on any failure. */
function inTransaction<T>(connect: () => Promise<pg.Client>, work: (client: pg.Client) => Promise<T>): Promise<T> {
  return withClient(connect, async (client) => {
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  });
}

async function lockPipeline(
  client: pg.ClientBase,
  pipelineId: string,
): Promise<{ version: number; updatedBy: string | null; updatedAt: Date | null }> {
  const { rows } = await client.query<{ version: number; updated_by: string | null; updated_at: Date | null }>(
    'SELECT version, updated_by, updated_at FROM dash.pipelines WHERE id = $1 FOR UPDATE',
    [pipelineId],
  );
  const row = rows[0];
  if (!row) throw new WorkbenchError('not_found', `The server has no pipeline "${pipelineId}".`);
  return { version: row.version, updatedBy: row.updated_by, updatedAt: row.updated_at };
}

/**
 * The audit's value counts of push `p` (a row of dash.metric_pushes aliased
 * `p`), read through to_jsonb so that a server without migration 002 answers
 * nulls instead of failing.
 */
export const AUDIT_VALUES_SQL = (['added', 'removed', 'changed', 'unchanged'] as const)
  .map((k) => `to_jsonb(p) ->> 'values_${k}' AS values_${k}`)
  .join(', ');

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

async function previousPush(client: pg.ClientBase, pushId: string): Promise<PushResult | null> {
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
 * What replacing the pipeline's rows of the range with `incoming` (a SELECT of
 * time, series_id, metric_name, value) does to its values, per (metric,
 * series, time) key. Exact: a value is unchanged only when it is the same
 * double (IS NOT DISTINCT FROM), whatever tolerance the preview used.
 */
async function valueCounts(
  client: pg.ClientBase,
  pipelineId: string,
  range: PushRange,
  incoming: string,
): Promise<DiffCounts> {
  const { rows } = await client.query<Record<keyof DiffCounts, string>>(
    `WITH n AS (${incoming}),
          c AS (SELECT time, series_id, metric_name, value FROM dash.pipeline_metrics
                WHERE pipeline_id = $1 AND time >= $2::timestamptz AND time < $3::timestamptz)
     SELECT count(*) FILTER (WHERE c.time IS NULL)::text AS added,
            count(*) FILTER (WHERE n.time IS NULL)::text AS removed,
            count(*) FILTER (WHERE n.time IS NOT NULL AND c.time IS NOT NULL
                               AND n.value IS DISTINCT FROM c.value)::text AS changed,
            count(*) FILTER (WHERE n.value IS NOT DISTINCT FROM c.value
                               AND n.time IS NOT NULL AND c.time IS NOT NULL)::text AS unchanged
     FROM n FULL JOIN c ON n.metric_name = c.metric_name AND n.series_id = c.series_id AND n.time = c.time`,
    [pipelineId, range.start, range.end],
  );
  const r = rows[0]!;
  return {
    added: Number(r.added),
    removed: Number(r.removed),
    changed: Number(r.changed),
    unchanged: Number(r.unchanged),
  };
}

/** Whether this server's audit table has migration 002's value counts (an unmigrated server still takes pushes). */
async function auditKeepsValues(client: pg.ClientBase): Promise<boolean> {
  const { rows } = await client.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_attribute
     WHERE attrelid = 'dash.metric_pushes'::regclass AND NOT attisdropped
       AND attname IN ('values_added', 'values_removed', 'values_changed', 'values_unchanged')`,
  );
  return rows[0]?.n === 4;
}

async function newVersion(
  client: pg.ClientBase,
  pipelineId: string,
  definition: PipelineDefinition,
  by: string,
  comment: string | null,
): Promise<number> {
  const { rows } = await client.query<{ version: number }>(
    `UPDATE dash.pipelines SET version = version + 1, definition = $2, updated_at = now(), updated_by = $3
     WHERE id = $1 RETURNING version`,
    [pipelineId, JSON.stringify(definition), by],
  );
  const version = rows[0]!.version;
  await client.query(
    `INSERT INTO dash.pipeline_versions (pipeline_id, version, definition, updated_at, updated_by, comment)
     VALUES ($1, $2, $3, now(), $4, $5)`,
    [pipelineId, version, JSON.stringify(definition), by, comment],
  );
  return version;
}

/**
 * The audit row, written once with its final counts and checksum: the contract
 * grants a pushing role INSERT on dash.metric_pushes, not UPDATE, so the audit
 * trail can only grow.
 */
async function insertAuditRow(
  client: pg.ClientBase,
  row: {
    pushId: string;
    pushedBy: string;
    pipelineId: string;
    baseVersion: number;
    version: number;
    range: PushRange;
    undoOf: string | null;
    comment: string | null;
    rowsReplaced: number;
    rowsInserted: number;
    values: DiffCounts;
    checksum: string;
  },
): Promise<void> {
  const withValues = await auditKeepsValues(client);
  const v = row.values;
  await client.query(
    `INSERT INTO dash.metric_pushes (push_id, pushed_by, pipeline_id, base_version, pipeline_version,
       range_start, range_end, rows_replaced, rows_inserted, checksum, undo_of, comment${
         withValues ? ', values_added, values_removed, values_changed, values_unchanged' : ''
       })
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12${withValues ? ', $13, $14, $15, $16' : ''})`,
    [
      row.pushId,
      row.pushedBy,
      row.pipelineId,
      row.baseVersion,
      row.version,
      row.range.start,
      row.range.end,
      row.rowsReplaced,
      row.rowsInserted,
      row.checksum,
      row.undoOf,
      row.comment,
      ...(withValues ? [v.added, v.removed, v.changed, v.unchanged] : []),
    ],
  );
}

/**
 * Moves the pipeline's rows in the range into the push's replaced rows. They
 * must be exactly the `expected` rows the audit row already counts: anything
 * else means the range changed under the push, which then rolls back.
 */
async function replaceRange(
  client: pg.ClientBase,
  pushId: string,
  pipelineId: string,
  range: PushRange,
  expected: number,
): Promise<void> {
  const moved = await client.query(
    `WITH gone AS (
       DELETE FROM dash.pipeline_metrics
       WHERE pipeline_id = $2 AND time >= $3::timestamptz AND time < $4::timestamptz
       RETURNING time, series_id, metric_name, value)
     INSERT INTO dash.metric_push_replaced_rows (push_id, time, series_id, metric_name, value)
     SELECT $1, time, series_id, metric_name, value FROM gone`,
    [pushId, pipelineId, range.start, range.end],
  );
  if ((moved.rowCount ?? 0) !== expected) {
    throw conflict(
      `The server's metrics of "${pipelineId}" in this range changed while pushing (${moved.rowCount ?? 0} rows found, ${expected} expected). Nothing was written.`,
      'Preview again to see the current metrics, then push.',
    );
  }
}

function conflict(message: string, hint: string): WorkbenchError {
  return new WorkbenchError('conflict', message, hint);
}

/**
 * After a push committed: every continuous aggregate over the metrics refreshed
 * over the range (widened per aggregate to whole buckets). Never throws — what
 * could not be refreshed is reported per aggregate, and the push stands.
 */
export async function refreshAfterPush(
  connect: () => Promise<pg.Client>,
  range: PushRange,
): Promise<AggregateRefresh[]> {
  try {
    return await withClient(connect, async (client) => {
      const info = await detectServerMode(client);
      if (!info.timescale) return [];
      const aggregates = await metricAggregates(client);
      if (aggregates.length === 0) return [];
      return refreshAggregates(client, info.timescale, aggregates, range);
    });
  } catch (err) {
    return [{ name: 'continuous aggregates', window: null, refreshed: false, error: pgErrorText(err) }];
  }
}

/** The table privileges a push uses (docs/data-contract.md, "Roles and grants"). */
const PUSH_PRIVILEGES: [table: string, privilege: string][] = [
  ['dash.pipelines', 'SELECT'],
  ['dash.pipelines', 'UPDATE'],
  ['dash.pipeline_versions', 'SELECT'],
  ['dash.pipeline_versions', 'INSERT'],
  ['dash.pipeline_metrics', 'SELECT'],
  ['dash.pipeline_metrics', 'INSERT'],
  ['dash.pipeline_metrics', 'DELETE'],
  ['dash.metric_pushes', 'SELECT'],
  ['dash.metric_pushes', 'INSERT'],
  ['dash.metric_push_replaced_rows', 'SELECT'],
  ['dash.metric_push_replaced_rows', 'INSERT'],
];

/** The privileges a push needs that the connected role lacks, as GRANT statements. */
async function missingPushGrants(client: pg.ClientBase, user: string): Promise<string[]> {
  const { rows } = await client.query<{ tbl: string; privilege: string; ok: boolean }>(
    `SELECT t.tbl, t.privilege, has_table_privilege(t.tbl, t.privilege) AS ok
     FROM unnest($1::text[], $2::text[]) AS t(tbl, privilege)`,
    [PUSH_PRIVILEGES.map(([t]) => t), PUSH_PRIVILEGES.map(([, p]) => p)],
  );
  const missing = new Map<string, string[]>();
  for (const r of rows.filter((r) => !r.ok)) missing.set(r.tbl, [...(missing.get(r.tbl) ?? []), r.privilege]);
  return [...missing].map(
    ([table, privileges]) => `GRANT ${privileges.join(', ')} ON ${table} TO ${client.escapeIdentifier(user)};`,
  );
}

/**
 * TimescaleDB's part of a plan: the chunks the range touches and their
 * compression, the rows of this pipeline's compressed batches a push would
 * decompress (against the server's limit for this role), and the continuous
 * aggregates with the window each would be refreshed over and whether this
 * role may. Read-only: runs on any server, the PGlite one of the tests too.
 */
export async function planOnTimescale(
  client: pg.ClientBase,
  info: ServerModeInfo,
  pipelineId: string,
  range: PushRange,
): Promise<
  Pick<PushPlan, 'chunks' | 'tuplesToDecompress' | 'maxTuplesDecompressed' | 'continuousAggregates' | 'warnings'>
> {
  const ext = info.timescale;
  if (!ext)
    return { chunks: [], tuplesToDecompress: 0, maxTuplesDecompressed: null, continuousAggregates: [], warnings: [] };
  const warnings: string[] = [];
  const chunks = await metricChunks(client, range);
  // From 2.21 a DELETE removes batches wholly inside its range without decompressing them — unless a
  // row-level DELETE trigger must see each row, as the continuous aggregates' invalidation trigger does.
  const { rows: triggers } = await client.query<{ row_delete_triggers: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = 'dash.pipeline_metrics'::regclass
                    AND (tgtype & 1) <> 0 AND (tgtype & 8) <> 0) AS row_delete_triggers`,
  );
  const directDelete = timescaleAtLeast(ext, 2, 21) && triggers[0]?.row_delete_triggers !== true;
  // One pass over each compressed chunk's batch rows: all its rows, and those a DELETE of the range decompresses.
  const batched = chunks.filter((c) => c.batches !== null);
  const batchRows = new Map<string, { total: number; decompressed: number }>();
  if (batched.length) {
    const { rows } = await client.query<{ chunk: string; total: number; decompressed: number }>(
      batched
        .map(
          (c) =>
            `SELECT ${client.escapeLiteral(c.table)} AS chunk, coalesce(sum(_ts_meta_count), 0)::float8 AS total,
               coalesce(sum(_ts_meta_count) FILTER (WHERE ${decompressedBatchesCondition(c.batches!, pipelineId, range, directDelete)}), 0)::float8 AS decompressed
             FROM ${c.batches!.table}`,
        )
        .join(' UNION ALL '),
    );
    for (const r of rows) batchRows.set(r.chunk, { total: Number(r.total), decompressed: Number(r.decompressed) });
  }
  const tuplesToDecompress = [...batchRows.values()].reduce((sum, b) => sum + b.decompressed, 0);
  const { rows: setting } = await client.query<{ value: string | null }>(
    "SELECT current_setting('timescaledb.max_tuples_decompressed_per_dml_transaction', true) AS value",
  );
  const limit = setting[0]?.value ? Number(setting[0].value) : null;
  const maxTuplesDecompressed = limit !== null && Number.isFinite(limit) && limit > 0 ? limit : null;
  if (maxTuplesDecompressed !== null && tuplesToDecompress > maxTuplesDecompressed) {
    warnings.push(
      `The push would decompress about ${tuplesToDecompress.toLocaleString('en-US')} rows of compressed batches, over the server's limit of ${maxTuplesDecompressed.toLocaleString('en-US')} per transaction for "${info.user}" (timescaledb.max_tuples_decompressed_per_dml_transaction): the server would refuse it. Push a shorter range, or ask the server team to raise the limit for this role (ALTER ROLE … SET timescaledb.max_tuples_decompressed_per_dml_transaction = 0 lifts it).`,
    );
  }

  const aggregates = await metricAggregates(client);
  const checks = await refreshChecks(client, ext, aggregates);
  const windows = ext.usable ? await refreshWindows(client, ext, aggregates, range) : new Map<string, PushRange>();
  const continuousAggregates = aggregates.map((agg) => {
    const check = checks.find((c) => c.name === agg.name);
    return {
      name: agg.name,
      owner: agg.owner,
      bucket: agg.bucket ? describeBucket(agg.bucket) : null,
      window: windows.get(agg.name) ?? null,
      canRefresh: check?.canRefresh ?? false,
      reason: check?.reason ?? null,
    };
  });
  const blocked = continuousAggregates.filter((a) => !a.canRefresh);
  if (blocked.length) {
    warnings.push(
      `${blocked.length === 1 ? 'One continuous aggregate' : `${blocked.length} continuous aggregates`} cannot be refreshed by "${info.user}" after the push (${blocked.map((b) => b.name).join(', ')}): they will show the old values until their refresh policy runs.`,
    );
  }
  return {
    chunks: chunks.map((c) => ({
      name: `${c.schema}.${c.name}`,
      rangeStart: c.rangeStart,
      rangeEnd: c.rangeEnd,
      compression: c.compression,
      approximateRows: Math.round(c.heapRowsEstimate + (batchRows.get(c.table)?.total ?? 0)),
    })),
    tuplesToDecompress: Math.round(tuplesToDecompress),
    maxTuplesDecompressed,
    continuousAggregates,
    warnings,
  };
}

/**
 * Names what a PostgreSQL failure on a push connection means, and what to do —
 * with the server's DETAIL and HINT (how many tuples, which limit), never just
 * its first line.
 */
export function explainPushFailure(err: unknown, user: string): unknown {
  const code = pgErrorCode(err);
  if (code === '28P01' || code === '28000') {
    return new WorkbenchError(
      'auth_failed',
      `The server refused the user "${user}" and password for this push. Nothing was written.`,
      'Check the write credentials (they are not the read-only exploration ones) and push again.',
    );
  }
  if (code === '42501') {
    return new WorkbenchError(
      'forbidden',
      `The user "${user}" may not write the dash schema: ${pgErrorText(err)}. Nothing was written.`,
      'Push with a user granted what docs/data-contract.md lists under "Roles and grants" (Review push shows what is missing).',
    );
  }
  if (code === '53400' && /decompress/i.test(errorMessage(err))) {
    return new WorkbenchError(
      'query_failed',
      `The server refused to decompress this many rows in one transaction: ${pgErrorText(err)}. Nothing was written.`,
      `Push a shorter range (Review push shows how many rows each range decompresses), or ask the server team to raise timescaledb.max_tuples_decompressed_per_dml_transaction for "${user}" (0 lifts the limit).`,
    );
  }
  if (code !== null) {
    return new WorkbenchError(
      'query_failed',
      `The push failed on the server: ${pgErrorText(err)}. Nothing was written.`,
    );
  }
  return err;
}

export class MetricPush {
  /** @param connect opens a connection with the write credentials (never the read-only exploration pool) */
  constructor(private readonly connect: () => Promise<pg.Client>) {}

  /**
   * What a push of the recomputed rows (counted in `incoming`) over `range` would
   * do, without writing anything: a read-only transaction, as whichever role
   * `connect` logs in as — the exploration role, or the push's own to check it.
   */
  async plan(
    request: Pick<PushRequest, 'pipelineId' | 'baseVersion' | 'definition' | 'range'> & { incoming: IncomingRows },
  ): Promise<PushPlan> {
    checkRange(request.range);
    return withClient(this.connect, async (client) => {
      try {
        await client.query('BEGIN READ ONLY');
        const { rows: pipelines } = await client.query<{ version: number }>(
          'SELECT version FROM dash.pipelines WHERE id = $1',
          [request.pipelineId],
        );
        const serverVersion = pipelines[0]?.version;
        if (serverVersion === undefined)
          throw new WorkbenchError('not_found', `The server has no pipeline "${request.pipelineId}".`);
        const { rows: current } = await client.query<{ day: string; metric_name: string; n: string }>(
          `SELECT to_char(time AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, metric_name, count(*)::text AS n
           FROM dash.pipeline_metrics
           WHERE pipeline_id = $1 AND time >= $2::timestamptz AND time < $3::timestamptz
           GROUP BY 1, 2`,
          [request.pipelineId, request.range.start, request.range.end],
        );
        const cells = new Map<string, PlanDay>();
        const cell = (day: string, metricName: string) => {
          const key = `${day}\u0000${metricName}`;
          let c = cells.get(key);
          if (!c) cells.set(key, (c = { day, metricName, rowsToDelete: 0, rowsToInsert: 0 }));
          return c;
        };
        for (const r of current) cell(r.day, r.metric_name).rowsToDelete = Number(r.n);
        for (const r of request.incoming.perDay) cell(r.day, r.metricName).rowsToInsert += r.rows;
        // By day, then metric, in byte order: keys in the cell map are exactly that.
        const days = [...cells.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, cell]) => cell);
        const warnings: string[] = [];
        if (request.incoming.outsideRange > 0) {
          warnings.push(
            `${request.incoming.outsideRange} recomputed rows fall outside the range and would be refused.`,
          );
        }
        const info = await detectServerMode(client);
        const missingGrants = await missingPushGrants(client, info.user);
        const timescale = await planOnTimescale(client, info, request.pipelineId, request.range);
        return {
          pipelineId: request.pipelineId,
          serverVersion,
          newVersion: request.definition ? serverVersion + 1 : serverVersion,
          range: request.range,
          days,
          rowsToDelete: days.reduce((n, d) => n + d.rowsToDelete, 0),
          rowsToInsert: days.reduce((n, d) => n + d.rowsToInsert, 0),
          mode: info.mode,
          checkedAs: info.user,
          missingGrants,
          ...timescale,
          warnings: [...warnings, ...timescale.warnings],
        };
      } finally {
        await client.query('ROLLBACK').catch(() => undefined);
      }
    });
  }

  async push(request: PushRequest): Promise<PushResult> {
    checkRange(request.range);
    const result = await inTransaction(this.connect, async (client) => {
      const locked = await lockPipeline(client, request.pipelineId);
      // A retry of a push that committed (its reply was lost) is answered, not re-applied.
      const earlier = await previousPush(client, request.pushId);
      if (earlier) return earlier;
      if (locked.version !== request.baseVersion) {
        throw conflict(
          `The pipeline "${request.pipelineId}" was changed on the server since your preview: it is at version ${locked.version}${locked.updatedBy ? ` (by ${locked.updatedBy}` : ''}${locked.updatedAt ? `${locked.updatedBy ? ',' : ' ('} ${locked.updatedAt.toISOString()})` : locked.updatedBy ? ')' : ''}, your draft started from version ${request.baseVersion}. Nothing was written.`,
          'Reload the pipeline, merge your draft into the new version, and preview again.',
        );
      }
      const current = await checksumOf(
        client,
        canonicalRowsSql(client, 'dash.pipeline_metrics', request.pipelineId, request.range),
      );
      if (current.checksum !== request.expectedChecksum) {
        throw conflict(
          `The server's metrics of "${request.pipelineId}" in this range changed since your preview (${current.rows} rows now). Nothing was written.`,
          'Preview again to see the current metrics, then push.',
        );
      }
      await client.query(
        'CREATE TEMP TABLE push_rows (time timestamptz, series_id text, metric_name text, value double precision) ON COMMIT DROP',
      );
      await pipeline(createReadStream(request.rowsFile), client.query(copyFrom('COPY push_rows FROM STDIN')));
      const { rows: stray } = await client.query<{ n: string }>(
        `SELECT count(*)::text AS n FROM push_rows
         WHERE value IS NULL OR NOT (time >= $1::timestamptz AND time < $2::timestamptz)`,
        [request.range.start, request.range.end],
      );
      if (Number(stray[0]?.n) > 0) {
        throw new WorkbenchError(
          'bad_request',
          `${stray[0]!.n} recomputed rows are outside the range ${request.range.start} – ${request.range.end} or have no value. Nothing was written.`,
        );
      }
      // The digest of exactly the rows about to be inserted (docs/data-contract.md).
      const inserted = await checksumOf(client, canonicalRowsSql(client, 'push_rows', null, request.range));
      const values = await valueCounts(
        client,
        request.pipelineId,
        request.range,
        'SELECT time, series_id, metric_name, value FROM push_rows',
      );
      const version = request.definition
        ? await newVersion(client, request.pipelineId, request.definition, request.pushedBy, request.comment)
        : locked.version;
      // The audit row first, complete: the replaced rows reference it.
      await insertAuditRow(client, {
        pushId: request.pushId,
        pushedBy: request.pushedBy,
        pipelineId: request.pipelineId,
        baseVersion: request.baseVersion,
        version,
        range: request.range,
        undoOf: null,
        comment: request.comment,
        rowsReplaced: current.rows,
        rowsInserted: inserted.rows,
        values,
        checksum: inserted.checksum,
      });
      await replaceRange(client, request.pushId, request.pipelineId, request.range, current.rows);
      await client.query(
        `INSERT INTO dash.pipeline_metrics (time, pipeline_id, series_id, metric_name, value)
         SELECT time, $1, series_id, metric_name, value FROM push_rows`,
        [request.pipelineId],
      );
      return {
        pushId: request.pushId,
        pipelineId: request.pipelineId,
        range: request.range,
        alreadyApplied: false,
        pipelineVersion: version,
        rowsReplaced: current.rows,
        rowsInserted: inserted.rows,
        values,
        checksum: inserted.checksum,
        aggregates: [],
      } satisfies PushResult;
    });
    if (!result.alreadyApplied) result.aggregates = await refreshAfterPush(this.connect, request.range);
    return result;
  }

  /**
   * Undoes push `undoOf` as a new audited push: its range gets back the rows it
   * replaced, and a definition it changed goes back to its base version's.
   */
  async undo(request: {
    pushId: string;
    undoOf: string;
    pushedBy: string;
    comment: string | null;
  }): Promise<PushResult> {
    const { result, range } = await inTransaction(this.connect, async (client) => {
      const { rows } = await client.query<{
        pipeline_id: string;
        base_version: number;
        pipeline_version: number;
        range_start: Date;
        range_end: Date;
        pushed_at: Date;
      }>(
        `SELECT pipeline_id, base_version, pipeline_version, range_start, range_end, pushed_at
         FROM dash.metric_pushes WHERE push_id = $1`,
        [request.undoOf],
      );
      const target = rows[0];
      if (!target) throw new WorkbenchError('not_found', `There is no push ${request.undoOf} to undo.`);
      const range = { start: target.range_start.toISOString(), end: target.range_end.toISOString() };
      const locked = await lockPipeline(client, target.pipeline_id);
      const earlier = await previousPush(client, request.pushId);
      if (earlier) return { result: earlier, range };
      const { rows: undone } = await client.query<{ push_id: string }>(
        'SELECT push_id FROM dash.metric_pushes WHERE undo_of = $1',
        [request.undoOf],
      );
      if (undone[0]) {
        throw conflict(`Push ${request.undoOf} was already undone (by push ${undone[0].push_id}).`, 'Nothing to do.');
      }
      const { rows: later } = await client.query<{ push_id: string }>(
        `SELECT push_id FROM dash.metric_pushes
         WHERE pipeline_id = $1 AND pushed_at > $2 AND range_start < $4 AND range_end > $3 AND push_id <> $5
         ORDER BY pushed_at LIMIT 1`,
        [target.pipeline_id, target.pushed_at, target.range_start, target.range_end, request.undoOf],
      );
      if (later[0]) {
        throw conflict(
          `Push ${request.undoOf} is no longer the latest push over its range: push ${later[0].push_id} came after it. Nothing was written.`,
          'Undo the later push first.',
        );
      }
      let version = locked.version;
      if (target.pipeline_version !== target.base_version) {
        const { rows: base } = await client.query<{ definition: PipelineDefinition }>(
          'SELECT definition FROM dash.pipeline_versions WHERE pipeline_id = $1 AND version = $2',
          [target.pipeline_id, target.base_version],
        );
        if (!base[0]) {
          throw new WorkbenchError(
            'not_found',
            `Version ${target.base_version} of "${target.pipeline_id}" is not in dash.pipeline_versions, so its definition cannot be restored.`,
          );
        }
        version = await newVersion(
          client,
          target.pipeline_id,
          base[0].definition,
          request.pushedBy,
          request.comment ?? `Undo of push ${request.undoOf}`,
        );
      }
      const { rows: present } = await client.query<{ n: string }>(
        `SELECT count(*)::text AS n FROM dash.pipeline_metrics
         WHERE pipeline_id = $1 AND time >= $2::timestamptz AND time < $3::timestamptz`,
        [target.pipeline_id, range.start, range.end],
      );
      const rowsReplaced = Number(present[0]?.n ?? 0);
      // What goes back in is exactly what the undone push replaced.
      const restoring = await checksumOf(
        client,
        canonicalRowsSql(client, 'dash.metric_push_replaced_rows', null, range, request.undoOf),
      );
      const values = await valueCounts(
        client,
        target.pipeline_id,
        range,
        `SELECT time, series_id, metric_name, value FROM dash.metric_push_replaced_rows
         WHERE push_id = ${client.escapeLiteral(request.undoOf)}
           AND time >= ${client.escapeLiteral(range.start)}::timestamptz AND time < ${client.escapeLiteral(range.end)}::timestamptz`,
      );
      await insertAuditRow(client, {
        pushId: request.pushId,
        pushedBy: request.pushedBy,
        pipelineId: target.pipeline_id,
        baseVersion: locked.version,
        version,
        range,
        undoOf: request.undoOf,
        comment: request.comment,
        rowsReplaced,
        rowsInserted: restoring.rows,
        values,
        checksum: restoring.checksum,
      });
      await replaceRange(client, request.pushId, target.pipeline_id, range, rowsReplaced);
      await client.query(
        `INSERT INTO dash.pipeline_metrics (time, pipeline_id, series_id, metric_name, value)
         SELECT time, $2, series_id, metric_name, value FROM dash.metric_push_replaced_rows WHERE push_id = $1`,
        [request.undoOf, target.pipeline_id],
      );
      const result: PushResult = {
        pushId: request.pushId,
        pipelineId: target.pipeline_id,
        range,
        alreadyApplied: false,
        pipelineVersion: version,
        rowsReplaced,
        rowsInserted: restoring.rows,
        values,
        checksum: restoring.checksum,
        aggregates: [],
      };
      return { result, range };
    });
    if (!result.alreadyApplied) result.aggregates = await refreshAfterPush(this.connect, range);
    return result;
  }

  /** Refreshes the continuous aggregates over an earlier push's range again (after a refresh failed). */
  async refreshAggregatesOf(pushId: string): Promise<AggregateRefresh[]> {
    const range = await withClient(this.connect, async (client) => {
      const { rows } = await client.query<{ range_start: Date; range_end: Date }>(
        'SELECT range_start, range_end FROM dash.metric_pushes WHERE push_id = $1',
        [pushId],
      );
      const row = rows[0];
      if (!row) throw new WorkbenchError('not_found', `There is no push ${pushId}.`);
      return { start: row.range_start.toISOString(), end: row.range_end.toISOString() };
    });
    return refreshAfterPush(this.connect, range);
  }
}
