import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chartRows } from '../../src/shared/charts/chartRows';
import { Warehouse } from '../../src/main/services/warehouse/Warehouse';

describe('chart queries on the warehouse as Arrow', () => {
  let warehouse: Warehouse;
  beforeAll(async () => {
    warehouse = await Warehouse.open({ rowsPerChunk: 1000 });
  });
  afterAll(async () => {
    await warehouse?.close();
  });

  it('read back as the rows rows() gives: text, numbers, 64-bit integers as numbers, nulls kept, over many chunks', async () => {
    const sql = `SELECT 'series · ' || (i % 3) AS k, CAST(i AS DOUBLE) / 7 AS v, CAST(i AS BIGINT) * 1000 AS t_us,
        CASE WHEN i % 5 = 0 THEN NULL ELSE CAST(i AS DOUBLE) * 0.5 END AS maybe
      FROM range(2500) r(i) ORDER BY i`;
    const rows = chartRows(await warehouse.arrowChunks('arrow-1', sql));
    expect(rows).toHaveLength(2500);
    expect(rows[7]).toEqual({ k: 'series · 1', v: 1, t_us: 7000, maybe: 3.5 });
    expect(rows[2495]).toEqual({ k: 'series · 2', v: 2495 / 7, t_us: 2_495_000, maybe: null });
    const viaRows = (await warehouse.rows(sql)).map((r) => ({ ...r, t_us: Number(r.t_us) }));
    expect(rows).toEqual(viaRows);
  });

  it('refuse SQL holding more than one statement, running none of it', async () => {
    await expect(warehouse.arrowChunks('arrow-2', 'CREATE TABLE x AS SELECT 1; SELECT 2')).rejects.toThrow(
      /one SQL statement/,
    );
    await expect(warehouse.rows(`SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = 'x'`)).resolves.toEqual([
      { n: '0' },
    ]);
  });
});
