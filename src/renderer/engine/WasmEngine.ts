/**
 * The interactive engine: DuckDB-WASM in a Web Worker holding the working sets
 * the user is looking at. It is only ever given Arrow (never Parquet, never a
 * URL) and has extension autoloading off, so it never touches the network.
 */
import { AsyncDuckDB, VoidLogger, getPlatformFeatures, type AsyncDuckDBConnection } from '@duckdb/duckdb-wasm';
import {
  Bool,
  DateDay,
  Float64,
  Int32,
  Int64,
  Table,
  TimestampMicrosecond,
  Utf8,
  tableToIPC,
  vectorFromArray,
} from 'apache-arrow';
import ehWasmUrl from '@duckdb/duckdb-wasm/dist/duckdb-eh.wasm?url';
import ehWorkerUrl from '@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js?url';
import coiWasmUrl from '@duckdb/duckdb-wasm/dist/duckdb-coi.wasm?url';
import coiWorkerUrl from '@duckdb/duckdb-wasm/dist/duckdb-browser-coi.worker.js?url';
import coiPthreadWorkerUrl from '@duckdb/duckdb-wasm/dist/duckdb-browser-coi.pthread.worker.js?url';
import { ENGINE_SETUP_SQL } from './engineSetup';
import { SerialQueue, SupersededError } from './SerialQueue';
import {
  checkTableName,
  countSql,
  dropSql,
  pageSql,
  rowOrderSql,
  rowsByIdSql,
  topRowsSql,
  type SortKey,
} from './pagingSql';
import { histogramSql, profileShape, statsSql, topValuesSql, HISTOGRAM_BINS } from './profileSql';
import { errorMessage } from '../../shared/errors';
import { ipcRowCount, tableToRows, type ColumnKind, type EngineRows } from './rows';
import { chartData, type ChartData, type ChartRequest } from '../../shared/charts/chartQuery';
import { whereClause } from '../../shared/gridView';
import { chartTableRows } from '../../shared/charts/chartRows';
import type { ChartSource } from '../../shared/charts/m4Sql';

/** What the grid shows of a result: a WHERE (already compiled, see shared/gridView) and a sort. */
export interface GridView {
  sort: readonly SortKey[];
  where: string;
}

export interface ColumnProfile {
  column: string;
  kind: ColumnKind;
  total: number;
  nulls: number;
  distinct: number;
  /** Numbers, or epoch microseconds for times; text for the rest. */
  min: number | string | null;
  max: number | string | null;
  /** Numeric and time columns: equal-width bins from min to max. */
  bins: { from: number; to: number; count: number }[];
  /** Other columns: the most frequent values. */
  top: { value: string; count: number }[];
}

export interface LoadProgress {
  chunks: number;
  bytes: number;
  /** Rows loaded so far (the table's count), known without asking the engine. */
  rows: number;
}

/** Copies a view that does not own its whole buffer: the worker takes over (transfers) the buffer. */
function ownedBytes(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
}

/**
 * What the engine needs of a DuckDB-WASM connection: the browser's worker-backed
 * one, or (in tests) the Node build's, wrapped to the same shape.
 */
export interface EngineConnection {
  query(sql: string): Promise<Table>;
  /**
   * Runs one statement that `stop` can end before it finishes: the worker runs
   * it in steps of at most POLL_MS (DuckDB-WASM's send), and a stop asked for
   * meanwhile rejects it after the step that runs.
   */
  queryStoppable(sql: string): Promise<Table>;
  /** Ends the statement `queryStoppable` is running; false if none was running. */
  stop(): Promise<boolean>;
  insertArrowFromIPCStream(buffer: Uint8Array, options: { name: string; create: boolean }): Promise<void>;
  close(): Promise<void>;
}

/**
 * How long the worker runs a stoppable statement before it looks for a stop:
 * a stop takes effect within this, and each step costs one message each way.
 */
const POLL_MS = 20;

/** The browser's connection (the worker's) in the engine's shape. */
function workerConnection(conn: AsyncDuckDBConnection): EngineConnection {
  return {
    query: (sql) => conn.query(sql),
    queryStoppable: async (sql) => {
      const reader = await conn.send(sql);
      return new Table(reader.schema, await reader.readAll());
    },
    stop: () => conn.cancelSent(),
    insertArrowFromIPCStream: (buffer, options) => conn.insertArrowFromIPCStream(buffer, options),
    close: () => conn.close(),
  };
}

/**
 * A DuckDB-WASM build: 'coi' (threads: needs the page cross-origin isolated,
 * SharedArrayBuffer and WebAssembly threads) or 'eh' (one thread).
 */
export type WasmBuild = 'coi' | 'eh';

/** The most capable build the page can run. */
export function chooseWasmBuild(platform: {
  crossOriginIsolated: boolean;
  sharedArrayBuffer: boolean;
  wasmThreads: boolean;
}): WasmBuild {
  return platform.crossOriginIsolated && platform.sharedArrayBuffer && platform.wasmThreads ? 'coi' : 'eh';
}

const BUNDLES: Record<WasmBuild, { wasm: string; worker: string; pthreadWorker: string | null }> = {
  coi: { wasm: coiWasmUrl, worker: coiWorkerUrl, pthreadWorker: coiPthreadWorkerUrl },
  eh: { wasm: ehWasmUrl, worker: ehWorkerUrl, pthreadWorker: null },
};

/** The warm-up's rows as a result arrives (Arrow IPC): the column types results commonly have, with nulls. */
function warmUpSample(rows: number): Uint8Array {
  const n = Array.from({ length: rows }, (_, i) => i);
  const epochMs = Date.UTC(2026, 0, 1);
  const table = new Table({
    n: vectorFromArray(
      n.map((i) => BigInt(i)),
      new Int64(),
    ),
    i: vectorFromArray(
      n.map((i) => i % 1000),
      new Int32(),
    ),
    s: vectorFromArray(
      n.map((i) => `series-${i % 97}`),
      new Utf8(),
    ),
    x: vectorFromArray(
      n.map((i) => (i % 11 === 0 ? null : i / 7)),
      new Float64(),
    ),
    t: vectorFromArray(
      n.map((i) => epochMs + i * 1000),
      new TimestampMicrosecond('UTC'),
    ),
    d: vectorFromArray(
      n.map((i) => epochMs + (i % 365) * 86_400_000),
      new DateDay(),
    ),
    b: vectorFromArray(
      n.map((i) => i % 3 === 0),
      new Bool(),
    ),
  });
  return tableToIPC(table, 'stream');
}

/** A view's row order: the result's row ids that pass its filter, in its sort order, as a table. */
interface RowOrder {
  signature: string;
  table: string;
  rows: number;
}

/**
 * A view's pages up to this row are read from the result itself (top-N), without its row
 * order: sorting 10M rows' ids took 2.6–3.1 s in Chromium, their first rows 0.4–0.6 s.
 */
const TOP_ROWS = 10_000;

function isPlain(view: GridView): boolean {
  return view.sort.length === 0 && view.where === '';
}

function viewSignature(view: GridView): string {
  return JSON.stringify([view.sort, view.where]);
}

export class WasmEngine {
  private readonly queue = new SerialQueue();
  private nextTable = 1;
  /** At most one row order (filtered/sorted row ids, never a copy of the rows) per result table: what the grid shows now. */
  private readonly rowOrders = new Map<string, RowOrder>();

  private constructor(
    private readonly conn: EngineConnection,
    readonly version: string,
    private readonly terminate: () => Promise<void>,
    /** The build that runs; the Node build of tests counts as 'eh' (one thread, exceptions). */
    readonly build: WasmBuild = 'eh',
  ) {}

  /** An engine over a connection already set up like `start` does (tests use DuckDB-WASM's Node build). */
  static over(
    conn: EngineConnection,
    version: string,
    terminate: () => Promise<void> = async () => undefined,
  ): WasmEngine {
    return new WasmEngine(conn, version, terminate);
  }

  /**
   * Starts the one-thread (eh) build, or `build` when asked (the bench compares
   * the two). The threaded build is held back although the shell allows it: in
   * Chromium it answered a 166,800-row GROUP BY over 10M rows with no rows at
   * all, where the eh build and native DuckDB answer every row (query.wasm_browser).
   */
  static async start(build: WasmBuild = 'eh'): Promise<WasmEngine> {
    const features = await getPlatformFeatures();
    const possible = chooseWasmBuild({
      crossOriginIsolated: features.crossOriginIsolated,
      sharedArrayBuffer: typeof SharedArrayBuffer !== 'undefined',
      wasmThreads: features.wasmThreads,
    });
    if (build === 'coi' && possible !== 'coi') {
      throw new Error('The threaded DuckDB-WASM build needs a cross-origin isolated page with WebAssembly threads');
    }
    const bundle = BUNDLES[build];
    const worker = new Worker(bundle.worker);
    const db = new AsyncDuckDB(new VoidLogger(), worker);
    try {
      await db.instantiate(bundle.wasm, bundle.pthreadWorker);
      await db.open({
        // Keep BIGINT exact (the grid shows it as BigInt) and decimals as plain numbers.
        query: { castBigIntToDouble: false, castDecimalToDouble: true, queryPollingInterval: POLL_MS },
      });
      const conn = await db.connect();
      for (const sql of ENGINE_SETUP_SQL) await conn.query(sql);
      const version = await db.getVersion();
      // Which build ran is what a slow query first depends on: say it where a developer (and the bench) looks.
      // eslint-disable-next-line no-console -- one line per window, on purpose
      console.info(`DuckDB-WASM ${version}, ${build} build (${build === 'coi' ? 'threads' : 'one thread'})`);
      const engine = new WasmEngine(workerConnection(conn), version, () => db.terminate(), build);
      void engine.warmUp();
      return engine;
    } catch (err) {
      await db.terminate().catch(() => undefined);
      throw err;
    }
  }

  /**
   * Runs what a result grid runs (load Arrow, count, a page, a sort, a filter, a
   * profile, a drop) once over a small table of every common column type. The
   * browser compiles DuckDB-WASM's code as it is first used: without this, a
   * user's first result took about three times longer to show its first rows
   * (10k-row insert 74 → 12 ms, its first page 375 → 50 ms in Chromium). Each
   * step is its own queued task, so a query asked for meanwhile waits for one
   * step at most. Never fails: a warm-up that cannot run leaves a cold engine.
   */
  async warmUp(rows = 100_000): Promise<void> {
    const table = this.newTableName('warm_up');
    try {
      await this.loadResult(table, [warmUpSample(rows)]);
      await this.page(table, Math.floor(rows / 2), 200);
      const view: GridView = {
        sort: [{ column: 'x', desc: true }],
        where: whereClause([{ column: 's', kind: 'text', op: 'contains', value: '1' }]),
      };
      await this.page(table, 400, 200, view);
      await this.page(table, TOP_ROWS, 200, view);
      await this.profile(table, view.where, 'x', 'float');
      await this.profile(table, '', 's', 'text');
    } catch (err) {
      // A developer wants to know; the user loses nothing.
      console.warn(`DuckDB-WASM warm-up stopped: ${errorMessage(err)}`);
    } finally {
      await this.drop(table).catch(() => undefined);
    }
  }

  /** A fresh name for a result table (`result_<n>`). */
  newTableName(prefix = 'result'): string {
    return checkTableName(`${prefix}_${this.nextTable++}`);
  }

  /**
   * Loads a result: every chunk is a complete Arrow IPC stream; the first one
   * creates the table, the rest append to it. Resolves with the rows loaded.
   */
  async loadResult(
    tableName: string,
    chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    onProgress?: (progress: LoadProgress) => void,
  ): Promise<number> {
    const name = checkTableName(tableName);
    let loaded = 0;
    let bytes = 0;
    let rows = 0;
    for await (const chunk of chunks) {
      const size = chunk.byteLength;
      // Read before the worker takes the bytes over.
      const chunkRows = ipcRowCount(chunk);
      const create = loaded === 0;
      await this.queue.run(() => this.conn.insertArrowFromIPCStream(ownedBytes(chunk), { name, create }));
      loaded++;
      bytes += size;
      rows += chunkRows;
      onProgress?.({ chunks: loaded, bytes, rows });
    }
    return rows;
  }

  /**
   * One page of rows, sorted over the whole table. Pass `supersedeKey` (e.g. the
   * grid's id) so that a newer request for the same grid replaces a queued older one.
   */
  page(
    tableName: string,
    offset: number,
    limit: number,
    view: GridView = { sort: [], where: '' },
    supersedeKey?: string,
  ): Promise<EngineRows> {
    const base = checkTableName(tableName);
    return this.queue.run(async () => {
      const built = await this.builtRowOrder(base, view);
      if (isPlain(view)) return this.rows(pageSql(base, offset, limit));
      // The first rows of a view need no row order: a sort answers at once, and the order is built when paged past them.
      if (!built && offset + limit <= TOP_ROWS)
        return this.rows(topRowsSql(base, view.sort, view.where, offset, limit));
      const order = built ?? (await this.buildRowOrder(base, view));
      const ids = (await this.rows(pageSql(order.table, offset, limit))).rows.map((row) => Number(row[0]));
      return this.rows(rowsByIdSql(base, ids));
    }, supersedeKey);
  }

  /** Rows the view shows (the filtered count). */
  viewRowCount(tableName: string, view: GridView): Promise<number> {
    const base = checkTableName(tableName);
    return this.queue.run(async () => {
      const built = await this.builtRowOrder(base, view);
      return built ? built.rows : this.count(base, view.where);
    });
  }

  /**
   * Runs inside the queue: the row order already built for this view, if any. One
   * built for another view of the result is dropped (a result keeps at most one).
   */
  private async builtRowOrder(base: string, view: GridView): Promise<RowOrder | null> {
    const previous = this.rowOrders.get(base);
    if (!previous) return null;
    if (!isPlain(view) && previous.signature === viewSignature(view)) return previous;
    this.rowOrders.delete(base);
    await this.conn.query(dropSql(previous.table));
    return null;
  }

  /** Runs inside the queue: filters and sorts the whole result's row ids once for this view. */
  private async buildRowOrder(base: string, view: GridView): Promise<RowOrder> {
    const table = checkTableName(`${base}_view_${this.nextTable++}`);
    await this.conn.query(rowOrderSql(base, table, view.sort, view.where));
    const order = { signature: viewSignature(view), table, rows: await this.count(table) };
    this.rowOrders.set(base, order);
    return order;
  }

  /** Runs inside the queue: one statement's rows. */
  private async rows(sql: string): Promise<EngineRows> {
    return tableToRows(await this.conn.query(sql));
  }

  private async count(table: string, where = ''): Promise<number> {
    const result = await this.conn.query(countSql(table, where));
    return Number(result.getChildAt(0)?.get(0) ?? 0);
  }

  /** Nulls, distinct, min/max and a histogram of one column over the whole (filtered) result. */
  profile(tableName: string, where: string, column: string, kind: ColumnKind): Promise<ColumnProfile> {
    const table = checkTableName(tableName);
    return this.queue.run(async () => {
      const stats = (await this.rows(statsSql(table, where, column, kind))).rows[0] ?? [];
      const [total, nulls, distinct, minText, maxText, lo, hi] = stats as [
        number,
        number,
        number,
        string | null,
        string | null,
        number | null,
        number | null,
      ];
      const profile: ColumnProfile = {
        column,
        kind,
        total,
        nulls,
        distinct,
        min: lo ?? minText,
        max: hi ?? maxText,
        bins: [],
        top: [],
      };
      if (profileShape(kind) === 'values') {
        const top = (await this.rows(topValuesSql(table, where, column))).rows;
        profile.top = top.map(([value, n]) => ({ value: String(value), count: Number(n) }));
      } else if (lo !== null && hi !== null && Number.isFinite(lo) && Number.isFinite(hi)) {
        const width = hi > lo ? (hi - lo) / HISTOGRAM_BINS : 1;
        const counts = new Map(
          (await this.rows(histogramSql(table, where, column, kind, lo, hi))).rows.map(
            ([bin, n]) => [Number(bin), Number(n)] as const,
          ),
        );
        const binCount = hi > lo ? HISTOGRAM_BINS : 1;
        profile.bins = Array.from({ length: binCount }, (_, i) => ({
          from: lo + i * width,
          to: hi > lo ? lo + (i + 1) * width : hi,
          count: counts.get(i) ?? 0,
        }));
      }
      return profile;
    });
  }

  /**
   * Runs statements in order as one queued task (e.g. a pipeline preview: build,
   * then read it back); the rows of each. A newer script with the same
   * `supersedeKey` replaces a queued older one, and `cancel(supersedeKey)` stops
   * a running one within POLL_MS (it rejects with SupersededError).
   */
  script(statements: readonly string[], supersedeKey?: string): Promise<EngineRows[]> {
    return this.queue.run(async (signal) => {
      const stop = () => void this.conn.stop().catch(() => undefined);
      signal.addEventListener('abort', stop);
      try {
        const results: EngineRows[] = [];
        for (const sql of statements) {
          if (signal.aborted) throw new SupersededError();
          try {
            results.push(tableToRows(await this.conn.queryStoppable(sql)));
          } catch (err) {
            // DuckDB-WASM says "query was canceled"; the caller hears what it asked for.
            if (signal.aborted) throw new SupersededError();
            throw err;
          }
        }
        // Stopped too late to end the last statement: its answer is no longer wanted either.
        if (signal.aborted) throw new SupersededError();
        return results;
      } finally {
        signal.removeEventListener('abort', stop);
      }
    }, supersedeKey);
  }

  /** Drops the queued tasks with this key and stops the running one (see `script`). */
  cancel(supersedeKey: string): void {
    this.queue.cancel(supersedeKey);
  }

  /** A chart's points over a result table: the warehouse's M4 SQL (src/shared/charts); a newer call with the same key drops a queued one. */
  chart(source: ChartSource, request: ChartRequest, supersedeKey?: string): Promise<ChartData> {
    return this.queue.run(
      () => chartData(async (sql) => chartTableRows(await this.conn.query(sql)), source, request),
      supersedeKey,
    );
  }

  rowCount(tableName: string): Promise<number> {
    const table = checkTableName(tableName);
    return this.queue.run(() => this.count(table));
  }

  drop(tableName: string): Promise<void> {
    const base = checkTableName(tableName);
    return this.queue.run(async () => {
      const order = this.rowOrders.get(base);
      this.rowOrders.delete(base);
      if (order) await this.conn.query(dropSql(order.table));
      await this.conn.query(dropSql(base));
    });
  }

  async close(): Promise<void> {
    await this.queue.run(() => this.conn.close());
    await this.terminate();
  }
}
