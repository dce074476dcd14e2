import { join } from 'node:path';
import { tableFromIPC, type Table } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Warehouse } from '../../src/main/services/warehouse/Warehouse';
import { quoteLiteral } from '../../src/shared/sql';
import { NodeWasmEngine } from '../support/NodeWasmEngine';

/**
 * The two DuckDBs must give the same answers: native over the Bronze Parquet,
 * WASM over the same rows handed to it as Arrow.
 */
const QUERIES = [
  `SELECT series_id, make_timestamp((epoch_us(ts) // 3600000000) * 3600000000) AS hour,
          count(*) AS n, round(avg(value), 9) AS avg_value, min(value) AS lo, max(value) AS hi
   FROM bronze GROUP BY ALL ORDER BY ALL`,
  `SELECT status, count(*) AS n, count(value) AS with_value, round(sum(value * multiplier / 1000), 6) AS kw
   FROM bronze GROUP BY ALL ORDER BY ALL`,
  `SELECT series_id, ts, value - lag(value) OVER (PARTITION BY series_id ORDER BY ts, record_id) AS delta
   FROM bronze QUALIFY delta IS NOT NULL ORDER BY series_id, ts, delta LIMIT 500`,
  `SELECT record_id, upper(status) AS s, length(raw) AS raw_len, contains(raw, 'error') AS mentions_error
   FROM bronze WHERE value BETWEEN 10 AND 5000 ORDER BY record_id LIMIT 300`,
];

function rows(table: Table): unknown[] {
  return JSON.parse(
    JSON.stringify(
      table.toArray().map((r) => r.toJSON()),
      (_k, v) => (typeof v === 'bigint' ? Number(v) : v),
    ),
  );
}

describe('native DuckDB and DuckDB-WASM agree', () => {
  const servers = inject('servers');
  let warehouse: Warehouse;
  let wasm: NodeWasmEngine;

  beforeAll(async () => {
    warehouse = await Warehouse.open({ rowsPerChunk: 5000 });
    const glob = join(servers.lakeDir, 'bronze', 'energy_meters', '*', '*.parquet');
    await warehouse.exec(
      `CREATE VIEW bronze AS SELECT * EXCLUDE (date) FROM read_parquet(${quoteLiteral(glob)}, hive_partitioning = true, union_by_name = true)`,
    );
    wasm = await NodeWasmEngine.start();
    expect(await wasm.loadFrom(warehouse, 'bronze', 'SELECT * FROM bronze')).toBeGreaterThan(1000);
  });
  afterAll(async () => {
    wasm?.close();
    await warehouse?.close();
  });

  it.each(QUERIES.map((sql, i) => [i, sql]))('query %i', async (i, sql) => {
    const meta = await warehouse.query(`q-${i}`, sql);
    const native = Array.from({ length: meta.chunkCount }, (_, c) =>
      rows(tableFromIPC(warehouse.resultChunk(meta.resultId, c))),
    ).flat();
    const inWasm = rows(wasm.query(sql));
    expect(native.length).toBeGreaterThan(0);
    expect(inWasm).toEqual(native);
  });
});
