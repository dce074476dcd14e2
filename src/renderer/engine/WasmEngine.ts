/**
 * The interactive engine: DuckDB-WASM in a Web Worker holding the working sets
 * the user is looking at. It is only ever given Arrow (never Parquet, never a
 * URL) and has extension autoloading off, so it never touches the network.
 */
import { AsyncDuckDB, VoidLogger, type AsyncDuckDBConnection } from '@duckdb/duckdb-wasm';
import duckdbWasmUrl from '@duckdb/duckdb-wasm/dist/duckdb-eh.wasm?url';
import duckdbWorkerUrl from '@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js?url';
import { SerialQueue } from './SerialQueue';
import { checkTableName, countSql, dropSql, pageSql, sortedCopySql, type SortKey } from './pagingSql';
import { tableToRows, type EngineRows } from './rows';

export interface LoadProgress {
  chunks: number;
  bytes: number;
}

/** Copies a view that does not own its whole buffer: the worker takes over (transfers) the buffer. */
function ownedBytes(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
}

export class WasmEngine {
  private readonly queue = new SerialQueue();
  private nextTable = 1;
  /** At most one sorted copy per result table: the order the grid shows now. */
  private readonly sortedCopies = new Map<string, { signature: string; table: string }>();

  private constructor(
    private readonly db: AsyncDuckDB,
    private readonly conn: AsyncDuckDBConnection,
    readonly version: string,
  ) {}

  static async start(): Promise<WasmEngine> {
    const worker = new Worker(duckdbWorkerUrl);
    const db = new AsyncDuckDB(new VoidLogger(), worker);
    try {
      await db.instantiate(duckdbWasmUrl);
      await db.open({
        // Keep BIGINT exact (the grid shows it as BigInt) and decimals as plain numbers.
        query: { castBigIntToDouble: false, castDecimalToDouble: true },
      });
      const conn = await db.connect();
      await conn.query('SET autoload_known_extensions = false');
      await conn.query('SET autoinstall_known_extensions = false');
      const version = await db.getVersion();
      return new WasmEngine(db, conn, version);
    } catch (err) {
      await db.terminate().catch(() => undefined);
      throw err;
    }
  }

  /** A fresh name for a result table (`result_<n>`). */
  newTableName(prefix = 'result'): string {
    return checkTableName(`${prefix}_${this.nextTable++}`);
  }

  /**
   * Loads a result: every chunk is a complete Arrow IPC stream; the first one
   * creates the table, the rest append to it.
   */
  async loadResult(
    tableName: string,
    chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    onProgress?: (progress: LoadProgress) => void,
  ): Promise<void> {
    const name = checkTableName(tableName);
    let loaded = 0;
    let bytes = 0;
    for await (const chunk of chunks) {
      const size = chunk.byteLength;
      const create = loaded === 0;
      await this.queue.run(() => this.conn.insertArrowFromIPCStream(ownedBytes(chunk), { name, create }));
      loaded++;
      bytes += size;
      onProgress?.({ chunks: loaded, bytes });
    }
  }

  /**
   * One page of rows, sorted over the whole table. Pass `supersedeKey` (e.g. the
   * grid's id) so that a newer request for the same grid replaces a queued older one.
   */
  page(
    tableName: string,
    offset: number,
    limit: number,
    sort: readonly SortKey[] = [],
    supersedeKey?: string,
  ): Promise<EngineRows> {
    const base = checkTableName(tableName);
    return this.queue.run(async () => {
      const source = await this.sortedTable(base, sort);
      return tableToRows(await this.conn.query(pageSql(source, offset, limit)));
    }, supersedeKey);
  }

  /** Runs inside the queue: the table to page for `sort`, sorting the whole result once per order. */
  private async sortedTable(base: string, sort: readonly SortKey[]): Promise<string> {
    const previous = this.sortedCopies.get(base);
    const signature = JSON.stringify(sort);
    if (sort.length === 0 || previous?.signature !== signature) {
      if (previous) {
        this.sortedCopies.delete(base);
        await this.conn.query(dropSql(previous.table));
      }
      if (sort.length === 0) return base;
      const table = checkTableName(`${base}_sorted_${this.nextTable++}`);
      await this.conn.query(sortedCopySql(base, table, sort));
      this.sortedCopies.set(base, { signature, table });
      return table;
    }
    return previous.table;
  }

  rowCount(tableName: string): Promise<number> {
    const sql = countSql(checkTableName(tableName));
    return this.queue.run(async () => {
      const table = await this.conn.query(sql);
      return Number(table.getChildAt(0)?.get(0) ?? 0);
    });
  }

  drop(tableName: string): Promise<void> {
    const base = checkTableName(tableName);
    return this.queue.run(async () => {
      const sorted = this.sortedCopies.get(base);
      this.sortedCopies.delete(base);
      if (sorted) await this.conn.query(dropSql(sorted.table));
      await this.conn.query(dropSql(base));
    });
  }

  async close(): Promise<void> {
    await this.queue.run(() => this.conn.close());
    await this.db.terminate();
  }
}
