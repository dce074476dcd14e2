import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableFromIPC } from 'apache-arrow';
import { Warehouse } from '../../src/main/services/warehouse/Warehouse';
import { WorkbenchError } from '../../src/shared/errors';

describe('Warehouse (native DuckDB in a worker thread)', () => {
  let warehouse: Warehouse;

  beforeAll(async () => {
    warehouse = await Warehouse.open({ rowsPerChunk: 1000 });
  });
  afterAll(async () => {
    await warehouse.close();
  });

  it('returns results as Arrow IPC chunks with exact values and types', async () => {
    const meta = await warehouse.query(
      'q1',
      `SELECT i::INTEGER AS i, i::BIGINT * 1000000000000 AS big, i / 4 AS d, 'row ' || i AS s,
              i % 2 = 0 AS even, DATE '2026-03-29' + i::INTEGER AS day,
              TIMESTAMPTZ '2026-03-29 00:59:59.123456+00' + to_seconds(i) AS ts,
              CASE WHEN i % 3 = 0 THEN NULL ELSE i END AS maybe, [i, i] AS list
       FROM range(2500) t(i) ORDER BY i`,
    );
    expect(meta.rowCount).toBe(2500);
    expect(meta.chunkCount).toBe(3);
    expect(meta.columns.map((c) => c.type)).toEqual([
      'INTEGER',
      'BIGINT',
      'DOUBLE',
      'VARCHAR',
      'BOOLEAN',
      'DATE',
      'TIMESTAMP WITH TIME ZONE',
      'BIGINT',
      'BIGINT[]',
    ]);
    const tables = [0, 1, 2].map((n) => tableFromIPC(warehouse.resultChunk(meta.resultId, n)));
    expect(tables.map((t) => t.numRows)).toEqual([1000, 1000, 500]);
    const row = tables[1]!.get(7)!.toJSON();
    expect(row.i).toBe(1007);
    expect(row.big).toBe(1007n * 1000000000000n);
    expect(row.d).toBeCloseTo(251.75);
    expect(row.s).toBe('row 1007');
    expect(row.even).toBe(false);
    // Microseconds survive the trip.
    const tsVector = tables[0]!.getChild('ts')!;
    expect(tsVector.type.toString()).toContain('Timestamp');
    expect(tables[0]!.get(0)!.toJSON().maybe).toBeNull();
    expect(row.list).toBe('[1007, 1007]');
    expect(warehouse.releaseResult(meta.resultId)).toBe(true);
    expect(() => warehouse.resultChunk(meta.resultId, 0)).toThrow(WorkbenchError);
  });

  it('carries every column type with its nulls, across DuckDB chunk boundaries', async () => {
    const meta = await warehouse.query(
      'types',
      `SELECT i,
              CASE WHEN i % 5 = 0 THEN NULL ELSE i % 2 = 0 END AS b,
              CASE WHEN i % 7 = 0 THEN NULL ELSE (i % 100)::TINYINT END AS ti,
              (i % 60000)::USMALLINT AS us,
              CASE WHEN i % 3 = 0 THEN NULL ELSE i::UINTEGER END AS ui,
              (i / 8)::FLOAT AS f,
              (i / 100)::DECIMAL(10, 2) AS dec,
              CASE WHEN i % 11 = 0 THEN NULL ELSE DATE '2026-01-01' + (i % 365)::INTEGER END AS day,
              CASE WHEN i % 13 = 0 THEN NULL ELSE TIMESTAMP '2026-01-01' + to_microseconds(i) END AS ts,
              CASE WHEN i % 4 = 0 THEN NULL ELSE 'ünï ' || i END AS s,
              repeat('é', (i % 30)::INTEGER) || i AS long
       FROM range(5000) t(i) ORDER BY i`,
    );
    expect(meta.rowCount).toBe(5000);
    const rows = Array.from({ length: meta.chunkCount }, (_, n) =>
      tableFromIPC(warehouse.resultChunk(meta.resultId, n)),
    ).flatMap((t) => t.toArray().map((r) => r.toJSON()));
    expect(rows).toHaveLength(5000);
    for (const i of [0, 1, 2047, 2048, 2049, 3001, 4999]) {
      const row = rows[i]!;
      expect(row.i).toBe(BigInt(i));
      expect(row.b).toBe(i % 5 === 0 ? null : i % 2 === 0);
      expect(row.ti).toBe(i % 7 === 0 ? null : i % 100);
      expect(row.us).toBe(i % 60000);
      expect(row.ui).toBe(i % 3 === 0 ? null : BigInt(i));
      expect(row.f).toBeCloseTo(i / 8, 3);
      expect(row.dec).toBeCloseTo(Math.round(i) / 100, 2);
      expect(row.day).toBe(i % 11 === 0 ? null : Date.UTC(2026, 0, 1) + (i % 365) * 86_400_000);
      expect(row.ts).toBe(i % 13 === 0 ? null : Date.UTC(2026, 0, 1) + i / 1000);
      expect(row.s).toBe(i % 4 === 0 ? null : `ünï ${i}`);
      expect(row.long).toBe(`${'é'.repeat(i % 30)}${i}`);
    }
  });

  it('keeps microsecond timestamps exact', async () => {
    const meta = await warehouse.query('q-ts', `SELECT TIMESTAMPTZ '2026-03-29 00:59:59.123456+00' AS ts`);
    const table = tableFromIPC(warehouse.resultChunk(meta.resultId, 0));
    const raw = table.getChild('ts')!.data[0]!.values as BigInt64Array;
    expect(raw[0]).toBe(BigInt(Date.UTC(2026, 2, 29, 0, 59, 59)) * 1000n + 123456n);
  });

  it('returns one empty chunk with the schema for an empty result', async () => {
    const meta = await warehouse.query('q2', 'SELECT 1 AS a WHERE false');
    expect(meta.rowCount).toBe(0);
    expect(meta.chunkCount).toBe(1);
    expect(tableFromIPC(warehouse.resultChunk(meta.resultId, 0)).schema.fields.map((f) => f.name)).toEqual(['a']);
  });

  it('runs several statements and returns the last result', async () => {
    const meta = await warehouse.query('q3', 'CREATE TEMP TABLE t AS SELECT 42 AS x; SELECT x + 1 AS y FROM t;');
    expect(tableFromIPC(warehouse.resultChunk(meta.resultId, 0)).get(0)!.toJSON().y).toBe(43);
  });

  it('reports SQL errors with DuckDB’s message and keeps working', async () => {
    await expect(warehouse.query('q4', 'SELECT * FROM no_such_table')).rejects.toMatchObject({
      code: 'query_failed',
      message: expect.stringContaining('no_such_table'),
    });
    const meta = await warehouse.query('q5', 'SELECT 1 AS ok');
    expect(meta.rowCount).toBe(1);
  });

  it('cancels a running query', async () => {
    const running = warehouse.query('slow', 'SELECT count(*) FROM range(100000000000) a');
    await new Promise((r) => setTimeout(r, 300));
    expect(warehouse.cancel('slow')).toBe(true);
    await expect(running).rejects.toMatchObject({ code: 'cancelled' });
    expect((await warehouse.query('after', 'SELECT 2 AS two')).rowCount).toBe(1);
  });

  it('scans one statement, interrupted by its signal, and refuses more than one', async () => {
    expect(await warehouse.scan('SELECT 41 + 1 AS answer')).toEqual([{ answer: 42 }]);
    const controller = new AbortController();
    const running = warehouse.scan('SELECT count(*) FROM range(100000000000) a', controller.signal);
    await new Promise((r) => setTimeout(r, 300));
    controller.abort();
    await expect(running).rejects.toMatchObject({ code: 'cancelled' });
    await expect(warehouse.scan('SELECT 1; SELECT 2')).rejects.toThrow(/Expected one SQL statement/);
    expect(await warehouse.scan('SELECT 2 AS two')).toEqual([{ two: 2 }]);
  });

  it('closes while queries run without aborting the process, and its thread ends', async () => {
    // worker.terminate() during a native DuckDB call aborts the whole process
    // ("terminate called after throwing an instance of 'Napi::Error'"): closing waits for the calls instead.
    for (let round = 0; round < 5; round++) {
      const busy = await Warehouse.open();
      const running = [
        busy.query('slow', 'SELECT count(*) FROM range(100000000000) a'),
        busy.scan('SELECT sum(a) FROM range(100000000000) a'),
      ].map((p) =>
        p.then(
          () => 'finished',
          () => 'stopped',
        ),
      );
      await new Promise((r) => setTimeout(r, 50 + round * 40));
      await busy.close();
      expect(await Promise.all(running)).toEqual(['stopped', 'stopped']);
    }
  });

  it('never autoloads or installs extensions', async () => {
    const rows = await warehouse.rows(
      "SELECT current_setting('autoload_known_extensions') AS autoload, current_setting('autoinstall_known_extensions') AS autoinstall",
    );
    expect(rows).toEqual([{ autoload: false, autoinstall: false }]);
  });
});

describe('Warehouse streaming (a result read while its query runs)', () => {
  let warehouse: Warehouse;

  beforeAll(async () => {
    // One thread: rows come out in order, so a failure comes where the test puts it.
    warehouse = await Warehouse.open({
      rowsPerChunk: 1000,
      firstStreamedChunkRows: 300,
      streamWindow: 2,
      settings: { threads: '1' },
    });
  });
  afterAll(async () => {
    await warehouse.close();
  });

  /** Chunks taken in order until the result is complete, as the renderer reads them; `sizes` gets each chunk's rows. */
  async function readAll(resultId: string, sizes: number[] = []): Promise<number[]> {
    const values: number[] = [];
    for (let chunk = 0; ; chunk++) {
      const growth = await warehouse.waitForResult(resultId, chunk);
      if (chunk >= growth.chunkCount) return values;
      const table = tableFromIPC(await warehouse.takeChunk(resultId, chunk));
      sizes.push(table.numRows);
      for (const row of table) values.push(Number(row.toJSON().i));
    }
  }

  it('answers at a small first chunk, holds no more than its window ahead, and gives every row in order', async () => {
    const { meta, finished } = await warehouse.stream('s1', 'SELECT i FROM range(20500) t(i)');
    expect(meta.done).toBe(false);
    expect(meta.columns).toEqual([{ name: 'i', type: 'BIGINT' }]);
    expect(meta.chunkCount).toBeGreaterThanOrEqual(1);
    // Nothing taken yet: the worker waits with at most two chunks ready.
    await new Promise((r) => setTimeout(r, 200));
    const waiting = await warehouse.waitForResult(meta.resultId, 1);
    expect(waiting).toMatchObject({ chunkCount: 2, rowCount: 1300, done: false });
    const sizes: number[] = [];
    expect(await readAll(meta.resultId, sizes)).toEqual(Array.from({ length: 20500 }, (_, i) => i));
    // The first chunk is the small one (the grid's first rows), then full chunks, then the rest.
    expect(sizes).toEqual([300, ...Array<number>(20).fill(1000), 200]);
    expect(await finished).toMatchObject({ resultId: meta.resultId, rowCount: 20500, chunkCount: 22, done: true });
    // Each chunk is given out once: the warehouse let it go.
    await expect(warehouse.takeChunk(meta.resultId, 0)).rejects.toMatchObject({ code: 'not_found' });
    expect(warehouse.releaseResult(meta.resultId)).toBe(true);
  });

  it('answers a small result complete, and an empty one with its schema', async () => {
    const small = await warehouse.stream('s2', 'SELECT 1 AS a WHERE false');
    expect(small.meta).toMatchObject({ done: true, rowCount: 0, chunkCount: 1 });
    expect((await small.finished).rowCount).toBe(0);
    const chunk = await warehouse.takeChunk(small.meta.resultId, 0);
    expect(tableFromIPC(chunk).schema.fields.map((f) => f.name)).toEqual(['a']);
    await expect(warehouse.waitForResult(small.meta.resultId, 1)).resolves.toMatchObject({ done: true, chunkCount: 1 });
  });

  it('cancels mid-stream: a read waiting for a chunk ends as cancelled, and the warehouse goes on', async () => {
    const { meta, finished } = await warehouse.stream('s3', 'SELECT i FROM range(1000000) t(i)');
    expect(meta.done).toBe(false);
    const waiting = warehouse.takeChunk(meta.resultId, 50);
    expect(warehouse.cancel('s3')).toBe(true);
    await expect(waiting).rejects.toMatchObject({ code: 'cancelled' });
    await expect(finished).rejects.toMatchObject({ code: 'cancelled' });
    await expect(warehouse.waitForResult(meta.resultId, 0)).rejects.toMatchObject({ code: 'cancelled' });
    expect((await warehouse.query('after-cancel', 'SELECT 2 AS two')).rowCount).toBe(1);
  });

  it('releasing a result still growing stops its query', async () => {
    const { meta, finished } = await warehouse.stream('s4', 'SELECT i FROM range(1000000) t(i)');
    expect(warehouse.releaseResult(meta.resultId)).toBe(true);
    await expect(finished).rejects.toMatchObject({ code: 'cancelled' });
    await expect(warehouse.takeChunk(meta.resultId, 0)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('fails before the first chunk as the query itself', async () => {
    await expect(warehouse.stream('s6', 'SELECT * FROM no_such_table')).rejects.toMatchObject({
      code: 'query_failed',
      message: expect.stringContaining('no_such_table'),
    });
  });
});
