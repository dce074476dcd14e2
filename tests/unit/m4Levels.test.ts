import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Warehouse } from '../../src/main/services/warehouse/Warehouse';
import { chartData, type Exec } from '../../src/shared/charts/chartQuery';
import { m4Columns } from '../../src/shared/charts/m4Columns';
import {
  LEVEL_EXPONENTS,
  buildLevelsSql,
  levelledM4Sql,
  pickLevel,
  planLevelRead,
  type LevelPlan,
} from '../../src/shared/charts/m4Levels';
import { m4Sql, type ChartSource } from '../../src/shared/charts/m4Sql';
import { levelPlacedM4Sql } from '../support/levelledM4Expected';
import { NodeWasmEngine } from '../support/NodeWasmEngine';

// 2026-03-01T00:00Z: 3 series over ~5 days at irregular 0.5–1.5 s steps, spikes, a 2-hour gap in one
// series and a stretch of nulls in another; a fourth series at one point a minute (too sparse for fine levels).
const T0_US = Date.UTC(2026, 2, 1) * 1000;
const POINTS = 250_000;
const GENERATE = `CREATE TABLE points AS
  SELECT 'sensor-' || s AS series_id,
         make_timestamp(${T0_US} + i * 1000000 + CAST(hash(s, i) % 500000 AS BIGINT)) AS ts,
         CASE WHEN s = 2 AND i BETWEEN 100000 AND 101000 THEN NULL
              ELSE sin(i / 5000.0) * 10 + (hash(i, s, 7) % 1000003) / 1000003.0
                + CASE WHEN i % 99991 = 0 THEN 100 ELSE 0 END END AS value
  FROM range(3) r(s), range(${POINTS}) q(i)
  WHERE NOT (s = 1 AND i BETWEEN 200000 AND 207200)
  UNION ALL
  SELECT 'slow', make_timestamp(${T0_US} + i * 60000000 + 17), cos(i / 30.0) FROM range(7000) q(i)`;

const SOURCE: ChartSource = { relation: 'points', timeColumn: 'ts', valueSql: 'value', keySql: 'series_id' };
const SPAN_US = POINTS * 1_000_000;

/** A small deterministic generator, so a failing window can be reproduced. */
function windows(count: number): { fromUs: number; toUs: number; width: number }[] {
  let seed = 12345;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const out = [{ fromUs: T0_US, toUs: T0_US + SPAN_US, width: 1000 }];
  for (let i = 0; i < count; i++) {
    const span = SPAN_US * (0.001 + next() * 0.999);
    const fromUs = Math.floor(T0_US - SPAN_US * 0.05 + next() * (SPAN_US * 1.05 - span));
    out.push({ fromUs, toUs: Math.floor(fromUs + span), width: 200 + Math.floor(next() * 1400) });
  }
  return out;
}

describe('M4 levels on both engines', { timeout: 120_000 }, () => {
  let warehouse: Warehouse;
  let wasm: NodeWasmEngine;
  let native: Exec;
  let inWasm: Exec;

  beforeAll(async () => {
    warehouse = await Warehouse.open({ rowsPerChunk: 100_000 });
    await warehouse.exec(GENERATE);
    wasm = await NodeWasmEngine.start();
    await wasm.loadFrom(warehouse, 'points', 'SELECT * FROM points');
    native = (sql) => warehouse.rows(sql);
    inWasm = async (sql) => wasm.rows(sql);
    const build = `CREATE TABLE levels AS ${buildLevelsSql(SOURCE, [{ name: 'series_id', sql: 'series_id' }])}`;
    await warehouse.exec(build);
    wasm.query(build);
    finest = Number((await native('SELECT min(level) AS l FROM levels'))[0]!.l);
  }, 120_000);
  /** As MetricLevels reads a day: level rows where the level was kept, else the raw points; raw edges. */
  let finest = 0;
  function levelledFor(plan: LevelPlan): string {
    const raw = plan.edges.map((edge) => ({ source: SOURCE, window: edge }));
    if (plan.level < finest) raw.push({ source: SOURCE, window: plan.interior });
    const levels = plan.level < finest ? [] : [{ relation: 'levels', keySql: 'series_id' }];
    return levelledM4Sql(plan, levels, raw);
  }

  afterAll(async () => {
    wasm?.close();
    await warehouse?.close();
  });

  it('builds the same levels on both engines, keeping only levels that fold enough points', async () => {
    const summary = `SELECT level, series_id, CAST(count(*) AS DOUBLE) AS rows, CAST(sum(n) AS DOUBLE) AS points FROM levels GROUP BY ALL ORDER BY ALL`;
    const nativeLevels = await native(summary);
    expect(await inWasm(summary)).toEqual(nativeLevels);
    // Every kept level holds every non-null point of every series, once.
    const [{ points }] = (await native(
      `SELECT count(*) AS points FROM points WHERE value IS NOT NULL AND ts IS NOT NULL`,
    )) as [{ points: number }];
    const byLevel = new Map<number, number>();
    for (const r of nativeLevels) byLevel.set(Number(r.level), (byLevel.get(Number(r.level)) ?? 0) + Number(r.points));
    expect([...byLevel.values()].every((n) => n === Number(points))).toBe(true);
    // ~1 point a second: 2^20 µs (≈1 s) buckets fold about one point each and are left out; coarser ones are kept.
    const levels = [...byLevel.keys()];
    expect(levels).not.toContain(24);
    expect(levels).toContain(26);
    expect(levels.every((l) => LEVEL_EXPONENTS.includes(l))).toBe(true);
  });

  it('equals M4 over the raw points wherever the level buckets nest in the pixel columns, on both engines', async () => {
    let compared = 0;
    for (const level of [24, 26, 28, 30]) {
      for (const [multiple, width, startBucket] of [
        [1, 500, 2],
        [2, 333, 7],
        [3, 120, 1],
      ] as const) {
        const fromUs = (Math.floor(T0_US / 2 ** level) + startBucket) * 2 ** level;
        const window = { fromUs, toUs: fromUs + width * multiple * 2 ** level };
        const plan = planLevelRead(window, width)!;
        expect(plan.level).toBe(level);
        expect(plan.grid.bucketUs).toBe(multiple * 2 ** level);
        const levelled = levelledFor(plan);
        const expected = m4Columns(await native(m4Sql(SOURCE, window, plan.grid.bucketUs)));
        expect(expected.length).toBeGreaterThan(0);
        expect(m4Columns(await native(levelled)), `level ${level} ×${multiple} at ${width} px`).toEqual(expected);
        expect(m4Columns(await inWasm(levelled))).toEqual(expected);
        compared++;
      }
    }
    expect(compared).toBe(12);
  });

  it('is at most one level bucket off at a column edge otherwise, spikes and gaps kept, on both engines', async () => {
    let compared = 0;
    for (const { fromUs, toUs, width } of windows(20)) {
      const window = { fromUs, toUs };
      const plan = planLevelRead(window, width);
      if (!plan) continue;
      const levelled = levelledFor(plan);
      const expected = m4Columns(await native(levelPlacedM4Sql(SOURCE, plan, window)));
      expect(m4Columns(await native(levelled)), `window ${fromUs}..${toUs} at ${width} px`).toEqual(expected);
      expect(m4Columns(await inWasm(levelled))).toEqual(expected);
      compared++;
    }
    expect(compared).toBeGreaterThan(14);
  });

  it('reads a few rows per pixel, not every point, and keeps the spikes', async () => {
    const req = {
      fromMs: T0_US / 1000,
      toMs: (T0_US + SPAN_US) / 1000,
      width: 800,
      bucket: 'auto' as const,
      timeZone: 'UTC',
    };
    let levelRows = 0;
    const data = await chartData(native, SOURCE, req, async (plan) => {
      const [{ n }] = (await native(
        `SELECT count(*) AS n FROM levels WHERE level = ${plan.level} AND b0 >= ${plan.interior.fromUs} AND b0 < ${plan.interior.toUs}`,
      )) as [{ n: number }];
      levelRows = Number(n);
      return levelledFor(plan);
    });
    expect(data.mode).toBe('m4');
    expect(levelRows).toBeGreaterThan(0);
    expect(levelRows).toBeLessThanOrEqual(4 * 4 * req.width + 8);
    const sensor0 = data.series.find((s) => s.key === 'sensor-0')!;
    expect(Math.max(...sensor0.v)).toBeGreaterThan(100);
    // The 2-hour gap in sensor-1 stays a gap: no drawn point inside it.
    const gapFrom = T0_US / 1000 + 200_001_000;
    const gapTo = T0_US / 1000 + 207_199_000;
    const sensor1 = data.series.find((s) => s.key === 'sensor-1')!;
    expect(sensor1.t.some((t) => t > gapFrom && t < gapTo)).toBe(false);
    expect(data.rawPoints).toBeGreaterThan(3 * POINTS - 10_000);
  });

  it('picks the coarsest level at most a pixel wide, and none below the finest', () => {
    expect(pickLevel({ fromUs: 0, toUs: 1000 * 2 ** 22 }, 1000)).toBe(22);
    expect(pickLevel({ fromUs: 0, toUs: 1000 * (2 ** 22 - 1) }, 1000)).toBe(20);
    expect(pickLevel({ fromUs: 0, toUs: 1000 * 2 ** 19 }, 1000)).toBeNull();
    expect(pickLevel({ fromUs: 0, toUs: 1000 * 2 ** 40 }, 1000)).toBe(36);
    const plan = planLevelRead({ fromUs: 3, toUs: 3 + 1000 * 2 ** 23 }, 1000)!;
    expect(plan.level).toBe(22);
    expect(plan.grid).toEqual({ originUs: 3, bucketUs: 2 ** 23 });
    expect(plan.edges).toEqual([
      { fromUs: 3, toUs: 2 ** 22 },
      { fromUs: 2000 * 2 ** 22, toUs: 3 + 1000 * 2 ** 23 },
    ]);
  });
});
