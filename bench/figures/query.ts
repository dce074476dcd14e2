import { DuckDBInstance } from '@duckdb/node-api';
import { Warehouse } from '../../src/main/services/warehouse/Warehouse';
import { quoteLiteral } from '../../src/shared/sql';
import { NodeWasmEngine } from '../../tests/support/NodeWasmEngine';
import { hourlyAggregationSql, metricsParquet } from '../fixtures';
import { medianMs, timeFigure, type BenchContext, type Figure } from '../harness';

/** Bare native DuckDB on the same file and query: the baseline of the query figures (and query.wasm_browser). */
export async function bareNativeMs(file: string): Promise<{ ms: number; rows: number }> {
  const db = await DuckDBInstance.create(':memory:', {
    autoload_known_extensions: 'false',
    autoinstall_known_extensions: 'false',
  });
  const con = await db.connect();
  let rows = 0;
  try {
    const sql = hourlyAggregationSql(`read_parquet(${quoteLiteral(file)})`);
    const ms = await medianMs(async () => {
      rows = (await con.runAndReadAll(sql)).currentRowCount;
    });
    return { ms, rows };
  } finally {
    con.closeSync();
    db.closeSync();
  }
}

export const queryWarehouse: Figure = {
  id: 'query.warehouse',
  description:
    'hourly buckets × series over a Parquet file, through the warehouse (worker thread + Arrow) vs bare native DuckDB',
  async run(ctx: BenchContext) {
    const file = await metricsParquet(ctx.cacheDir, ctx.rows);
    const baseline = await bareNativeMs(file);
    const warehouse = await Warehouse.open();
    try {
      const sql = hourlyAggregationSql(`read_parquet(${quoteLiteral(file)})`);
      let n = 0;
      const ours = await medianMs(async () => {
        const meta = await warehouse.query(`bench-${n++}`, sql);
        if (meta.rowCount !== baseline.rows)
          throw new Error(`warehouse returned ${meta.rowCount} rows, native ${baseline.rows}`);
        // Fetching every chunk is part of the path to the renderer.
        for (let c = 0; c < meta.chunkCount; c++) warehouse.resultChunk(meta.resultId, c);
        warehouse.releaseResult(meta.resultId);
      });
      return timeFigure(
        this.id,
        ours,
        'bare native DuckDB, same file and query',
        baseline.ms,
        `${ctx.rows} rows in, ${baseline.rows} rows out; beyond the query: fetching DuckDB's 2048-row chunks one ` +
          'async call each, Arrow encoding (column buffers reused, fixed-width columns copied whole, ~10-20 ms) and the ' +
          "IPC writer's copy into one buffer, the transfer to the main thread",
      );
    } finally {
      await warehouse.close();
    }
  },
};

export const queryWasm: Figure = {
  id: 'query.wasm',
  description:
    'the same aggregation over the same rows held as a DuckDB-WASM working set vs bare native DuckDB on the file',
  async run(ctx: BenchContext) {
    const file = await metricsParquet(ctx.cacheDir, ctx.rows);
    const baseline = await bareNativeMs(file);
    const warehouse = await Warehouse.open({ rowsPerChunk: 1_000_000 });
    const engine = await NodeWasmEngine.start();
    try {
      ctx.log(`  loading ${ctx.rows} rows into DuckDB-WASM as Arrow…`);
      const loadStarted = performance.now();
      await engine.loadFrom(warehouse, 'points', `SELECT * FROM read_parquet(${quoteLiteral(file)})`);
      const loadMs = performance.now() - loadStarted;
      const sql = hourlyAggregationSql('points');
      const ours = await medianMs(() => {
        const rows = engine.query(sql).numRows;
        if (rows !== baseline.rows) throw new Error(`WASM returned ${rows} rows, native ${baseline.rows}`);
      });
      return timeFigure(
        this.id,
        ours,
        'bare native DuckDB, same file and query',
        baseline.ms,
        `working set load (once): ${Math.round(loadMs)} ms`,
      );
    } finally {
      engine.close();
      await warehouse.close();
    }
  },
};
