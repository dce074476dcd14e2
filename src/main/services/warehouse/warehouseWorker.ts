/**
 * The native DuckDB of the data plane, in a worker thread so that query
 * execution and Arrow encoding never block the app's main thread.
 */
import { parentPort } from 'node:worker_threads';
import { DuckDBConnection, DuckDBInstance, type DuckDBExtractedStatements } from '@duckdb/node-api';
import { closeWorkerPort } from '../serviceWorker';
import { ArrowChunkEncoder } from './arrowEncode';
import { WarehouseReply, WarehouseRequest } from './warehouseProtocol';

if (!parentPort) throw new Error('warehouseWorker must run in a worker thread');
const port = parentPort;

let instance: DuckDBInstance | null = null;
const running = new Map<string, DuckDBConnection>();
const cancelled = new Set<string>();

/** A streamed query's flow control: chunks the caller has taken, and the wake-up of a worker waiting on it. */
interface Taken {
  chunks: number;
  wake: (() => void) | null;
}
const taken = new Map<string, Taken>();

function wakeStream(queryId: string): void {
  const flow = taken.get(queryId);
  const wake = flow?.wake;
  if (flow) flow.wake = null;
  wake?.();
}

function send(reply: WarehouseReply, transfer: ArrayBuffer[] = []): void {
  port.postMessage(reply, transfer);
}

function db(): DuckDBInstance {
  if (!instance) throw new Error('The warehouse is not open yet');
  return instance;
}

async function withConnection<T>(fn: (con: DuckDBConnection) => Promise<T>): Promise<T> {
  const con = await db().connect();
  try {
    return await fn(con);
  } finally {
    con.closeSync();
  }
}

/** Which statement of a request is running: a failure reports it, so the caller knows whether any ran before. */
interface StatementAt {
  index: number;
}

/**
 * Runs every statement but the last, returning the last one prepared. With
 * `oneStatement`, SQL holding more than one statement is refused before any runs.
 */
async function prepareLast(con: DuckDBConnection, sql: string, at: StatementAt, oneStatement = false) {
  return runUntilLast(await extractStatements(con, sql, oneStatement), at);
}

async function runUntilLast(statements: DuckDBExtractedStatements, at: StatementAt) {
  for (let i = 0; i < statements.count - 1; i++) {
    at.index = i;
    const stmt = await statements.prepare(i);
    await stmt.run();
  }
  at.index = statements.count - 1;
  return statements.prepare(statements.count - 1);
}

async function extractStatements(con: DuckDBConnection, sql: string, oneStatement: boolean) {
  const statements = await con.extractStatements(sql);
  if (statements.count === 0) throw new Error('The query is empty');
  if (oneStatement && statements.count > 1) {
    throw new Error(`Expected one SQL statement, got ${statements.count}; none of them ran`);
  }
  return statements;
}

/**
 * Runs every statement and reads all rows of the last. One statement runs
 * unprepared: DuckDB binds a prepared file scan again when it runs, so
 * preparing it would read every file's footer twice (a search's scans took
 * half as long again).
 */
async function runAndReadLast(con: DuckDBConnection, sql: string, at: StatementAt, oneStatement = false) {
  const statements = await extractStatements(con, sql, oneStatement);
  if (statements.count === 1) {
    at.index = 0;
    return con.runAndReadAll(sql);
  }
  return (await runUntilLast(statements, at)).runAndReadAll();
}

async function runQuery(
  reqId: number,
  queryId: string,
  sql: string,
  rowsPerChunk: number,
  firstChunkRows: number,
  at: StatementAt,
  window: number | undefined,
  oneStatement = false,
): Promise<void> {
  await withConnection(async (con) => {
    running.set(queryId, con);
    const flow: Taken = { chunks: 0, wake: null };
    if (window !== undefined) taken.set(queryId, flow);
    try {
      const last = await prepareLast(con, sql, at, oneStatement);
      const result = await last.stream();
      const encoder = new ArrowChunkEncoder(result.columnNames(), result.columnTypes());
      let rowCount = 0;
      let chunkCount = 0;
      const emit = (last = false) => {
        const rows = encoder.bufferedRows;
        const bytes = encoder.flush();
        const columns = chunkCount === 0 ? { columns: encoder.columns } : {};
        send({ kind: 'chunk', reqId, bytes, rows, ...columns, ...(last ? { last } : {}) }, [
          bytes.buffer as ArrayBuffer,
        ]);
        chunkCount++;
      };
      // A streamed query holds at most `window` chunks the caller has not taken: memory stays bounded.
      const waitForRoom = async () => {
        if (window === undefined) return;
        while (chunkCount - flow.chunks >= window && !cancelled.has(queryId)) {
          await new Promise<void>((resolve) => (flow.wake = resolve));
        }
      };
      // The next chunk is fetched (on DuckDB's side) while this one is encoded.
      const fetchNext = () => {
        const fetching = result.fetchChunk();
        // Left pending when a cancel ends the loop: its failure must not go unhandled.
        fetching.catch(() => undefined);
        return fetching;
      };
      let next = fetchNext();
      for (;;) {
        if (cancelled.has(queryId)) throw new CancelledError();
        const chunk = await next;
        if (!chunk || chunk.rowCount === 0) break;
        next = fetchNext();
        // Chunks hold exactly rowsPerChunk rows (the first one firstChunkRows).
        for (let from = 0; from < chunk.rowCount;) {
          const size = chunkCount === 0 ? firstChunkRows : rowsPerChunk;
          const to = Math.min(chunk.rowCount, from + size - encoder.bufferedRows);
          encoder.append(chunk, from, to);
          from = to;
          if (encoder.bufferedRows >= size) {
            emit();
            await waitForRoom();
            if (cancelled.has(queryId)) throw new CancelledError();
          }
        }
        rowCount += chunk.rowCount;
      }
      if (encoder.bufferedRows > 0 || chunkCount === 0) emit(true);
      send({ kind: 'done', reqId, query: { columns: encoder.columns, rowCount, chunkCount } });
    } finally {
      running.delete(queryId);
      cancelled.delete(queryId);
      if (taken.get(queryId) === flow) taken.delete(queryId);
    }
  });
}

/** Runs statements under `queryId` (so cancel can interrupt them), reporting DuckDB's progress meanwhile. */
async function runCancellable(
  reqId: number,
  queryId: string,
  sql: string,
  at: StatementAt,
  oneStatement = false,
  progress = true,
): Promise<void> {
  await withConnection(async (con) => {
    running.set(queryId, con);
    // Short scans (a search's batches) skip the progress machinery.
    const timer = progress
      ? setInterval(() => {
          const p = con.progress;
          send({
            kind: 'progress',
            reqId,
            percentage: p.percentage,
            rowsProcessed: Number(p.rows_processed),
            totalRows: Number(p.total_rows_to_process),
          });
        }, 250)
      : null;
    try {
      if (progress) await con.run('SET enable_progress_bar = true; SET enable_progress_bar_print = false;');
      const reader = await runAndReadLast(con, sql, at, oneStatement);
      if (cancelled.has(queryId)) throw new CancelledError();
      send({ kind: 'done', reqId, rows: reader.getRowObjectsJson() as Record<string, unknown>[] });
    } finally {
      if (timer) clearInterval(timer);
      running.delete(queryId);
      cancelled.delete(queryId);
    }
  });
}

class CancelledError extends Error {
  constructor() {
    super('The query was cancelled');
  }
}

/** The node binding's own prefix on parse errors: DuckDB's message after it is what the user needs. */
const BINDING_PREFIX = /^Failed to extract statements:\s*/;

function describe(err: unknown, queryId?: string): { code: 'query_failed' | 'cancelled'; message: string } {
  const message = (err instanceof Error ? err.message : String(err)).replace(BINDING_PREFIX, '');
  if (err instanceof CancelledError || (queryId !== undefined && /INTERRUPT/i.test(message))) {
    return { code: 'cancelled', message: 'The query was cancelled' };
  }
  return { code: 'query_failed', message };
}

async function handle(req: WarehouseRequest, at: StatementAt): Promise<void> {
  switch (req.op) {
    case 'open': {
      instance = await DuckDBInstance.create(req.dbPath, {
        // Never reach for the network: everything the warehouse needs is built in.
        autoinstall_known_extensions: 'false',
        autoload_known_extensions: 'false',
        ...req.settings,
      });
      send({ kind: 'done', reqId: req.reqId });
      return;
    }
    case 'exec':
      await withConnection((con) => con.run(req.sql));
      send({ kind: 'done', reqId: req.reqId });
      return;
    case 'rows': {
      const rows = await withConnection(async (con) => {
        const reader = await runAndReadLast(con, req.sql, at, req.oneStatement);
        return reader.getRowObjectsJson() as Record<string, unknown>[];
      });
      send({ kind: 'done', reqId: req.reqId, rows });
      return;
    }
    case 'query':
      await runQuery(
        req.reqId,
        req.queryId,
        req.sql,
        req.rowsPerChunk,
        req.firstChunkRows ?? req.rowsPerChunk,
        at,
        req.window,
        req.oneStatement,
      );
      return;
    case 'taken': {
      const flow = taken.get(req.queryId);
      if (flow && req.chunks > flow.chunks) {
        flow.chunks = req.chunks;
        wakeStream(req.queryId);
      }
      return;
    }
    case 'run':
      await runCancellable(req.reqId, req.queryId, req.sql, at, req.oneStatement, req.progress);
      return;
    case 'cancel': {
      const con = running.get(req.queryId);
      if (con) {
        cancelled.add(req.queryId);
        con.interrupt();
        // A stream waiting for its caller to take chunks wakes to see the cancel.
        wakeStream(req.queryId);
      }
      return;
    }
    case 'close':
      for (const [queryId, con] of running) {
        cancelled.add(queryId);
        con.interrupt();
        wakeStream(queryId);
      }
      instance?.closeSync();
      instance = null;
      send({ kind: 'done', reqId: req.reqId });
      closeWorkerPort(port);
      return;
  }
}

port.on('message', (raw: unknown) => {
  const parsed = WarehouseRequest.safeParse(raw);
  if (!parsed.success) {
    const reqId = typeof raw === 'object' && raw !== null && 'reqId' in raw ? Number(raw.reqId) : -1;
    send({
      kind: 'error',
      reqId,
      code: 'bad_request',
      message: `Malformed warehouse request: ${parsed.error.message}`,
    });
    return;
  }
  const req = parsed.data;
  const at: StatementAt = { index: 0 };
  handle(req, at).catch((err: unknown) => {
    if (req.op === 'cancel' || req.op === 'taken') return;
    const { code, message } = describe(err, req.op === 'query' || req.op === 'run' ? req.queryId : undefined);
    // `exec` runs its statements in one call, so it cannot say which one failed.
    const counted = req.op === 'query' || req.op === 'run' || req.op === 'rows';
    send({ kind: 'error', reqId: req.reqId, code, message, ...(counted ? { statement: at.index } : {}) });
  });
});
