import { DuckDBInstance } from '@duckdb/node-api';
import { pageSql } from '../../src/renderer/engine/pagingSql';
import { tableToRows } from '../../src/renderer/engine/rows';
import { PAGE_SIZE } from '../../src/renderer/features/grid/pageCaches';
import { Warehouse } from '../../src/main/services/warehouse/Warehouse';
import { quoteLiteral } from '../../src/shared/sql';
import { NodeWasmEngine } from '../../tests/support/NodeWasmEngine';
import { metricsParquet } from '../fixtures';
import { medianMs, timeFigure, type BenchContext, type Figure } from '../harness';

/** The grid's page at the end of a big result: the rows a user sees after dragging the scrollbar to the bottom. */
export const gridPageAtEnd: Figure = {
  id: 'grid.page_at_end',
  description: 'the grid page at row N−1000 of an N-row result held in DuckDB-WASM vs native DuckDB on the same rows',
  async run(ctx: BenchContext) {
    const file = await metricsParquet(ctx.cacheDir, ctx.rows);
    const offset = Math.max(0, ctx.rows - 1000);
    const sql = pageSql('points', offset, PAGE_SIZE);

    const db = await DuckDBInstance.create(':memory:', {
      autoload_known_extensions: 'false',
      autoinstall_known_extensions: 'false',
    });
    const con = await db.connect();
    let baselineMs: number;
    try {
      await con.run(`CREATE TABLE points AS SELECT * FROM read_parquet(${quoteLiteral(file)})`);
      baselineMs = await medianMs(async () => {
        const rows = (await con.runAndReadAll(sql)).getRows();
        if (rows.length !== PAGE_SIZE) throw new Error(`native returned ${rows.length} rows`);
      }, 9);
    } finally {
      con.closeSync();
      db.closeSync();
    }

    const warehouse = await Warehouse.open({ rowsPerChunk: 1_000_000 });
    const engine = await NodeWasmEngine.start();
    try {
      ctx.log(`  loading ${ctx.rows} rows into DuckDB-WASM as Arrow…`);
      await engine.loadFrom(warehouse, 'points', `SELECT * FROM read_parquet(${quoteLiteral(file)})`);
      // Ours includes turning Arrow into the grid's rows, as the grid does.
      const ours = await medianMs(() => {
        const rows = tableToRows(engine.query(sql)).rows;
        if (rows.length !== PAGE_SIZE) throw new Error(`WASM returned ${rows.length} rows`);
      }, 9);
      return timeFigure(
        this.id,
        ours,
        'native DuckDB, same rows in a table, same page query',
        baselineMs,
        `page of ${PAGE_SIZE} rows at row ${offset.toLocaleString('en-US')} of ${ctx.rows.toLocaleString('en-US')}`,
      );
    } finally {
      engine.close();
      await warehouse.close();
    }
  },
};
