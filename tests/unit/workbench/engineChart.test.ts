/**
 * One way from a chart query's Arrow answer to chartData's rows (shared/charts/chartRows):
 * the renderer engine's chart over a loaded result, and the warehouse's Arrow chunks,
 * give exactly what the warehouse's plain rows give.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WasmEngine } from '../../../src/renderer/engine/WasmEngine';
import { Warehouse } from '../../../src/main/services/warehouse/Warehouse';
import { chartData, type ChartRequest } from '../../../src/shared/charts/chartQuery';
import { chartRows } from '../../../src/shared/charts/chartRows';
import type { ChartSource } from '../../../src/shared/charts/m4Sql';
import { startRendererEngine } from '../../support/renderer/rendererEngine';

const T0_MS = Date.UTC(2026, 2, 1);
// 3 series × 20k points a second apart, one null value each 997 points, and a 64-bit id.
const POINTS = `SELECT 'sensor-' || s AS series_id, make_timestamp(${T0_MS * 1000} + i * 1000000) AS ts,
    CASE WHEN i % 997 = 0 THEN NULL ELSE sin(i / 300.0) * 10 + s END AS value, CAST(i AS BIGINT) AS n
  FROM range(3) r(s), range(20000) q(i)`;
const SOURCE: ChartSource = { relation: 'points', timeColumn: 'ts', valueSql: 'value', keySql: 'series_id' };

describe('chart rows from Arrow, on both engines', () => {
  let warehouse: Warehouse;
  let engine: WasmEngine;

  beforeAll(async () => {
    warehouse = await Warehouse.open({ rowsPerChunk: 7_000 });
    await warehouse.exec(`CREATE TABLE points AS ${POINTS}`);
    engine = await startRendererEngine();
    const meta = await warehouse.query('load-points', 'SELECT * FROM points');
    await engine.loadResult(
      'points',
      Array.from({ length: meta.chunkCount }, (_, c) => warehouse.resultChunk(meta.resultId, c)),
    );
    warehouse.releaseResult(meta.resultId);
  }, 60_000);
  afterAll(async () => {
    await engine?.close();
    await warehouse?.close();
  });

  it('draws the same M4 and raw series from the renderer engine, the warehouse Arrow chunks and plain rows', async () => {
    const wide: ChartRequest = { fromMs: T0_MS, toMs: T0_MS + 20_000_000, width: 500, bucket: 'auto', timeZone: 'UTC' };
    const narrow: ChartRequest = { ...wide, toMs: T0_MS + 200_000 };
    let n = 0;
    for (const [request, mode] of [
      [wide, 'm4'],
      [narrow, 'raw'],
    ] as const) {
      const expected = await chartData((sql) => warehouse.rows(sql), SOURCE, request);
      expect(expected.mode).toBe(mode);
      expect(expected.series).toHaveLength(3);
      expect(await engine.chart(SOURCE, request)).toEqual(expected);
      const fromArrow = await chartData(
        async (sql) => chartRows(await warehouse.arrowChunks(`chart-${n++}`, sql)),
        SOURCE,
        request,
      );
      expect(fromArrow).toEqual(expected);
    }
  });
});
