/**
 * A result loaded into the engine is stored compressed (engineSetup.ts): a big
 * result costs the window tens of megabytes, not hundreds. Over DuckDB-WASM's
 * Node build, set up as the window's engine is.
 */
import { Float64, Int64, Table, Utf8, vectorFromArray } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINE_DATABASE } from '../../../src/renderer/engine/engineSetup';
import type { WasmEngine } from '../../../src/renderer/engine/WasmEngine';
import type { NodeWasmEngine } from '../../support/NodeWasmEngine';
import { startRecordingEngine } from '../../support/renderer/rendererEngine';
import { ipcStream, utcMicros } from '../../support/renderer/fixtures';

const CHUNK_ROWS = 100_000;
const CHUNKS = 30;

const ids = Array.from({ length: CHUNK_ROWS }, (_, i) => i);
const valueOf = (i: number) => Math.round((100 + 50 * Math.sin(i / 1440)) * 1000) / 1000;

/** 100,000 rows like a metrics result: a number, a series name, a value, a time. */
function resultChunk(): Uint8Array {
  return ipcStream(
    new Table({
      n: vectorFromArray(
        ids.map((i) => BigInt(i)),
        new Int64(),
      ),
      series_id: vectorFromArray(
        ids.map((i) => `series-${String(i % 200).padStart(4, '0')}`),
        new Utf8(),
      ),
      value: vectorFromArray(ids.map(valueOf), new Float64()),
      ts: utcMicros(ids.map((i) => BigInt(Date.UTC(2026, 9, 1) + i * 1000) * 1000n)),
    }),
  );
}

describe('WasmEngine storage: results are kept compressed', () => {
  let node: NodeWasmEngine;
  let engine: WasmEngine;
  const table = 'result_storage';

  beforeAll(async () => {
    ({ engine, node } = await startRecordingEngine());
    const chunk = resultChunk();
    await engine.loadResult(
      table,
      Array.from({ length: CHUNKS }, () => chunk),
    );
  }, 120_000);
  afterAll(async () => {
    await engine?.close();
  });

  it('keeps a 3M-row result in the compressed database, in a small part of its raw size', () => {
    const [where] = node.rows(`SELECT database_name FROM duckdb_tables() WHERE table_name = '${table}'`);
    expect(where?.database_name).toBe(ENGINE_DATABASE);
    const used = node.rows(
      `SELECT sum(memory_usage_bytes)::DOUBLE AS bytes FROM duckdb_memory() WHERE tag = 'IN_MEMORY_TABLE'`,
    )[0]?.bytes;
    // Raw, the columns take 8 + 8 + 8 bytes and an 11-byte string a row: more than 100 MB for 3M rows.
    expect(Number(used)).toBeGreaterThan(0);
    expect(Number(used)).toBeLessThan(40 * 1024 * 1024);
    const compressions = node
      .rows(`SELECT DISTINCT compression FROM pragma_storage_info('${table}')`)
      .map((r) => String(r.compression));
    expect(compressions.filter((c) => c !== 'Uncompressed').length).toBeGreaterThan(0);
  });

  it('answers from the compressed rows: the count, a page at the end, a sorted page', async () => {
    expect(await engine.rowCount(table)).toBe(CHUNKS * CHUNK_ROWS);
    const end = await engine.page(table, CHUNKS * CHUNK_ROWS - 2, 2);
    expect(end.rows.map((row) => Number(row[0]))).toEqual([CHUNK_ROWS - 2, CHUNK_ROWS - 1]);
    const top = await engine.page(table, 0, 3, { sort: [{ column: 'value', desc: true }], where: '' });
    const best = Math.max(...ids.map(valueOf));
    expect(top.rows.map((row) => Number(row[2]))).toEqual([best, best, best]);
  });
});
