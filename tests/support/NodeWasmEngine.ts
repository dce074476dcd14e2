/**
 * DuckDB-WASM under Node (its blocking build), for tests and benchmarks that
 * hold the interactive engine to the same answers and speed as the native
 * warehouse. Like the renderer's engine it only ever receives Arrow.
 */
import { createRequire } from 'node:module';
import type { Table } from 'apache-arrow';
import { ENGINE_SETUP_SQL } from '../../src/renderer/engine/engineSetup';
import type { Warehouse } from '../../src/main/services/warehouse/Warehouse';

const require = createRequire(import.meta.url);

interface BlockingConnection {
  query(sql: string): Table;
  insertArrowFromIPCStream(buffer: Uint8Array, options: { name: string; create?: boolean }): void;
  close(): void;
}
interface BlockingDb {
  instantiate(): Promise<unknown>;
  connect(): BlockingConnection;
  reset?(): void;
}
interface BlockingModule {
  createDuckDB(bundles: unknown, logger: unknown, runtime: unknown): Promise<BlockingDb>;
  VoidLogger: new () => unknown;
  NODE_RUNTIME: unknown;
}

export class NodeWasmEngine {
  private constructor(private readonly connection: BlockingConnection) {}

  static async start(): Promise<NodeWasmEngine> {
    const duckdb = require('@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs') as BlockingModule;
    const bundles = {
      mvp: {
        mainModule: require.resolve('@duckdb/duckdb-wasm/dist/duckdb-mvp.wasm'),
        mainWorker: require.resolve('@duckdb/duckdb-wasm/dist/duckdb-node-mvp.worker.cjs'),
      },
      eh: {
        mainModule: require.resolve('@duckdb/duckdb-wasm/dist/duckdb-eh.wasm'),
        mainWorker: require.resolve('@duckdb/duckdb-wasm/dist/duckdb-node-eh.worker.cjs'),
      },
    };
    const db = await duckdb.createDuckDB(bundles, new duckdb.VoidLogger(), duckdb.NODE_RUNTIME);
    await db.instantiate();
    const connection = db.connect();
    for (const sql of ENGINE_SETUP_SQL) connection.query(sql);
    return new NodeWasmEngine(connection);
  }

  query(sql: string): Table {
    return this.connection.query(sql);
  }

  /** An answer as plain rows (64-bit integers as numbers), as the warehouse's rows() gives them. */
  rows(sql: string): Record<string, unknown>[] {
    return this.query(sql)
      .toArray()
      .map((r: { toJSON(): Record<string, unknown> }) => {
        const row = r.toJSON();
        for (const [k, v] of Object.entries(row)) if (typeof v === 'bigint') row[k] = Number(v);
        return row;
      });
  }

  /** `sql`'s result on the warehouse, crossing as Arrow chunks into a new `table`, as a result reaches the renderer. */
  async loadFrom(warehouse: Warehouse, table: string, sql: string): Promise<number> {
    const meta = await warehouse.query(`load-${table}`, sql);
    try {
      for (let c = 0; c < meta.chunkCount; c++)
        this.insertArrow(table, warehouse.resultChunk(meta.resultId, c), c === 0);
    } finally {
      warehouse.releaseResult(meta.resultId);
    }
    return meta.rowCount;
  }

  /** Appends one Arrow IPC stream to `table`, creating it on the first chunk. */
  insertArrow(table: string, ipc: Uint8Array, create: boolean): void {
    this.connection.insertArrowFromIPCStream(ipc, { name: table, create });
  }

  close(): void {
    this.connection.close();
  }
}
