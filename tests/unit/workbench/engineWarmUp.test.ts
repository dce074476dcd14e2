/**
 * The engine's warm-up: it runs what a result grid runs (so the browser has
 * compiled that code before a user's first result), leaves nothing behind, lets
 * a user's work in meanwhile, and never fails the engine. Over DuckDB-WASM's
 * Node build, as the window's engine runs it.
 */
import { Int32, Table, vectorFromArray } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WasmEngine } from '../../../src/renderer/engine/WasmEngine';
import type { NodeWasmEngine } from '../../support/NodeWasmEngine';
import { startRecordingEngine, type EngineLog } from '../../support/renderer/rendererEngine';
import { ipcStream } from '../../support/renderer/fixtures';

describe('WasmEngine.warmUp', () => {
  let node: NodeWasmEngine;
  let engine: WasmEngine;
  let log: EngineLog;

  beforeAll(async () => {
    ({ engine, node, log } = await startRecordingEngine());
  }, 60_000);
  afterAll(async () => {
    await engine?.close();
  });

  const tables = () => node.rows('SELECT table_name FROM duckdb_tables() ORDER BY table_name');

  it("runs the grid's load, page, sort, filter and profile once, and leaves no table behind", async () => {
    log.statements.length = 0;
    log.inserts = 0;
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      await engine.warmUp(60_000);
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
    expect(log.inserts).toBe(1);
    const all = log.statements.join('\n');
    expect(all).toMatch(/WHERE rowid BETWEEN/); // a page in load order
    expect(all).toMatch(/ORDER BY "x" DESC NULLS LAST, result_row/); // a sorted view's row order
    expect(all).toMatch(/contains\(lower\(CAST\("s" AS VARCHAR\)\)/); // a filter
    expect(all).toMatch(/LIMIT 200 OFFSET 400/); // a view's first rows (top-N)
    expect(all).toMatch(/rowid IN \(/); // a page past them: rows by id from the row order
    expect(all).toMatch(/DROP TABLE IF EXISTS "warm_up_\d+"/);
    expect(tables()).toEqual([]);
  });

  it("answers a user's result loaded while it runs, in full and in order", async () => {
    const ids = Array.from({ length: 3_000 }, (_, i) => i);
    const chunk = ipcStream(new Table({ id: vectorFromArray(ids, new Int32()) }));
    const warming = engine.warmUp(20_000);
    const table = engine.newTableName();
    await engine.loadResult(table, [chunk]);
    const page = await engine.page(table, 2_990, 50);
    expect(page.rows.map((r) => r[0])).toEqual(ids.slice(2_990));
    await warming;
    expect(await engine.rowCount(table)).toBe(3_000);
    await engine.drop(table);
    expect(tables()).toEqual([]);
  });

  it('never fails: over an engine that refuses every query it says why in the console and resolves', async () => {
    const broken = WasmEngine.over(
      {
        query: async () => {
          throw new Error('no engine here');
        },
        queryStoppable: async () => {
          throw new Error('no engine here');
        },
        stop: async () => false,
        insertArrowFromIPCStream: async () => undefined,
        close: async () => undefined,
      },
      'broken',
    );
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      await expect(broken.warmUp(100)).resolves.toBeUndefined();
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('no engine here'));
    } finally {
      warn.mockRestore();
    }
  });
});
