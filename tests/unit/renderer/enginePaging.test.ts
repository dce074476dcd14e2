/**
 * The grid's paging SQL and Arrow→row conversion, run on the same DuckDB-WASM
 * build (its Node flavour) over a result loaded the way the renderer loads it:
 * Arrow IPC streams, the first creating the table.
 */
import { Int32, Int64, Table, vectorFromArray } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  countSql,
  dropSql,
  orderByClause,
  pageSql,
  rowOrderSql,
  rowsByIdSql,
  topRowsSql,
  type SortKey,
} from '../../../src/renderer/engine/pagingSql';
import { tableToRows } from '../../../src/renderer/engine/rows';
import { NodeWasmEngine } from '../../support/NodeWasmEngine';
import { ipcStream, utcMicros } from '../../support/renderer/fixtures';

const BASE_MICROS = 1_774_742_400_000_000n; // 2026-03-29 00:00:00 UTC

function chunk(from: number, count: number): Uint8Array {
  const ids = Array.from({ length: count }, (_, i) => from + i);
  const table = new Table({
    id: vectorFromArray(ids, new Int32()),
    time: utcMicros(ids.map((i) => BASE_MICROS + BigInt(i) * 60_000_000n)),
    series_id: vectorFromArray(ids.map((i) => `s${i % 3}`)),
    // Nulls in the sort column, and a value shared by many rows (ties).
    value: vectorFromArray(ids.map((i) => (i % 10 === 0 ? null : (i % 4) * 1.5))),
    big: vectorFromArray(
      ids.map((i) => 9007199254740993n + BigInt(i)),
      new Int64(),
    ),
  });
  return ipcStream(table);
}

let engine: NodeWasmEngine;

/** A page of a view as WasmEngine.page reads it: the slice of the row order, then those rows. */
function orderedPage(order: string, offset: number, limit: number) {
  const ids = tableToRows(engine.query(pageSql(order, offset, limit))).rows.map((row) => Number(row[0]));
  return tableToRows(engine.query(rowsByIdSql('result_1', ids)));
}

beforeAll(async () => {
  engine = await NodeWasmEngine.start();
  engine.insertArrow('result_1', chunk(0, 300), true);
  engine.insertArrow('result_1', chunk(300, 200), false);
}, 60_000);

afterAll(() => engine?.close());

describe('engine paging', () => {
  it('counts every loaded chunk', () => {
    expect(tableToRows(engine.query(countSql('result_1'))).rows).toEqual([[500]]);
  });

  it('pages in load order when unsorted', () => {
    const page = tableToRows(engine.query(pageSql('result_1', 200, 200)));
    expect(page.columns.map((c) => [c.name, c.kind])).toEqual([
      ['id', 'integer'],
      ['time', 'timestamp'],
      ['series_id', 'text'],
      ['value', 'float'],
      ['big', 'integer'],
    ]);
    expect(page.rows).toHaveLength(200);
    expect(page.rows[0]![0]).toBe(200);
    expect(page.rows[199]![0]).toBe(399);
    // Timestamps as epoch milliseconds, BIGINT exact.
    expect(page.rows[0]![1]).toBe(Number(BASE_MICROS / 1000n) + 200 * 60_000);
    expect(page.rows[0]![4]).toBe(9007199254740993n + 200n);
  });

  it('sorts the whole result, nulls last, and pages never overlap', () => {
    engine.query(rowOrderSql('result_1', 'result_1_sorted_1', [{ column: 'value', desc: true }]));
    const seen = new Set<number>();
    let previous = Infinity;
    let nullsStarted = false;
    for (let offset = 0; offset < 500; offset += 200) {
      for (const row of orderedPage('result_1_sorted_1', offset, 200).rows) {
        const id = row[0] as number;
        expect(seen.has(id)).toBe(false);
        seen.add(id);
        const value = row[3] as number | null;
        if (value === null) nullsStarted = true;
        else {
          expect(nullsStarted).toBe(false);
          expect(value).toBeLessThanOrEqual(previous);
          previous = value;
        }
      }
    }
    expect(seen.size).toBe(500);
  });

  it('pages a sorted or filtered view exactly as a sorted copy of the result did, ties in load order', () => {
    const views: { sort: SortKey[]; where: string }[] = [
      { sort: [{ column: 'value', desc: true }], where: '' },
      { sort: [{ column: 'value', desc: false }], where: '' },
      { sort: [{ column: 'series_id', desc: false }], where: '' },
      {
        sort: [
          { column: 'series_id', desc: true },
          { column: 'value', desc: false },
        ],
        where: '',
      },
      { sort: [{ column: 'value', desc: false }], where: `WHERE series_id <> 's1'` },
      { sort: [], where: 'WHERE value > 1' },
    ];
    for (const [i, view] of views.entries()) {
      // The copy the grid used to make: the rows themselves, in view order.
      const copy = `result_1_copy_${i}`;
      engine.query(`CREATE TABLE ${copy} AS SELECT * FROM result_1 ${view.where} ${orderByClause(view.sort)}`);
      const order = `result_1_order_${i}`;
      engine.query(rowOrderSql('result_1', order, view.sort, view.where));
      const total = Number(tableToRows(engine.query(countSql(copy))).rows[0]![0]);
      expect(Number(tableToRows(engine.query(countSql(order))).rows[0]![0])).toBe(total);
      for (const [offset, limit] of [
        [0, 200],
        [200, 200],
        [37, 91],
        [total - 5, 200],
        [total, 200],
      ] as const) {
        const expected = tableToRows(engine.query(`SELECT * FROM ${copy} LIMIT ${limit} OFFSET ${offset}`)).rows;
        expect(orderedPage(order, offset, limit).rows, `${JSON.stringify(view)} @${offset}`).toEqual(expected);
        // A view's first rows, read from the result without its row order: the same page.
        const top = tableToRows(engine.query(topRowsSql('result_1', view.sort, view.where, offset, limit)));
        expect(top.rows, `top-N ${JSON.stringify(view)} @${offset}`).toEqual(expected);
      }
      engine.query(dropSql(copy));
      engine.query(dropSql(order));
    }
  });

  it('counts the rows a filter keeps', () => {
    expect(tableToRows(engine.query(countSql('result_1', `WHERE series_id = 's1'`))).rows).toEqual([[167]]);
  });

  it('quotes column names', () => {
    expect(rowOrderSql('result_1', 'result_1_sorted_2', [{ column: 'we"ird col', desc: false }])).toBe(
      'CREATE OR REPLACE TABLE "result_1_sorted_2" AS SELECT result_row FROM (SELECT rowid AS result_row, "we""ird col" FROM "result_1") ORDER BY "we""ird col" ASC NULLS LAST, result_row',
    );
    // A result's own column of that name is sorted on as it is.
    expect(rowOrderSql('result_1', 'result_1_sorted_4', [{ column: 'result_row', desc: true }])).toBe(
      'CREATE OR REPLACE TABLE "result_1_sorted_4" AS SELECT rowid AS result_row FROM "result_1" ORDER BY "result_row" DESC NULLS LAST, rowid',
    );
    expect(() =>
      engine.query(
        rowOrderSql('result_1', 'result_1_sorted_3', [{ column: 'nope"; DROP TABLE result_1; --', desc: false }]),
      ),
    ).toThrow(/not found/);
    expect(() => rowsByIdSql('result_1', [1, -2])).toThrow(/Bad row id/);
    expect(tableToRows(engine.query(countSql('result_1'))).rows).toEqual([[500]]);
  });

  it('drops tables', () => {
    engine.insertArrow('result_2', chunk(0, 10), true);
    engine.query(dropSql('result_2'));
    expect(() => engine.query(countSql('result_2'))).toThrow();
  });
});
