/**
 * A result's column names are the names the interactive engine knows its columns
 * by: a clash that only differs in case, a repeated name and a column called
 * `rowid` would otherwise be renamed by DuckDB-WASM behind the grid's back, or
 * hide the row id the grid pages by. Through the real warehouse, DuckDB-WASM's
 * Node build, and a server result's encoder.
 */
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WasmEngine } from '../../../src/renderer/engine/WasmEngine';
import { Warehouse } from '../../../src/main/services/warehouse/Warehouse';
import { resultColumnNames } from '../../../src/shared/resultColumns';
import { PgArrowEncoder } from '../../../src/main/services/postgres/pgArrow';
import { startRecordingEngine, type EngineLog } from '../../support/renderer/rendererEngine';

// More than the engine's top-N rows (10,000), so a sorted page deep down goes through the row order.
const ROWS = 12_000;

describe('result column names', () => {
  it('gives a name taken in any case, or rowid, the first free name_N', () => {
    expect(resultColumnNames(['a', 'A', 'a', 'a_1', 'rowid', 'ROWID', 'x', 'rowid_1'])).toEqual([
      'a',
      'A_1',
      'a_2',
      'a_1_1',
      'rowid_1',
      'ROWID_2',
      'x',
      'rowid_1_1',
    ]);
    expect(resultColumnNames(['?column?', '?column?', 'n'])).toEqual(['?column?', '?column?_1', 'n']);
    // Only ASCII letters are folded, as DuckDB folds them: these are distinct names to it.
    expect(resultColumnNames(['Ä', 'ä', 'K', '\u212A'])).toEqual(['Ä', 'ä', 'K', '\u212A']);
  });

  it('names a server result’s columns the same way', () => {
    const encoder = new PgArrowEncoder([
      { name: 'rowid', dataTypeID: 20 },
      { name: 'Value', dataTypeID: 701 },
      { name: 'value', dataTypeID: 701 },
    ]);
    expect(encoder.names).toEqual(['rowid_1', 'Value', 'value_1']);
    // The API says what the query called a renamed column.
    expect(encoder.columnInfo(['bigint', 'double precision', 'double precision'])).toEqual([
      { name: 'rowid_1', type: 'bigint', queryName: 'rowid' },
      { name: 'Value', type: 'double precision' },
      { name: 'value_1', type: 'double precision', queryName: 'value' },
    ]);
  });

  describe('through the warehouse into the engine', () => {
    let warehouse: Warehouse;
    let engine: WasmEngine;
    let log: EngineLog;
    let columns: string[];
    let queryNames: (string | undefined)[];
    const table = 'result_names';

    beforeAll(async () => {
      warehouse = await Warehouse.open({ rowsPerChunk: 1_000 });
      ({ engine, log } = await startRecordingEngine());
      // rowid counts down while the rows' place counts up; "A" beside a; a twice.
      const meta = await warehouse.query(
        'names',
        `SELECT i AS a, -i AS "A", ${ROWS} - i AS rowid, i * 2 AS a FROM range(${ROWS}) t(i) ORDER BY i`,
      );
      columns = meta.columns.map((c) => c.name);
      queryNames = meta.columns.map((c) => c.queryName);
      const chunks = Array.from({ length: meta.chunkCount }, (_, c) => warehouse.resultChunk(meta.resultId, c));
      expect(tableFromIPC(chunks[0]!).schema.fields.map((f) => f.name)).toEqual(columns);
      await engine.loadResult(table, chunks);
      warehouse.releaseResult(meta.resultId);
    }, 60_000);
    afterAll(async () => {
      await engine?.close();
      await warehouse?.close();
    });

    it('lists the names the engine’s table has', async () => {
      expect(columns).toEqual(['a', 'A_1', 'rowid_1', 'a_2']);
      expect(queryNames).toEqual([undefined, 'A', 'rowid', 'a']);
      const [described] = await engine.script([`SELECT column_name FROM (DESCRIBE ${table})`]);
      expect(described!.rows.map((r) => r[0])).toEqual(columns);
    });

    it('keeps names that DuckDB tells apart, though JavaScript would fold them alike', async () => {
      const meta = await warehouse.query('unicode', `SELECT 1 AS "Ä", 2 AS "ä", 3 AS "K", 4 AS "\u212A"`);
      const names = meta.columns.map((c) => c.name);
      expect(names).toEqual(['Ä', 'ä', 'K', '\u212A']);
      await engine.loadResult('result_unicode', [warehouse.resultChunk(meta.resultId, 0)]);
      warehouse.releaseResult(meta.resultId);
      const [described] = await engine.script(['SELECT column_name FROM (DESCRIBE result_unicode)']);
      expect(described!.rows.map((r) => r[0])).toEqual(names);
    });

    it('pages by the row’s place, not by a column called rowid', async () => {
      const page = await engine.page(table, 3_000, 3);
      expect(page.columns.map((c) => c.name)).toEqual(columns);
      expect(page.rows.map((r) => r.map(Number))).toEqual([
        [3000, -3000, ROWS - 3000, 6000],
        [3001, -3001, ROWS - 3001, 6002],
        [3002, -3002, ROWS - 3002, 6004],
      ]);
      // Past the first rows of a sorted view: the row order is built from row ids.
      const sorted = await engine.page(table, ROWS - 10, 2, { sort: [{ column: 'A_1', desc: false }], where: '' });
      expect(log.statements.filter((sql) => sql.startsWith('CREATE OR REPLACE TABLE'))).toHaveLength(1);
      expect(sorted.rows.map((r) => Number(r[0]))).toEqual([9, 8]);
      const byRowid = await engine.page(table, 0, 2, { sort: [{ column: 'rowid_1', desc: false }], where: '' });
      expect(byRowid.rows.map((r) => Number(r[0]))).toEqual([ROWS - 1, ROWS - 2]);
    });
  });
});
