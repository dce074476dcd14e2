/**
 * Running a push of recomputed metrics (and, optionally, a new pipeline
 * definition) to the Dash server, and undoing one, as docs/data-contract.md
 * describes: one transaction that locks the pipeline row, refuses when the
 * pipeline or its metrics changed since the preview (range fingerprint), and
 * writes only the delta — the keys added, removed or changed — keeping exactly
 * the rows it overwrote for undo. Unchanged rows (and on TimescaleDB the
 * compressed batches holding them) are not touched. A retried push (same push
 * id) is recognised and never applied twice; an undo is itself an audited push
 * of the delta back.
 */
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { PipelineDefinition } from '../../../shared/api/contract';
import type { DiffCounts } from '../../../shared/api/push';
import { WorkbenchError } from '../../../shared/errors';
import { pgErrorCode, pgErrorText } from '../postgres/pgErrors';
import { detectServerMode } from '../postgres/ServerMode';
import { metricAggregates, refreshAggregates, type AggregateRefresh } from '../postgres/timescale/MetricAggregates';
import { checkRange, conflict, inTransaction, lockPipeline, withClient, type PushRange } from './pushConnection';
import { REPLACED_SCOPE_SQL, auditContract, previousPush, type AuditContract } from './PushHistory';
import {
  formatFingerprint,
  parseFingerprint,
  rangeFingerprint,
  xorOf,
  xorSql,
  type RangeFingerprint,
} from './rangeFingerprint';

export type { PushRange } from './pushConnection';

export interface PushRequest {
  /** Chosen by the workbench before the first attempt, so a retry is recognised. */
  pushId: string;
  pipelineId: string;
  /** The pipeline version the preview was computed against. */
  baseVersion: number;
  /** The draft's definition, or null to push metrics only. */
  definition: PipelineDefinition | null;
  range: PushRange;
  /** The range fingerprint (`xor64:…`) of the server's rows when the preview was made. */
  expectedChecksum: string;
  /**
   * The delta as COPY text, one key per line: `time \t series_id \t
   * metric_name \t value \t server_value \t on_server` (time ISO-8601 UTC).
   * `value` is the key's new value (added or changed); `\N` removes the key (a
   * recomputed metric is never null). `server_value` and `on_server` (`t`/`f`)
   * are what the preview saw the server hold for the key (`\N` for none or a
   * null value): the push needs no lookup to know what it replaces, and checks
   * the claim against the rows it deletes. Every key inside the range, once,
   * and each one a change.
   */
  deltaFile: string;
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
  /** Rows deleted or overwritten (removed + changed keys; every row of the range for an earlier range push). */
  rowsReplaced: number;
  /** Rows written (added + changed keys). */
  rowsInserted: number;
  /**
   * What the push did to the values of the range, keyed by (metric, series,
   * time). Null for an earlier push (retry) audited before the server kept
   * these counts.
   */
  values: DiffCounts | null;
  /** The range fingerprint after the push (an earlier push's: its own checksum). */
  checksum: string;
  /**
   * TimescaleDB only: each continuous aggregate over the metrics, refreshed after
   * commit over the range widened to its buckets — or why not. A failure here
   * never undoes the push: it is a warning with a "refresh again".
   */
  aggregates: AggregateRefresh[];
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

/** Who pushed what, as its audit row names it. */
interface AuditedPush {
  pushId: string;
  pushedBy: string;
  pipelineId: string;
  baseVersion: number;
  version: number;
  range: PushRange;
  undoOf: string | null;
  comment: string | null;
}

/**
 * The audit row, written once with its final counts and fingerprint: the
 * contract grants a pushing role INSERT on dash.metric_pushes, not UPDATE, so
 * the audit trail can only grow.
 */
async function insertAuditRow(
  client: pg.ClientBase,
  contract: AuditContract,
  row: AuditedPush & {
    rowsReplaced: number;
    rowsInserted: number;
    values: DiffCounts;
    checksum: string;
  },
): Promise<void> {
  const columns = [
    'push_id',
    'pushed_by',
    'pipeline_id',
    'base_version',
    'pipeline_version',
    'range_start',
    'range_end',
    'rows_replaced',
    'rows_inserted',
    'checksum',
    'undo_of',
    'comment',
  ];
  const v = row.values;
  const params: unknown[] = [
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
  ];
  if (contract.values) {
    columns.push('values_added', 'values_removed', 'values_changed', 'values_unchanged');
    params.push(v.added, v.removed, v.changed, v.unchanged);
  }
  if (contract.keys) {
    columns.push('replaced_scope');
    params.push('keys');
  }
  await client.query(
    `INSERT INTO dash.metric_pushes (${columns.join(', ')}) VALUES (${params.map((_, i) => `$${i + 1}`).join(', ')})`,
    params,
  );
}

/**
 * The staging table a delta is applied from: a push's file (`present` null: a
 * null value removes the key; `server_value`/`on_server`: what the preview saw
 * the server hold) or an undo's (`present` set: a restored row may hold a null
 * value; what the server holds is looked up).
 */
const CREATE_DELTA_TABLE = `CREATE TEMP TABLE push_delta (
  time timestamptz NOT NULL, series_id text NOT NULL, metric_name text NOT NULL,
  value double precision, present boolean, server_value double precision, on_server boolean) ON COMMIT DROP`;

/**
 * What the server holds for each staged key: `stated` by the delta itself (a
 * push: the preview compared against the very rows the range fingerprint
 * vouches for, and the deletes check the claim), or `looked-up` by key (an undo).
 */
type ServerSide = 'stated' | 'looked-up';

/** Each staged key, what the delta does to it, from whether the server has it (`m_found`) and its value there (`m_value`). */
const KIND_SQL = `CASE WHEN m_found IS NULL THEN NULL
                       WHEN coalesce(d.present, d.value IS NOT NULL)
                       THEN CASE WHEN NOT m_found THEN 'added'
                                 WHEN m_value IS NOT DISTINCT FROM d.value THEN 'same' ELSE 'changed' END
                       ELSE CASE WHEN NOT m_found THEN 'absent' ELSE 'removed' END END`;

/**
 * How the staged keys meet the range's rows. A delta much smaller than the
 * range is looked up key by key through the unique index (a hash join would
 * read the whole range); a large one is joined in one pass, with memory enough
 * to hash it without spilling.
 */
async function chooseJoins(client: pg.ClientBase, deltaRows: number, rangeRows: number): Promise<void> {
  await client.query("SET LOCAL work_mem = '128MB'");
  if (deltaRows * 8 < rangeRows) {
    await client.query('SET LOCAL enable_hashjoin = off');
    await client.query('SET LOCAL enable_mergejoin = off');
  }
}

interface DeltaCounts {
  added: number;
  removed: number;
  changed: number;
  /** Keys the delta names with the value they already have / removes though they are absent (a no-op either way). */
  same: number;
  absent: number;
  outside: number;
  /** Lines of a stated delta that do not say whether the server has their key. */
  unstated: number;
  /** XOR of the hashes of the rows the delta overwrites, and of those it writes. */
  xorOld: bigint;
  xorNew: bigint;
}

/**
 * Each staged key with its old value and what the delta does to it, in
 * push_keys: as the delta states it, or joined to the server's rows by key
 * (index lookups).
 */
async function classifyDelta(
  client: pg.ClientBase,
  pipelineId: string,
  range: PushRange,
  serverSide: ServerSide,
): Promise<DeltaCounts> {
  if (serverSide === 'stated') {
    await client.query(
      `CREATE TEMP TABLE push_keys ON COMMIT DROP AS
       SELECT d.time, d.series_id, d.metric_name, d.value AS new_value, d.server_value AS old_value,
              ${KIND_SQL} AS kind
       FROM (SELECT *, on_server AS m_found, server_value AS m_value FROM push_delta) d`,
    );
  } else {
    await client.query(
      `CREATE TEMP TABLE push_keys ON COMMIT DROP AS
       SELECT d.time, d.series_id, d.metric_name, d.value AS new_value, d.m_value AS old_value, ${KIND_SQL} AS kind
       FROM (SELECT d.*, m.time IS NOT NULL AS m_found, m.value AS m_value
             FROM push_delta d LEFT JOIN dash.pipeline_metrics m
               ON m.pipeline_id = $1 AND m.metric_name = d.metric_name AND m.series_id = d.series_id AND m.time = d.time
                  AND m.time >= $2::timestamptz AND m.time < $3::timestamptz) d`,
      [pipelineId, range.start, range.end],
    );
  }
  const { rows } = await client.query<
    Record<'added' | 'removed' | 'changed' | 'same' | 'absent' | 'outside' | 'unstated', string> & {
      x_old: string;
      x_new: string;
    }
  >(
    `SELECT count(*) FILTER (WHERE kind = 'added')::text AS added,
            count(*) FILTER (WHERE kind = 'removed')::text AS removed,
            count(*) FILTER (WHERE kind = 'changed')::text AS changed,
            count(*) FILTER (WHERE kind = 'same')::text AS same,
            count(*) FILTER (WHERE kind = 'absent')::text AS absent,
            count(*) FILTER (WHERE kind IS NULL)::text AS unstated,
            count(*) FILTER (WHERE NOT (time >= $1::timestamptz AND time < $2::timestamptz))::text AS outside,
            ${xorSql('old_value', "kind IN ('removed', 'changed')")} AS x_old,
            ${xorSql('new_value', "kind IN ('added', 'changed')")} AS x_new
     FROM push_keys`,
    [range.start, range.end],
  );
  const r = rows[0]!;
  return {
    added: Number(r.added),
    removed: Number(r.removed),
    changed: Number(r.changed),
    same: Number(r.same),
    absent: Number(r.absent),
    outside: Number(r.outside),
    unstated: Number(r.unstated),
    xorOld: xorOf(r.x_old),
    xorNew: xorOf(r.x_new),
  };
}

/**
 * Refuses a delta that names a key twice. Looked for only when the writes
 * disagree with the counts (a doubled key deletes once and inserts twice):
 * grouping a large delta up front would cost a pass of its own.
 */
async function refuseDuplicateKey(client: pg.ClientBase): Promise<void> {
  const { rows: twice } = await client.query<{ metric_name: string; series_id: string; time: Date }>(
    `SELECT metric_name, series_id, time FROM push_delta GROUP BY 1, 2, 3 HAVING count(*) > 1 LIMIT 1`,
  );
  if (twice[0]) {
    const t = twice[0];
    throw new WorkbenchError(
      'bad_request',
      `The push's delta names the key (${t.metric_name}, ${t.series_id}, ${t.time.toISOString()}) more than once. Nothing was written.`,
    );
  }
}

/** A delta file is the workbench's own statement of what changes: anything off in it refuses the push. */
function refuseBadDelta(range: PushRange, counts: DeltaCounts): void {
  const nothing = 'Nothing was written.';
  if (counts.unstated > 0) {
    throw new WorkbenchError(
      'bad_request',
      `${counts.unstated} rows of the push's delta do not say whether the server has their key. ${nothing}`,
      'Preview again, then push.',
    );
  }
  if (counts.outside > 0) {
    throw new WorkbenchError(
      'bad_request',
      `${counts.outside} rows of the push's delta are outside the range ${range.start} – ${range.end}. ${nothing}`,
    );
  }
  if (counts.absent > 0) {
    throw new WorkbenchError(
      'bad_request',
      `The push's delta removes ${counts.absent} keys the server does not have. ${nothing}`,
      'Preview again, then push.',
    );
  }
  if (counts.same > 0) {
    throw new WorkbenchError(
      'bad_request',
      `The push's delta sets ${counts.same} keys to the value they already have (a delta holds only changes). ${nothing}`,
    );
  }
}

/** Statements sent per round trip when deleting series by series. */
const STATEMENTS_PER_BATCH = 200;

/** The rows a DELETE (given without its RETURNING) takes, counted and fingerprinted. */
function goneSql(deleteReturning: string): string {
  return `WITH gone AS (${deleteReturning} RETURNING m.metric_name, m.series_id, m.time, m.value)
          SELECT count(*)::text AS n, ${xorSql()} AS x FROM gone`;
}

function fingerprintOf(row: { n: string; x: string } | undefined): RangeFingerprint {
  return { rows: Number(row?.n ?? 0), xor: xorOf(row?.x ?? '0') };
}

/**
 * Deletes the keys of push_keys of the given kinds; returns how many rows went
 * and the XOR of their hashes (what they were, to check against what the delta
 * says they were). Joined by key in one statement — or, `segmentWise`
 * (TimescaleDB), one statement per series and metric with its key and time
 * span as constants:
 * TimescaleDB decompresses the compressed batches a DELETE's constant
 * conditions select, and for a join that is every batch of the range.
 */
export async function deleteKeys(
  client: pg.ClientBase,
  pipelineId: string,
  range: PushRange,
  kinds: ('removed' | 'changed')[],
  segmentWise: boolean,
): Promise<RangeFingerprint> {
  const kindList = kinds.map((k) => `'${k}'`).join(', ');
  if (!segmentWise) {
    const { rows } = await client.query<{ n: string; x: string }>(
      goneSql(`DELETE FROM dash.pipeline_metrics m USING push_keys k
       WHERE k.kind IN (${kindList}) AND m.pipeline_id = $1 AND m.time >= $2::timestamptz AND m.time < $3::timestamptz
         AND m.metric_name = k.metric_name AND m.series_id = k.series_id AND m.time = k.time`),
      [pipelineId, range.start, range.end],
    );
    return fingerprintOf(rows[0]);
  }
  const { rows: series } = await client.query<{ metric_name: string; series_id: string; first: string; last: string }>(
    `SELECT metric_name, series_id, min(time)::text AS first, max(time)::text AS last FROM push_keys
     WHERE kind IN (${kindList}) GROUP BY 1, 2`,
  );
  const lit = (v: string) => client.escapeLiteral(v);
  const deleted: RangeFingerprint = { rows: 0, xor: 0n };
  for (let i = 0; i < series.length; i += STATEMENTS_PER_BATCH) {
    const statements = series.slice(i, i + STATEMENTS_PER_BATCH).map((s) =>
      goneSql(
        `DELETE FROM dash.pipeline_metrics m WHERE pipeline_id = ${lit(pipelineId)}
           AND metric_name = ${lit(s.metric_name)} AND series_id = ${lit(s.series_id)}
           AND time >= ${lit(s.first)}::timestamptz AND time <= ${lit(s.last)}::timestamptz
           AND time IN (SELECT time FROM push_keys WHERE kind IN (${kindList})
                          AND metric_name = ${lit(s.metric_name)} AND series_id = ${lit(s.series_id)})`,
      ),
    );
    const results = (await client.query(statements.join(';\n'))) as unknown as pg.QueryResult | pg.QueryResult[];
    for (const r of Array.isArray(results) ? results : [results]) {
      const gone = fingerprintOf(r.rows[0] as { n: string; x: string } | undefined);
      deleted.rows += gone.rows;
      deleted.xor ^= gone.xor;
    }
  }
  return deleted;
}

/**
 * Applies the classified delta (push_keys): keeps what it overwrites for undo —
 * exactly the touched keys, or on a server without migration 003 the whole
 * range as before — then deletes the removed and changed keys and inserts the
 * added and changed ones, set-based; no-op keys are left alone. The rows
 * deleted must be exactly the ones the delta replaces (count and fingerprint):
 * otherwise a stated delta misdescribed the server (refused), or the rows moved
 * under the push (another writer: a conflict).
 */
async function writeDelta(
  client: pg.ClientBase,
  contract: AuditContract,
  pushId: string,
  pipelineId: string,
  range: PushRange,
  counts: DeltaCounts,
  before: RangeFingerprint,
  segmentWise: boolean,
  serverSide: ServerSide,
): Promise<void> {
  const inRange = `m.pipeline_id = $1 AND m.time >= $2::timestamptz AND m.time < $3::timestamptz`;
  const params = [pipelineId, range.start, range.end];
  if (contract.keys) {
    await client.query(
      `INSERT INTO dash.metric_push_replaced_rows (push_id, time, series_id, metric_name, value, existed)
       SELECT $1, time, series_id, metric_name, old_value, kind <> 'added' FROM push_keys
       WHERE kind IN ('added', 'removed', 'changed')`,
      [pushId],
    );
  } else {
    await client.query(
      `INSERT INTO dash.metric_push_replaced_rows (push_id, time, series_id, metric_name, value)
       SELECT $4, time, series_id, metric_name, value FROM dash.pipeline_metrics m WHERE ${inRange}`,
      [...params, pushId],
    );
  }
  // Changed keys are deleted and inserted: an UPDATE in place measured no faster (its index lookups read the same
  // pages, and a full page takes the new version elsewhere, with new index entries) and would need one more grant.
  // When the delta touches every row of the range (its keys are distinct and all there), the range itself goes:
  // no join, and on TimescaleDB whole batches may go without being decompressed.
  const replaced = counts.removed + counts.changed;
  // Only distinct keys make that count mean every row — a doubled removal would let one row go unnamed — and
  // distinct keys are what the fingerprint check below proves: a doubled row's hash cancels out of the XOR.
  const everyRow = replaced === before.rows;
  const mismatch = async (): Promise<never> => {
    await refuseDuplicateKey(client);
    if (serverSide === 'stated') {
      throw new WorkbenchError(
        'bad_request',
        `The push's delta does not describe the server's rows it replaces (${replaced} rows, by key and value). Nothing was written.`,
        'Preview again, then push.',
      );
    }
    throw conflict(
      `The server's metrics of "${pipelineId}" in this range changed while pushing. Nothing was written.`,
      'Preview again to see the current metrics, then push.',
    );
  };
  if (everyRow) {
    // Every row of the range goes: what went is the range's fingerprint, checked before this push commits.
    const rows = (await client.query(`DELETE FROM dash.pipeline_metrics m WHERE ${inRange}`, params)).rowCount ?? 0;
    if (rows !== replaced || before.xor !== counts.xorOld) await mismatch();
  } else {
    const gone = await deleteKeys(client, pipelineId, range, ['removed', 'changed'], segmentWise);
    if (gone.rows !== replaced || gone.xor !== counts.xorOld) await mismatch();
  }
  await client
    .query(
      `INSERT INTO dash.pipeline_metrics (time, pipeline_id, series_id, metric_name, value)
       SELECT time, $1, series_id, metric_name, new_value FROM push_keys WHERE kind IN ('added', 'changed')`,
      [pipelineId],
    )
    .catch((err: unknown) => {
      // The transaction is aborted now: the server's detail names the key.
      if (pgErrorCode(err) !== '23505') throw err;
      if (serverSide === 'looked-up') {
        throw conflict(
          `The server's metrics of "${pipelineId}" in this range changed while pushing: ${pgErrorText(err)}. Nothing was written.`,
          'Preview again to see the current metrics, then push.',
        );
      }
      throw new WorkbenchError(
        'bad_request',
        `The push's delta adds a key twice, or one the server already has: ${pgErrorText(err)}. Nothing was written.`,
        'Preview again, then push.',
      );
    });
}

/**
 * A classified delta applied (push_keys): the audit row, complete, then the
 * writes; the result as the push reports it.
 */
async function applyDelta(
  client: pg.ClientBase,
  push: AuditedPush & {
    counts: DeltaCounts;
    /** The range's rows before the delta (for a push: as previewed, checked before commit). */
    before: RangeFingerprint;
    serverSide: ServerSide;
  },
): Promise<Written> {
  const outcome = outcomeOf(push.before, push.counts);
  const contract = await auditContract(client);
  // The audit row first, complete: before migration 003 the replaced rows reference it.
  await insertAuditRow(client, contract, { ...push, ...outcome });
  const timescale = (await detectServerMode(client)).mode === 'timescaledb';
  await writeDelta(
    client,
    contract,
    push.pushId,
    push.pipelineId,
    push.range,
    push.counts,
    push.before,
    timescale,
    push.serverSide,
  );
  const result: PushResult = {
    pushId: push.pushId,
    pipelineId: push.pipelineId,
    range: push.range,
    alreadyApplied: false,
    pipelineVersion: push.version,
    ...outcome,
    aggregates: [],
  };
  return { result, timescale };
}

/** A push or undo as its transaction ends: what it reports, and whether aggregates may need a refresh after commit. */
interface Written {
  result: PushResult;
  timescale: boolean;
}

/** What a delta does, for the audit: its counts and the range fingerprint after it. */
function outcomeOf(
  before: RangeFingerprint,
  counts: DeltaCounts,
): { values: DiffCounts; rowsReplaced: number; rowsInserted: number; checksum: string } {
  return {
    values: {
      added: counts.added,
      removed: counts.removed,
      changed: counts.changed,
      unchanged: before.rows - counts.removed - counts.changed,
    },
    rowsReplaced: counts.removed + counts.changed,
    rowsInserted: counts.added + counts.changed,
    // XOR undoes itself: out go the hashes of the overwritten rows, in come the new ones.
    checksum: formatFingerprint({
      rows: before.rows + counts.added - counts.removed,
      xor: before.xor ^ counts.xorOld ^ counts.xorNew,
    }),
  };
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

export class MetricPush {
  /** @param connect opens a connection with the write credentials (never the read-only exploration pool) */
  constructor(private readonly connect: () => Promise<pg.Client>) {}

  async push(request: PushRequest): Promise<PushResult> {
    checkRange(request.range);
    const written = await inTransaction(this.connect, async (client): Promise<Written> => {
      const locked = await lockPipeline(client, request.pipelineId);
      // A retry of a push that committed (its reply was lost) is answered, not re-applied.
      const earlier = await previousPush(client, request.pushId);
      if (earlier) return { result: earlier, timescale: false };
      if (locked.version !== request.baseVersion) {
        throw conflict(
          `The pipeline "${request.pipelineId}" was changed on the server since your preview: it is at version ${locked.version}${locked.updatedBy ? ` (by ${locked.updatedBy}` : ''}${locked.updatedAt ? `${locked.updatedBy ? ',' : ' ('} ${locked.updatedAt.toISOString()})` : locked.updatedBy ? ')' : ''}, your draft started from version ${request.baseVersion}. Nothing was written.`,
          'Reload the pipeline, merge your draft into the new version, and preview again.',
        );
      }
      const expected = parseFingerprint(request.expectedChecksum);
      const refuseIfStale = (current: RangeFingerprint): void => {
        if (current.rows === expected.rows && current.xor === expected.xor) return;
        throw conflict(
          `The server's metrics of "${request.pipelineId}" in this range changed since your preview (${current.rows} rows now, ${expected.rows} then). Nothing was written.`,
          'Preview again to see the current metrics, then push.',
        );
      };
      // The range is fingerprinted on a connection of its own while this one writes (the scan of the whole range
      // and the writes of the delta overlap), and the push commits only if it is still as previewed; until then
      // the preview's fingerprint stands in for it. The check starts after the pipeline is locked, so it sees every
      // push committed before this one. A role that may not open a second connection checks first, here.
      const other = await this.connect().catch(() => null);
      if (!other) {
        refuseIfStale(await rangeFingerprint(client, request.pipelineId, request.range));
        return this.writeStated(client, request, locked.version, expected);
      }
      const checking = withClient(
        async () => other,
        (c) => rangeFingerprint(c, request.pipelineId, request.range),
      );
      checking.catch(() => undefined);
      try {
        const stated = await this.writeStated(client, request, locked.version, expected);
        refuseIfStale(await checking);
        return stated;
      } catch (err) {
        // A preview of other rows explains whatever else went wrong.
        const current = await checking.catch(() => null);
        if (current) refuseIfStale(current);
        throw err;
      }
    });
    return this.refreshed(written, request.range);
  }

  /**
   * A push's delta staged, checked and written over the range as previewed
   * (`previewed`: its fingerprint then), with its audit row.
   */
  private async writeStated(
    client: pg.ClientBase,
    request: PushRequest,
    lockedVersion: number,
    previewed: RangeFingerprint,
  ): Promise<Written> {
    await client.query(CREATE_DELTA_TABLE);
    await pipeline(
      createReadStream(request.deltaFile),
      client.query(
        copyFrom('COPY push_delta (time, series_id, metric_name, value, server_value, on_server) FROM STDIN'),
      ),
    );
    const counts = await classifyDelta(client, request.pipelineId, request.range, 'stated');
    refuseBadDelta(request.range, counts);
    const version = request.definition
      ? await newVersion(client, request.pipelineId, request.definition, request.pushedBy, request.comment)
      : lockedVersion;
    return applyDelta(client, {
      pushId: request.pushId,
      pushedBy: request.pushedBy,
      pipelineId: request.pipelineId,
      baseVersion: request.baseVersion,
      version,
      range: request.range,
      undoOf: null,
      comment: request.comment,
      counts,
      before: previewed,
      serverSide: 'stated',
    });
  }

  /** A committed push or undo with its continuous aggregates refreshed (TimescaleDB: no aggregates elsewhere). */
  private async refreshed({ result, timescale }: Written, range: PushRange): Promise<PushResult> {
    if (timescale && !result.alreadyApplied) result.aggregates = await refreshAfterPush(this.connect, range);
    return result;
  }

  /**
   * Undoes push `undoOf` as a new audited push: the keys it touched get back
   * the rows it replaced (the whole range, for a push audited before migration
   * 003), and a definition it changed goes back to its base version's.
   */
  async undo(request: {
    pushId: string;
    undoOf: string;
    pushedBy: string;
    comment: string | null;
  }): Promise<PushResult> {
    const { written, range } = await inTransaction(this.connect, async (client) => {
      const { rows } = await client.query<{
        pipeline_id: string;
        base_version: number;
        pipeline_version: number;
        range_start: Date;
        range_end: Date;
        pushed_at: Date;
        replaced_scope: string;
      }>(
        `SELECT pipeline_id, base_version, pipeline_version, range_start, range_end, pushed_at, ${REPLACED_SCOPE_SQL}
         FROM dash.metric_pushes p WHERE push_id = $1`,
        [request.undoOf],
      );
      const target = rows[0];
      if (!target) throw new WorkbenchError('not_found', `There is no push ${request.undoOf} to undo.`);
      const range = { start: target.range_start.toISOString(), end: target.range_end.toISOString() };
      const locked = await lockPipeline(client, target.pipeline_id);
      const earlier = await previousPush(client, request.pushId);
      if (earlier) return { written: { result: earlier, timescale: false }, range };
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
      const before = await rangeFingerprint(client, target.pipeline_id, range);
      // The undo's delta: what the undone push replaced, put back.
      await client.query(CREATE_DELTA_TABLE);
      const replaced = `SELECT time, series_id, metric_name, value FROM dash.metric_push_replaced_rows
                        WHERE push_id = $1 AND time >= $3::timestamptz AND time < $4::timestamptz`;
      if (target.replaced_scope === 'keys') {
        await client.query(
          `INSERT INTO push_delta (time, series_id, metric_name, value, present)
           SELECT time, series_id, metric_name, value, existed FROM dash.metric_push_replaced_rows WHERE push_id = $1`,
          [request.undoOf],
        );
      } else {
        // The whole range as it was: every key that differs from it now.
        await client.query(
          `INSERT INTO push_delta (time, series_id, metric_name, value, present)
           SELECT coalesce(r.time, c.time), coalesce(r.series_id, c.series_id), coalesce(r.metric_name, c.metric_name),
                  r.value, r.time IS NOT NULL
           FROM (${replaced}) r
           FULL JOIN (SELECT time, series_id, metric_name, value FROM dash.pipeline_metrics
                      WHERE pipeline_id = $2 AND time >= $3::timestamptz AND time < $4::timestamptz) c
             ON r.metric_name = c.metric_name AND r.series_id = c.series_id AND r.time = c.time
           WHERE r.time IS NULL OR c.time IS NULL OR r.value IS DISTINCT FROM c.value`,
          [request.undoOf, target.pipeline_id, range.start, range.end],
        );
      }
      const { rows: staged } = await client.query<{ n: number }>('SELECT count(*)::float8 AS n FROM push_delta');
      await chooseJoins(client, staged[0]!.n, before.rows);
      const counts = await classifyDelta(client, target.pipeline_id, range, 'looked-up');
      const applied = await applyDelta(client, {
        pushId: request.pushId,
        pushedBy: request.pushedBy,
        pipelineId: target.pipeline_id,
        baseVersion: locked.version,
        version,
        range,
        undoOf: request.undoOf,
        comment: request.comment,
        counts,
        before,
        serverSide: 'looked-up',
      });
      return { written: applied, range };
    });
    return this.refreshed(written, range);
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
