/**
 * A sorted or filtered view of a result in the engine: its first rows come
 * straight from the result (top-N), a page past them builds the view's row order
 * once, and both give the rows a full sort gives. Over DuckDB-WASM's Node build.
 */
import { Float64, Int32, Table, vectorFromArray } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GridView, WasmEngine } from '../../../src/renderer/engine/WasmEngine';
import type { NodeWasmEngine } from '../../support/NodeWasmEngine';
import { startRecordingEngine, type EngineLog } from '../../support/renderer/rendererEngine';
import { ipcStream } from '../../support/renderer/fixtures';

const ROWS = 25_000;

describe('WasmEngine views: first rows by top-N, the rest by the row order', () => {
  let node: NodeWasmEngine;
  let engine: WasmEngine;
  let log: EngineLog;
  const table = 'result_views';

  beforeAll(async () => {
    ({ engine, node, log } = await startRecordingEngine());
    const ids = Array.from({ length: ROWS }, (_, i) => i);
    // Few distinct values (ties everywhere) and nulls: the order of ties is load order.
    const chunk = ipcStream(
      new Table({
        id: vectorFromArray(ids, new Int32()),
        value: vectorFromArray(
          ids.map((i) => (i % 13 === 0 ? null : (i * 7919) % 101)),
          new Float64(),
        ),
      }),
    );
    await engine.loadResult(table, [chunk]);
  }, 60_000);
  afterAll(async () => {
    await engine?.close();
  });

  /** The ids of the view's rows as a full sort gives them (ties by id = load order). */
  function expectedIds(view: { desc: boolean; keep?: (id: number) => boolean }): number[] {
    const rows = Array.from({ length: ROWS }, (_, id) => ({ id, value: id % 13 === 0 ? null : (id * 7919) % 101 }));
    return rows
      .filter((r) => view.keep?.(r.id) ?? true)
      .sort((a, b) => {
        if (a.value === b.value) return a.id - b.id;
        if (a.value === null) return 1; // NULLS LAST either way
        if (b.value === null) return -1;
        return view.desc ? b.value - a.value : a.value - b.value;
      })
      .map((r) => r.id);
  }

  const ids = async (offset: number, limit: number, view: GridView) =>
    (await engine.page(table, offset, limit, view)).rows.map((row) => Number(row[0]));
  const rowOrderBuilds = () => log.statements.filter((sql) => sql.startsWith('CREATE OR REPLACE TABLE')).length;

  it('reads a sorted view’s first pages without sorting every row id, and builds the order once past them', async () => {
    const view: GridView = { sort: [{ column: 'value', desc: true }], where: '' };
    const want = expectedIds({ desc: true });
    log.statements.length = 0;
    expect(await ids(0, 200, view)).toEqual(want.slice(0, 200));
    expect(await ids(9_800, 200, view)).toEqual(want.slice(9_800, 10_000));
    expect(rowOrderBuilds()).toBe(0);
    expect(log.statements.some((sql) => /LIMIT 200 OFFSET 9800$/.test(sql))).toBe(true);
    // Past the first rows: the view's row order, built once, then read.
    expect(await ids(20_000, 200, view)).toEqual(want.slice(20_000, 20_200));
    expect(await ids(24_900, 200, view)).toEqual(want.slice(24_900));
    expect(rowOrderBuilds()).toBe(1);
    // Once built, the first pages come from it too: the same rows.
    expect(await ids(0, 200, view)).toEqual(want.slice(0, 200));
    expect(rowOrderBuilds()).toBe(1);
  });

  it('counts a filtered view without building its order, and drops an order built for another view', async () => {
    const view: GridView = { sort: [{ column: 'value', desc: false }], where: 'WHERE id % 2 = 0' };
    const want = expectedIds({ desc: false, keep: (id) => id % 2 === 0 });
    log.statements.length = 0;
    expect(await engine.viewRowCount(table, view)).toBe(want.length);
    expect(await ids(0, 200, view)).toEqual(want.slice(0, 200));
    expect(rowOrderBuilds()).toBe(0);
    // The previous view's order table is gone: a result keeps at most one.
    expect(log.statements.some((sql) => sql.startsWith('DROP TABLE IF EXISTS "result_views_view_'))).toBe(true);
    expect(await ids(12_000, 200, view)).toEqual(want.slice(12_000, 12_200));
    expect(await engine.viewRowCount(table, view)).toBe(want.length);
    expect(rowOrderBuilds()).toBe(1);
    // Back to load order: the order table is dropped, pages read the result by rowid.
    expect(await ids(100, 3, { sort: [], where: '' })).toEqual([100, 101, 102]);
    expect(node.rows(`SELECT table_name FROM duckdb_tables() WHERE table_name LIKE 'result_views_view_%'`)).toEqual([]);
  });
});
