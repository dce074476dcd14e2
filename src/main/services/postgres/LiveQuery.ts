/**
 * Live queries on the Dash server, for ranges too large to sync: always inside
 * `BEGIN READ ONLY` with the connection's statement timeout, streamed through a
 * cursor (FETCH n at a time, never the whole result in the driver) into Arrow
 * IPC chunks that the renderer loads exactly like warehouse results. Cancel
 * sends pg_cancel_backend from a separate connection, so a query stuck in
 * pg_sleep or a huge scan stops on the server, not only in the UI.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { QueryResultMeta } from '../../../shared/api/contract';
import { LIVE_RESULT_PREFIX } from '../../../shared/api/server';
import { WorkbenchError, errorMessage } from '../../../shared/errors';
import { asDatabaseError } from './pgErrors';
import { PgArrowEncoder } from './pgArrow';
import { HeldResults } from '../results/HeldResults';
import { checkOut, connectClient, type HeldClient } from './poolClient';
import { EXPLAIN_PREFIX, estimateRowsRead } from './planEstimate';
import { beginReadOnlySql } from './ReadOnlyStatements';

export interface LiveQueriesOptions {
  /** The workspace's PostgreSQL pool (throws a clear error while it is starting). */
  pool: () => pg.Pool;
  /** From the PostgreSQL connection profile. */
  statementTimeoutMs: () => number;
  /** Past this many rows the query stops with a hint to sync the range instead. */
  maxRows?: number;
  /** Rows per Arrow IPC chunk, as in the warehouse. */
  rowsPerChunk?: number;
  /** Rows per FETCH round trip. */
  fetchRows?: number;
  keepResults?: number;
}

interface Running {
  pid: number | null;
  cancelled: boolean;
  /** A cancel in flight: the connection is not handed back before it lands. */
  cancelling: Promise<void> | null;
  /** What the server was sent before the user's SQL (error positions are shifted back by it). */
  prefix: string;
}

const READ_ONLY_HINT =
  'Query the data live with SELECT, or sync the range into the local cache and work on it in the warehouse.';
const CURSOR = 'dash_live_cursor';

/** Every value as the server's text; pgArrow.ts reads it (pg would read timestamps in local time). */
const textTypes: pg.CustomTypesConfig = {
  getTypeParser: (() => (value: string) => value) as unknown as pg.CustomTypesConfig['getTypeParser'],
};

/** The statement's first key word, past comments and parentheses. */
export function leadingKeyword(sql: string): string {
  let rest = sql;
  for (;;) {
    const trimmed = rest.replace(/^[\s(]+/, '');
    if (trimmed.startsWith('--')) {
      const end = trimmed.indexOf('\n');
      rest = end < 0 ? '' : trimmed.slice(end + 1);
    } else if (trimmed.startsWith('/*')) {
      const end = trimmed.indexOf('*/');
      rest = end < 0 ? '' : trimmed.slice(end + 2);
    } else {
      return (/^[A-Za-z_]+/.exec(trimmed)?.[0] ?? '').toLowerCase();
    }
  }
}

/** SELECT-like statements stream through a cursor; EXPLAIN and SHOW answer small and run as they are. */
const CURSOR_KEYWORDS = new Set(['select', 'with', 'values', 'table']);
const DIRECT_KEYWORDS = new Set(['explain', 'show']);

function readOnlyRefusal(what: string): WorkbenchError {
  return new WorkbenchError(
    'query_failed',
    `Live queries are read-only: ${what}. Nothing was changed on the server.`,
    READ_ONLY_HINT,
  );
}

/** Line and column of a 1-based character position in the user's SQL. */
function where(sql: string, position: number): string {
  const before = sql.slice(0, Math.max(0, position - 1));
  const lines = before.split('\n');
  return ` (line ${lines.length}, column ${lines[lines.length - 1]!.length + 1})`;
}

export class LiveQueries {
  private readonly running = new Map<string, Running>();
  private readonly results: HeldResults;
  private readonly maxRows: number;
  private readonly rowsPerChunk: number;
  private readonly fetchRows: number;

  constructor(private readonly options: LiveQueriesOptions) {
    this.maxRows = options.maxRows ?? 1_000_000;
    this.rowsPerChunk = options.rowsPerChunk ?? 100_000;
    this.fetchRows = options.fetchRows ?? 10_000;
    this.results = new HeldResults(options.keepResults ?? 16, 'by the server connection');
  }

  static owns(resultId: string): boolean {
    return resultId.startsWith(LIVE_RESULT_PREFIX);
  }

  /**
   * Runs `sql` read-only on the server. With `maxRowsRead`, a SELECT the planner
   * expects to read more rows than that is refused before it starts
   * (`heavy_read`, saying how many).
   */
  async run(queryId: string, sql: string, maxRowsRead: number | null = null): Promise<QueryResultMeta> {
    const keyword = leadingKeyword(sql);
    const viaCursor = CURSOR_KEYWORDS.has(keyword);
    if (!viaCursor && !DIRECT_KEYWORDS.has(keyword)) {
      throw keyword
        ? readOnlyRefusal(`${keyword.toUpperCase()} statements are not run against the server`)
        : new WorkbenchError('bad_request', 'There is no statement to run', 'Type a SELECT, then press Ctrl+Enter.');
    }
    if (this.running.has(queryId)) throw new WorkbenchError('bad_request', `Query ${queryId} is already running`);
    const pool = this.options.pool();
    const timeoutMs = Math.max(1, Math.trunc(this.options.statementTimeoutMs()));
    const run: Running = { pid: null, cancelled: false, cancelling: null, prefix: '' };
    this.running.set(queryId, run);
    const started = performance.now();
    let client: pg.PoolClient | null = null;
    let held: HeldClient | null = null;
    let broken = false;
    try {
      held = await checkOut(pool);
      client = held.client;
      run.pid = (client as unknown as { processID: number | null }).processID ?? null;
      if (run.cancelled) throw new WorkbenchError('cancelled', 'Query cancelled');
      await client.query(beginReadOnlySql(timeoutMs, 'UTC'));
      if (viaCursor && maxRowsRead !== null) {
        run.prefix = EXPLAIN_PREFIX;
        const estimate = await estimateRowsRead(client, sql);
        if (estimate.rows > maxRowsRead) throw heavyRead(estimate.rows, maxRowsRead, estimate.fullScans);
      }
      const { encoder, chunks, columns, rowCount } = viaCursor
        ? await this.stream(client, run, sql)
        : await this.direct(client, sql);
      await client.query('ROLLBACK');
      const meta: QueryResultMeta = {
        queryId,
        resultId: `${LIVE_RESULT_PREFIX}${randomUUID()}`,
        columns: encoder.columnInfo(columns),
        rowCount,
        chunkCount: chunks.length,
        elapsedMs: performance.now() - started,
      };
      this.results.hold(meta, chunks);
      return meta;
    } catch (err) {
      if (client) {
        // A failed transaction must not go back to the pool; a connection that cannot roll back is dropped.
        await run.cancelling;
        await client.query('ROLLBACK').catch(() => {
          broken = true;
        });
      }
      throw this.explain(err, run, sql, viaCursor, timeoutMs);
    } finally {
      this.running.delete(queryId);
      if (held) {
        await run.cancelling;
        held.release(broken);
      }
    }
  }

  /** Cancels a running live query on the server; false when there is none with that id. */
  async cancel(queryId: string): Promise<boolean> {
    const run = this.running.get(queryId);
    if (!run) return false;
    run.cancelled = true;
    if (run.pid !== null && !run.cancelling) {
      const pid = run.pid;
      run.cancelling = this.cancelBackend(pid).catch(() => undefined);
      await run.cancelling;
    }
    return true;
  }

  resultChunk(resultId: string, chunk: number): Uint8Array {
    return this.results.chunk(resultId, chunk);
  }

  releaseResult(resultId: string): boolean {
    return this.results.release(resultId);
  }

  private async stream(client: pg.PoolClient, run: Running, sql: string) {
    // The extended protocol takes exactly one statement: `SELECT 1; COMMIT; DELETE …` cannot ride along.
    run.prefix = `DECLARE ${CURSOR} NO SCROLL CURSOR FOR `;
    const declare = { text: `${run.prefix}${sql}`, queryMode: 'extended' as const };
    await client.query(declare);
    let encoder: PgArrowEncoder | null = null;
    let columns: string[] = [];
    const chunks: Uint8Array[] = [];
    let rowCount = 0;
    for (;;) {
      if (run.cancelled) throw new WorkbenchError('cancelled', 'Query cancelled');
      const want = Math.min(this.fetchRows, this.maxRows + 1 - rowCount);
      const batch = await client.query<string[]>({
        text: `FETCH FORWARD ${want} FROM ${CURSOR}`,
        rowMode: 'array',
        types: textTypes,
      });
      if (!encoder) {
        encoder = new PgArrowEncoder(batch.fields);
        columns = await typeNames(client, batch.fields);
      }
      for (const row of batch.rows) {
        encoder.append(row);
        if (encoder.bufferedRows >= this.rowsPerChunk) chunks.push(encoder.flush());
      }
      rowCount += batch.rows.length;
      if (rowCount > this.maxRows) {
        throw new WorkbenchError(
          'query_failed',
          `The live result has more than ${this.maxRows.toLocaleString('en-US')} rows; it was stopped there to keep the workbench responsive.`,
          'Narrow the time range, aggregate on the server (e.g. rows per hour), or sync the range into the local cache and query it there.',
        );
      }
      if (batch.rows.length < want) break;
    }
    if (!encoder) throw new Error('The server sent no result description');
    if (encoder.bufferedRows > 0 || chunks.length === 0) chunks.push(encoder.flush());
    return { encoder, chunks, columns, rowCount };
  }

  private async direct(client: pg.PoolClient, sql: string) {
    const result = await client.query<string[]>({
      text: sql,
      rowMode: 'array',
      types: textTypes,
      queryMode: 'extended',
    } as pg.QueryArrayConfig);
    const encoder = new PgArrowEncoder(result.fields);
    const columns = await typeNames(client, result.fields);
    for (const row of result.rows) encoder.append(row);
    return { encoder, chunks: [encoder.flush()], columns, rowCount: result.rows.length };
  }

  private async cancelBackend(pid: number): Promise<void> {
    // A connection of its own: the pool may be busy with the very query we are stopping.
    const client = await connectClient(this.options.pool().options);
    try {
      await client.query('SELECT pg_cancel_backend($1)', [pid]);
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  /** Turns the server's refusal into what happened and what to do. */
  private explain(err: unknown, run: Running, sql: string, viaCursor: boolean, timeoutMs: number): Error {
    if (err instanceof WorkbenchError) return err;
    const db = asDatabaseError(err);
    if (!db) {
      return new WorkbenchError(
        'unavailable',
        `The server could not run the live query: ${errorMessage(err)}`,
        'Check that the PostgreSQL server is reachable (Connections → Test connection).',
      );
    }
    const offset = run.prefix.length;
    const position = db.position ? Number(db.position) - offset : 0;
    const at = position > 0 ? where(sql, position) : '';
    if (db.code === '57014') {
      if (run.cancelled) return new WorkbenchError('cancelled', 'Query cancelled');
      return new WorkbenchError(
        'timeout',
        `The server stopped the live query after ${seconds(timeoutMs)}, the statement timeout of this connection.`,
        'Narrow the time range or aggregate on the server; raise the statement timeout in Connections; or sync the range and query it locally.',
      );
    }
    if (db.code === '25006') return readOnlyRefusal(`the server refused to write (${db.message})`);
    if (db.code === '0A000' && /data-modifying/i.test(db.message)) {
      return readOnlyRefusal('a WITH clause that changes data is not run against the server');
    }
    if (db.code === '42601' && /cannot insert multiple commands/i.test(db.message)) {
      return new WorkbenchError(
        'query_failed',
        'Live queries run one statement at a time.',
        'Select the statement you want, then press Ctrl+Enter.',
      );
    }
    if (db.code === '42601' && viaCursor && /\b(insert|update|delete|merge)\b/i.test(sql)) {
      return readOnlyRefusal('statements that change data are not run against the server');
    }
    const schema = db.code === '42501' ? /permission denied for schema (\S+)/.exec(db.message)?.[1] : undefined;
    if (schema) {
      return new WorkbenchError(
        'forbidden',
        `${db.message}${at}`,
        `This connection's role lacks USAGE on the schema ${schema}. Ask the server team to run: GRANT USAGE ON SCHEMA ${schema} TO <the read-only role>;`,
      );
    }
    if (
      db.code === '42883' &&
      /\b(time_bucket\w*|approximate_row_count|locf|interpolate|histogram)\b/.test(db.message)
    ) {
      return new WorkbenchError(
        'query_failed',
        `${db.message}${at}`,
        "TimescaleDB's functions live in the schema the extension was created in, which may not be on the search_path: qualify them with it (the Server section names it), e.g. tsdb.time_bucket(...).",
      );
    }
    return new WorkbenchError('query_failed', `${db.message}${at}`, db.hint || undefined);
  }
}

function heavyRead(rows: number, limit: number, fullScans: string[]): WorkbenchError {
  const n = (x: number) => x.toLocaleString('en-US');
  const scans = fullScans.length
    ? ` It reads ${fullScans.length === 1 ? fullScans[0] : `${fullScans.length} tables`} from end to end.`
    : '';
  return new WorkbenchError(
    'heavy_read',
    `This query would read about ${n(rows)} rows on the server (the planner's estimate; a live query asks first above ${n(limit)}).${scans} Nothing was run.`,
    'Run it anyway, narrow the time range (a WHERE on time lets the server skip the rest), or sync these days into the local cache and query them in the warehouse.',
  );
}

function seconds(ms: number): string {
  return `${(ms / 1000).toLocaleString('en-US', { maximumFractionDigits: 1 })} s`;
}

async function typeNames(client: pg.PoolClient, fields: readonly pg.FieldDef[]): Promise<string[]> {
  if (fields.length === 0) return [];
  const { rows } = await client.query<{ name: string }>(
    'SELECT format_type(o, nullif(m, -1)) AS name FROM unnest($1::oid[], $2::int[]) WITH ORDINALITY AS u(o, m, n) ORDER BY n',
    [fields.map((f) => f.dataTypeID), fields.map((f) => f.dataTypeModifier)],
  );
  return rows.map((r) => r.name);
}
