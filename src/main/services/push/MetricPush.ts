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
import { WorkbenchError } from '../../../shared/errors';
import { isoUtcSql } from '../../../shared/serverSql';
import { detectServerMode } from '../postgres/ServerMode';

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
  /** True when this push id had already been applied: nothing was done now. */
  alreadyApplied: boolean;
  pipelineVersion: number;
  rowsReplaced: number;
  rowsInserted: number;
  checksum: string;
  /** Continuous aggregates refreshed over the range after commit (TimescaleDB only). */
  refreshedAggregates: string[];
}

export interface PlanDay {
  day: string;
  metricName: string;
  rowsToDelete: number;
  rowsToInsert: number;
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
  /** TimescaleDB only: the chunks the range touches. */
  chunks: { name: string; rangeStart: string; rangeEnd: string; compressed: boolean; approximateRows: number }[];
  /** TimescaleDB only: the limit on tuples one DML transaction may decompress (null: unlimited or unknown). */
  maxTuplesDecompressed: number | null;
  /** Tuples in compressed chunks that the push would decompress. */
  tuplesToDecompress: number;
  /** Continuous aggregates over dash.pipeline_metrics whose buckets in the range the push invalidates. */
  continuousAggregates: string[];
  /** Plain-language warnings, e.g. a decompression over the limit. */
  warnings: string[];
}

/** How a range of one pipeline's rows is written for the checksum (docs/data-contract.md). */
function canonicalRowsSql(
  client: pg.ClientBase,
  relation: string,
  pipelineId: string | null,
  range: PushRange,
): string {
  const where = [
    pipelineId === null ? null : `pipeline_id = ${client.escapeLiteral(pipelineId)}`,
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

async function previousPush(client: pg.ClientBase, pushId: string): Promise<PushResult | null> {
  const { rows } = await client.query<{
    pipeline_version: number;
    rows_replaced: string;
    rows_inserted: string;
    checksum: string;
  }>('SELECT pipeline_version, rows_replaced, rows_inserted, checksum FROM dash.metric_pushes WHERE push_id = $1', [
    pushId,
  ]);
  const row = rows[0];
  if (!row) return null;
  return {
    pushId,
    alreadyApplied: true,
    pipelineVersion: row.pipeline_version,
    rowsReplaced: Number(row.rows_replaced),
    rowsInserted: Number(row.rows_inserted),
    checksum: row.checksum,
    refreshedAggregates: [],
  };
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
  },
): Promise<void> {
  await client.query(
    `INSERT INTO dash.metric_pushes (push_id, pushed_by, pipeline_id, base_version, pipeline_version,
       range_start, range_end, checksum, undo_of, comment)
     VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $9)`,
    [
      row.pushId,
      row.pushedBy,
      row.pipelineId,
      row.baseVersion,
      row.version,
      row.range.start,
      row.range.end,
      row.undoOf,
      row.comment,
    ],
  );
}

/** Fills in the audit row's counts and the checksum of the rows now in the range (`rowsSql`); the push's result. */
async function completePush(
  client: pg.ClientBase,
  done: { pushId: string; version: number; rowsReplaced: number; rowsInserted: number; rowsSql: string },
): Promise<PushResult> {
  const { checksum } = await checksumOf(client, done.rowsSql);
  await client.query(
    'UPDATE dash.metric_pushes SET rows_replaced = $2, rows_inserted = $3, checksum = $4 WHERE push_id = $1',
    [done.pushId, done.rowsReplaced, done.rowsInserted, checksum],
  );
  return {
    pushId: done.pushId,
    alreadyApplied: false,
    pipelineVersion: done.version,
    rowsReplaced: done.rowsReplaced,
    rowsInserted: done.rowsInserted,
    checksum,
    refreshedAggregates: [],
  };
}

/** Moves the pipeline's rows in the range into the push's replaced rows; returns how many. */
async function replaceRange(client: pg.ClientBase, pushId: string, pipelineId: string, range: PushRange) {
  const moved = await client.query(
    `WITH gone AS (
       DELETE FROM dash.pipeline_metrics
       WHERE pipeline_id = $2 AND time >= $3::timestamptz AND time < $4::timestamptz
       RETURNING time, series_id, metric_name, value)
     INSERT INTO dash.metric_push_replaced_rows (push_id, time, series_id, metric_name, value)
     SELECT $1, time, series_id, metric_name, value FROM gone`,
    [pushId, pipelineId, range.start, range.end],
  );
  return moved.rowCount ?? 0;
}

function refreshAggregates(connect: () => Promise<pg.Client>, range: PushRange): Promise<string[]> {
  return withClient(connect, async (client) => {
    if ((await detectServerMode(client)).mode !== 'timescaledb') return [];
    const caggs = await continuousAggregatesOver(client);
    for (const name of caggs) {
      // CALL cannot run inside a transaction block: each refresh is its own.
      await client.query(`CALL refresh_continuous_aggregate($1::regclass, $2::timestamptz, $3::timestamptz)`, [
        name,
        range.start,
        range.end,
      ]);
    }
    return caggs;
  });
}

async function continuousAggregatesOver(client: pg.ClientBase): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT format('%I.%I', view_schema, view_name) AS name
     FROM timescaledb_information.continuous_aggregates
     WHERE hypertable_schema = 'dash' AND hypertable_name = 'pipeline_metrics'
     ORDER BY 1`,
  );
  return rows.map((r) => r.name);
}

function conflict(message: string, hint: string): WorkbenchError {
  return new WorkbenchError('conflict', message, hint);
}

export class MetricPush {
  /** @param connect opens a connection with the write credentials (never the read-only exploration pool) */
  constructor(private readonly connect: () => Promise<pg.Client>) {}

  /** What a push of `rowsFile` over `range` would do, without writing anything. */
  async plan(request: Omit<PushRequest, 'pushId' | 'expectedChecksum' | 'pushedBy' | 'comment'>): Promise<PushPlan> {
    checkRange(request.range);
    return withClient(this.connect, async (client) => {
      try {
        // Read-write only for its temp table (READ WRITE: the caller may connect with the read-only
        // exploration settings); the transaction is always rolled back.
        await client.query('BEGIN READ WRITE');
        const { rows: pipelines } = await client.query<{ version: number }>(
          'SELECT version FROM dash.pipelines WHERE id = $1',
          [request.pipelineId],
        );
        const serverVersion = pipelines[0]?.version;
        if (serverVersion === undefined)
          throw new WorkbenchError('not_found', `The server has no pipeline "${request.pipelineId}".`);
        await client.query(
          'CREATE TEMP TABLE push_plan_rows (time timestamptz, series_id text, metric_name text, value double precision)',
        );
        await pipeline(createReadStream(request.rowsFile), client.query(copyFrom('COPY push_plan_rows FROM STDIN')));
        const { rows: perDay } = await client.query<{ day: string; metric_name: string; del: string; ins: string }>(
          `WITH current AS (
           SELECT to_char(time AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, metric_name, count(*) AS n
           FROM dash.pipeline_metrics
           WHERE pipeline_id = $1 AND time >= $2::timestamptz AND time < $3::timestamptz GROUP BY 1, 2),
         incoming AS (
           SELECT to_char(time AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, metric_name, count(*) AS n
           FROM push_plan_rows GROUP BY 1, 2)
         SELECT coalesce(c.day, i.day) AS day, coalesce(c.metric_name, i.metric_name) AS metric_name,
                coalesce(c.n, 0)::text AS del, coalesce(i.n, 0)::text AS ins
         FROM current c FULL JOIN incoming i ON c.day = i.day AND c.metric_name = i.metric_name
         ORDER BY 1, 2`,
          [request.pipelineId, request.range.start, request.range.end],
        );
        const outside = await client.query<{ n: string }>(
          'SELECT count(*)::text AS n FROM push_plan_rows WHERE NOT (time >= $1::timestamptz AND time < $2::timestamptz)',
          [request.range.start, request.range.end],
        );
        const days = perDay.map((r) => ({
          day: r.day,
          metricName: r.metric_name,
          rowsToDelete: Number(r.del),
          rowsToInsert: Number(r.ins),
        }));
        const warnings: string[] = [];
        if (Number(outside.rows[0]?.n) > 0) {
          warnings.push(`${outside.rows[0]!.n} recomputed rows fall outside the range and would be refused.`);
        }
        const mode = (await detectServerMode(client)).mode;
        const plan: PushPlan = {
          pipelineId: request.pipelineId,
          serverVersion,
          newVersion: request.definition ? serverVersion + 1 : serverVersion,
          range: request.range,
          days,
          rowsToDelete: days.reduce((n, d) => n + d.rowsToDelete, 0),
          rowsToInsert: days.reduce((n, d) => n + d.rowsToInsert, 0),
          mode,
          chunks: [],
          maxTuplesDecompressed: null,
          tuplesToDecompress: 0,
          continuousAggregates: [],
          warnings,
        };
        if (mode === 'timescaledb') await this.planTimescale(client, plan);
        return plan;
      } finally {
        await client.query('ROLLBACK').catch(() => undefined);
      }
    });
  }

  private async planTimescale(client: pg.ClientBase, plan: PushPlan): Promise<void> {
    const { rows: chunks } = await client.query<{
      name: string;
      range_start: Date;
      range_end: Date;
      is_compressed: boolean;
      approx: string;
    }>(
      `SELECT format('%I.%I', chunk_schema, chunk_name) AS name, range_start, range_end, is_compressed,
              approximate_row_count(format('%I.%I', chunk_schema, chunk_name)::regclass)::text AS approx
       FROM timescaledb_information.chunks
       WHERE hypertable_schema = 'dash' AND hypertable_name = 'pipeline_metrics'
         AND range_start < $2::timestamptz AND range_end > $1::timestamptz
       ORDER BY range_start`,
      [plan.range.start, plan.range.end],
    );
    plan.chunks = chunks.map((c) => ({
      name: c.name,
      rangeStart: c.range_start.toISOString(),
      rangeEnd: c.range_end.toISOString(),
      compressed: c.is_compressed,
      approximateRows: Number(c.approx),
    }));
    plan.tuplesToDecompress = plan.chunks.filter((c) => c.compressed).reduce((n, c) => n + c.approximateRows, 0);
    const { rows: setting } = await client.query<{ value: string | null }>(
      "SELECT current_setting('timescaledb.max_tuples_decompressed_per_dml_transaction', true) AS value",
    );
    const limit = setting[0]?.value ? Number(setting[0].value) : null;
    plan.maxTuplesDecompressed = limit !== null && Number.isFinite(limit) && limit > 0 ? limit : null;
    if (plan.maxTuplesDecompressed !== null && plan.tuplesToDecompress > plan.maxTuplesDecompressed) {
      plan.warnings.push(
        `The push would decompress about ${plan.tuplesToDecompress} tuples, over the server's limit of ${plan.maxTuplesDecompressed} per transaction (timescaledb.max_tuples_decompressed_per_dml_transaction): push a shorter range, or ask the server team to raise the limit.`,
      );
    }
    plan.continuousAggregates = await continuousAggregatesOver(client);
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
      const version = request.definition
        ? await newVersion(client, request.pipelineId, request.definition, request.pushedBy, request.comment)
        : locked.version;
      // The audit row first: the replaced rows reference it. Its counts and checksum are filled in below.
      await insertAuditRow(client, {
        pushId: request.pushId,
        pushedBy: request.pushedBy,
        pipelineId: request.pipelineId,
        baseVersion: request.baseVersion,
        version,
        range: request.range,
        undoOf: null,
        comment: request.comment,
      });
      const rowsReplaced = await replaceRange(client, request.pushId, request.pipelineId, request.range);
      const inserted = await client.query(
        `INSERT INTO dash.pipeline_metrics (time, pipeline_id, series_id, metric_name, value)
         SELECT time, $1, series_id, metric_name, value FROM push_rows`,
        [request.pipelineId],
      );
      return completePush(client, {
        pushId: request.pushId,
        version,
        rowsReplaced,
        rowsInserted: inserted.rowCount ?? 0,
        rowsSql: canonicalRowsSql(client, 'push_rows', null, request.range),
      });
    });
    if (!result.alreadyApplied) result.refreshedAggregates = await refreshAggregates(this.connect, request.range);
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
      await insertAuditRow(client, {
        pushId: request.pushId,
        pushedBy: request.pushedBy,
        pipelineId: target.pipeline_id,
        baseVersion: locked.version,
        version,
        range,
        undoOf: request.undoOf,
        comment: request.comment,
      });
      const rowsReplaced = await replaceRange(client, request.pushId, target.pipeline_id, range);
      const restored = await client.query(
        `INSERT INTO dash.pipeline_metrics (time, pipeline_id, series_id, metric_name, value)
         SELECT time, $2, series_id, metric_name, value FROM dash.metric_push_replaced_rows WHERE push_id = $1`,
        [request.undoOf, target.pipeline_id],
      );
      const result = await completePush(client, {
        pushId: request.pushId,
        version,
        rowsReplaced,
        rowsInserted: restored.rowCount ?? 0,
        rowsSql: canonicalRowsSql(client, 'dash.pipeline_metrics', target.pipeline_id, range),
      });
      return { result, range };
    });
    if (!result.alreadyApplied) result.refreshedAggregates = await refreshAggregates(this.connect, range);
    return result;
  }
}
