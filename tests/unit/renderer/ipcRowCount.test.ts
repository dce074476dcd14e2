/** A loading result's row count, read from its Arrow chunks' batch headers instead of asked of the engine. */
import { Int32, Table, tableFromArrays, tableToIPC, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { ipcRowCount } from '../../../src/renderer/engine/rows';

describe('ipcRowCount', () => {
  it('adds up the rows of every record batch in the stream', () => {
    const first = tableFromArrays({ x: Int32Array.from([1, 2, 3]), s: ['a', 'b', 'c'] });
    const second = tableFromArrays({ x: Int32Array.from([4, 5]), s: ['d', null] });
    const both = first.concat(second);
    expect(both.batches).toHaveLength(2);
    expect(ipcRowCount(tableToIPC(both, 'stream'))).toBe(5);
  });

  it('counts an empty result (its schema and no rows) as none, and a big batch exactly', () => {
    const empty = new Table({ x: vectorFromArray([] as number[], new Int32()) });
    expect(ipcRowCount(tableToIPC(empty, 'stream'))).toBe(0);
    const big = tableFromArrays({ x: Int32Array.from({ length: 100_000 }, (_, i) => i) });
    expect(ipcRowCount(tableToIPC(big, 'stream'))).toBe(100_000);
  });

  it('refuses bytes that are not an Arrow stream', () => {
    expect(() => ipcRowCount(new Uint8Array([0xff, 0xff, 0xff, 0xff, 9, 0, 0, 0, 1, 2, 3]))).toThrow();
  });
});
