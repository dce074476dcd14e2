import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArrowChunkEncoder } from '../../src/main/services/warehouse/arrowEncode';

let db: DuckDBInstance;
let con: DuckDBConnection;

beforeAll(async () => {
  db = await DuckDBInstance.create(':memory:');
  con = await db.connect();
});

afterAll(() => {
  con.closeSync();
  db.closeSync();
});

/** Every IPC chunk of `sql`, `rowsPerChunk` rows each, as the warehouse worker cuts them; decoded only at the end. */
async function encode(sql: string, rowsPerChunk: number): Promise<Uint8Array[]> {
  const result = await (await con.prepare(sql)).stream();
  const encoder = new ArrowChunkEncoder(result.columnNames(), result.columnTypes());
  const out: Uint8Array[] = [];
  for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
    for (let from = 0; from < chunk.rowCount;) {
      const to = Math.min(chunk.rowCount, from + rowsPerChunk - encoder.bufferedRows);
      encoder.append(chunk, from, to);
      from = to;
      if (encoder.bufferedRows >= rowsPerChunk) out.push(encoder.flush());
    }
  }
  if (encoder.bufferedRows > 0 || out.length === 0) out.push(encoder.flush());
  return out;
}

function rows(chunks: Uint8Array[]): Record<string, unknown>[] {
  return chunks
    .flatMap((bytes) => tableFromIPC(bytes).toArray() as { toJSON(): Record<string, unknown> }[])
    .map((r) => r.toJSON());
}

describe('ArrowChunkEncoder', () => {
  it('keeps every chunk exact while the next ones reuse its buffers: nulls that start late or stop, strings short and long', async () => {
    const n = 9000;
    // 3000-row IPC chunks over DuckDB's 2048-row chunks; nulls only after row 5000 (in the middle of the
    // second IPC chunk), only before row 2500 (the first), and never.
    const chunks = await encode(
      `SELECT i,
              CASE WHEN i >= 5000 AND i % 3 = 0 THEN NULL ELSE i END AS late,
              CASE WHEN i < 2500 AND i % 4 = 0 THEN NULL ELSE i * 0.5 END AS early,
              CASE WHEN i % 5 = 0 THEN NULL WHEN i % 5 = 1 THEN '' WHEN i % 5 = 2 THEN 'ü' || i
                   ELSE repeat('long text ', 1 + i % 4) || i END AS s,
              CASE WHEN i >= 7000 AND i % 2 = 0 THEN NULL ELSE i % 3 = 0 END AS flag,
              (i % 100)::TINYINT AS tiny, i::UINTEGER * 1000 AS uint, (i / 8)::FLOAT AS f,
              (i / 7)::DECIMAL(12, 3) AS dec, i::HUGEINT * 3 AS huge,
              DATE '2026-01-01' + i::INTEGER AS day, TIMESTAMP '2026-01-01' + to_microseconds(i * 1000003) AS at,
              [i] AS list
       FROM range(${n}) t(i) ORDER BY i`,
      3000,
    );
    expect(chunks.map((c) => tableFromIPC(c).numRows)).toEqual([3000, 3000, 3000]);
    const got = rows(chunks);
    expect(got).toHaveLength(n);
    for (let i = 0; i < n; i += 1) {
      const row = got[i]!;
      const s =
        i % 5 === 0 ? null : i % 5 === 1 ? '' : i % 5 === 2 ? `ü${i}` : `${'long text '.repeat(1 + (i % 4))}${i}`;
      expect(row).toEqual({
        i: BigInt(i),
        late: i >= 5000 && i % 3 === 0 ? null : BigInt(i),
        early: i < 2500 && i % 4 === 0 ? null : i * 0.5,
        s,
        flag: i >= 7000 && i % 2 === 0 ? null : i % 3 === 0,
        tiny: i % 100,
        uint: BigInt(i * 1000),
        f: Math.fround(i / 8),
        dec: Math.round((i / 7) * 1000) / 1000,
        huge: i * 3,
        day: Date.UTC(2026, 0, 1) + i * 86_400_000,
        at: expect.any(Number),
        list: `[${i}]`,
      });
    }
    // Arrow's JS reader rounds timestamps to milliseconds: the microseconds are checked in the raw column.
    const micros = chunks.flatMap((bytes) => [...tableFromIPC(bytes).getChild('at')!.data[0]!.values]);
    expect(micros).toEqual(
      Array.from({ length: n }, (_, i) => BigInt(Date.UTC(2026, 0, 1)) * 1000n + BigInt(i) * 1000003n),
    );
  });

  it('emits a schema-only batch for an empty result and a null-only column', async () => {
    const [empty] = await encode('SELECT 1 AS x WHERE false', 100);
    expect(tableFromIPC(empty!).numRows).toBe(0);
    expect(tableFromIPC(empty!).schema.fields.map((f) => f.name)).toEqual(['x']);
    const onlyNulls = rows(await encode('SELECT NULL::VARCHAR AS s, NULL::DOUBLE AS d FROM range(10)', 4));
    expect(onlyNulls).toEqual(Array.from({ length: 10 }, () => ({ s: null, d: null })));
  });
});
