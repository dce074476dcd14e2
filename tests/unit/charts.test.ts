import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Warehouse } from '../../src/main/services/warehouse/Warehouse';
import { calendarEdges, calendarFloor, previousPeriod } from '../../src/shared/charts/calendar';
import { chartData, m4Series, type Exec } from '../../src/shared/charts/chartQuery';
import { insertGaps, medianStep } from '../../src/shared/charts/gaps';
import { m4Columns, type M4Column } from '../../src/shared/charts/m4Columns';
import { bucketWidthUs, calendarSql, m4Sql, rawSql, type ChartSource } from '../../src/shared/charts/m4Sql';
import { NodeWasmEngine } from '../support/NodeWasmEngine';

const HOUR = 3_600_000;
// 2026-03-01T00:00Z, 3 series × 40k points at irregular 0.5–1.5 s steps, spikes and a gap.
const T0_US = Date.UTC(2026, 2, 1) * 1000;
const GENERATE = `CREATE TABLE points AS
  SELECT 'sensor-' || s AS series_id,
         make_timestamp(${T0_US} + i * 1000000 + CAST(hash(s, i) % 500000 AS BIGINT)) AS ts,
         sin(i / 500.0) * 10 + (hash(i, s, 7) % 1000) / 1000.0
           + CASE WHEN i % 9973 = 0 THEN 100 ELSE 0 END AS value
  FROM range(3) r(s), range(40000) q(i)
  WHERE NOT (s = 1 AND i BETWEEN 20000 AND 24000)`;

const SOURCE: ChartSource = { relation: 'points', timeColumn: 'ts', valueSql: 'value', keySql: 'series_id' };

describe('M4 on both engines', () => {
  let warehouse: Warehouse;
  let wasm: NodeWasmEngine;
  let native: Exec;
  let inWasm: Exec;

  beforeAll(async () => {
    warehouse = await Warehouse.open({ rowsPerChunk: 20_000 });
    await warehouse.exec(GENERATE);
    wasm = await NodeWasmEngine.start();
    await wasm.loadFrom(warehouse, 'points', 'SELECT * FROM points');
    native = (sql) => warehouse.rows(sql);
    inWasm = async (sql) => wasm.rows(sql);
  });
  afterAll(async () => {
    wasm?.close();
    await warehouse?.close();
  });

  it('keeps every pixel column’s extremes, first and last point, on both engines alike', async () => {
    const window = { fromUs: T0_US + 1_000_000_000, toUs: T0_US + 31_000_000_000 };
    const width = 300;
    const bucketUs = bucketWidthUs(window, width);
    const raw = await native(rawSql(SOURCE, window, 1_000_000));
    const columnsNative = await native(m4Sql(SOURCE, window, bucketUs));
    const m4 = m4Series(m4Columns(columnsNative)).flatMap((s) =>
      s.t.map((t, i) => ({ k: s.key, t_us: t * 1000, v: s.v[i]! })),
    );
    expect(raw.length).toBeGreaterThan(50_000);
    expect(m4.length).toBeLessThanOrEqual(3 * width * 4);

    type Col = { t0: number; t1: number; min: number; max: number };
    const columns = (rows: Record<string, unknown>[]) => {
      const cols = new Map<string, Col>();
      for (const r of rows) {
        const t = Number(r.t_us);
        const v = Number(r.v);
        const id = `${String(r.k)}#${Math.floor((t - window.fromUs) / bucketUs)}`;
        const c = cols.get(id);
        if (!c) cols.set(id, { t0: t, t1: t, min: v, max: v });
        else {
          c.t0 = Math.min(c.t0, t);
          c.t1 = Math.max(c.t1, t);
          c.min = Math.min(c.min, v);
          c.max = Math.max(c.max, v);
        }
      }
      return cols;
    };
    const fromRaw = columns(raw);
    const fromM4 = columns(m4);
    expect(fromM4.size).toBe(fromRaw.size);
    for (const [id, c] of fromRaw) expect(fromM4.get(id), id).toEqual(c);
    // Every M4 point is a real point.
    const rawSet = new Set(raw.map((r) => `${String(r.k)}|${Number(r.t_us)}|${Number(r.v)}`));
    for (const r of m4) expect(rawSet.has(`${String(r.k)}|${Number(r.t_us)}|${Number(r.v)}`)).toBe(true);
    // The spikes survive aggregation.
    expect(Math.max(...m4.map((r) => Number(r.v)))).toBe(Math.max(...raw.map((r) => Number(r.v))));

    // Both engines compute the same columns, hence the same points.
    expect(await inWasm(m4Sql(SOURCE, window, bucketUs))).toEqual(columnsNative);
    expect(columnsNative.reduce((n, r) => n + Number(r.n), 0)).toBe(raw.length);
  });

  it('draws raw points when zoomed in, M4 when zoomed out, the same on both engines', async () => {
    const tz = 'Europe/Berlin';
    const wide = {
      fromMs: T0_US / 1000,
      toMs: T0_US / 1000 + 40_001_000,
      width: 800,
      bucket: 'auto' as const,
      timeZone: tz,
    };
    const narrow = { ...wide, toMs: wide.fromMs + 300_000 };
    const zoomedOut = await chartData(native, SOURCE, wide);
    const zoomedIn = await chartData(native, SOURCE, narrow);
    expect(zoomedOut.mode).toBe('m4');
    expect(zoomedOut.rawPoints).toBe(40_000 * 3 - 4001);
    expect(zoomedIn.mode).toBe('raw');
    expect(zoomedIn.series.reduce((n, s) => n + s.t.length, 0)).toBe(zoomedIn.rawPoints);
    expect(await chartData(inWasm, SOURCE, wide)).toEqual(zoomedOut);
    expect(await chartData(inWasm, SOURCE, narrow)).toEqual(zoomedIn);
  });

  it('buckets by zone-correct calendar days in SQL without ICU (23 h and 25 h days)', async () => {
    await warehouse.exec(
      `CREATE TABLE hourly AS SELECT 'h' AS k, make_timestamp(${Date.UTC(2026, 2, 1) * 1000} + i * 3600000000) AS ts, 1.0 AS value FROM range(24 * 250) r(i)`,
    );
    const all = await warehouse.query('hourly', 'SELECT * FROM hourly');
    wasm.insertArrow('hourly', warehouse.resultChunk(all.resultId, 0), true);
    const source: ChartSource = { relation: 'hourly', timeColumn: 'ts', valueSql: 'value', keySql: 'k' };
    const cases = [
      { tz: 'Europe/Berlin', day: Date.UTC(2026, 2, 29), hours: 23 },
      { tz: 'Europe/Berlin', day: Date.UTC(2026, 9, 25), hours: 25 },
      { tz: 'America/New_York', day: Date.UTC(2026, 10, 1), hours: 25 },
      { tz: 'America/New_York', day: Date.UTC(2026, 2, 8), hours: 23 },
    ];
    for (const { tz, day, hours } of cases) {
      const edges = calendarEdges(day - 2 * 86_400_000, day + 2 * 86_400_000, 'day', tz);
      const rowsNative = await native(
        calendarSql(
          source,
          edges.map((ms) => ms * 1000),
        ),
      );
      const rowsWasm = await inWasm(
        calendarSql(
          source,
          edges.map((ms) => ms * 1000),
        ),
      );
      expect(rowsWasm).toEqual(rowsNative);
      // The bucket that starts on the changeover day's local midnight holds exactly `hours` hourly points.
      const start = calendarFloor(day + 12 * HOUR, 'day', tz);
      const bucket = rowsNative.find((r) => Number(r.t_us) === start * 1000);
      expect(bucket, `${tz} ${new Date(day).toISOString()}`).toBeDefined();
      expect(Number(bucket!.n)).toBe(hours);
      expect((Number(bucket!.t_end_us) - Number(bucket!.t_us)) / 1000).toBe(hours * HOUR);
    }
  });
});

describe('m4Series', () => {
  it('draws each column’s corners in time order, a corner shared with another once, per series in first-seen order', () => {
    const column = (k: string, corners: Omit<M4Column, 'k' | 'px' | 'n'>): M4Column => ({ k, px: 0, n: 4, ...corners });
    const series = m4Series([
      // The first point is also the minimum: drawn once.
      column('b', { t0: 1000, v0: 1, tmin: 1000, vmin: 1, tmax: 3000, vmax: 9, t1: 4000, v1: 5 }),
      // The maximum comes before the minimum, and the last point shares the maximum's time with another value.
      column('b', { t0: 5000, v0: 4, tmin: 7000, vmin: 0, tmax: 6000, vmax: 8, t1: 6000, v1: 7 }),
      column('a', { t0: 2000, v0: 2, tmin: 2000, vmin: 2, tmax: 2000, vmax: 2, t1: 2000, v1: 2 }),
    ]);
    expect(series).toEqual([
      { key: 'b', t: [1, 3, 4, 5, 6, 6, 7], v: [1, 9, 5, 4, 7, 8, 0] },
      { key: 'a', t: [2], v: [2] },
    ]);
  });
});

describe('calendar edges', () => {
  it('start each day at local midnight across DST changes', () => {
    const berlin = calendarEdges(Date.UTC(2026, 2, 28, 12), Date.UTC(2026, 2, 30, 12), 'day', 'Europe/Berlin');
    expect(berlin.map((ms) => new Date(ms).toISOString())).toEqual([
      '2026-03-27T23:00:00.000Z',
      '2026-03-28T23:00:00.000Z',
      '2026-03-29T22:00:00.000Z',
      '2026-03-30T22:00:00.000Z',
    ]);
    const ny = calendarEdges(Date.UTC(2026, 10, 1, 12), Date.UTC(2026, 10, 2, 12), 'day', 'America/New_York');
    expect(ny.map((ms) => new Date(ms).toISOString())).toEqual([
      '2026-11-01T04:00:00.000Z',
      '2026-11-02T05:00:00.000Z',
      '2026-11-03T05:00:00.000Z',
    ]);
  });

  it('weeks start on Monday and last week is shifted onto this one', () => {
    const monday = calendarFloor(Date.UTC(2026, 2, 29, 12), 'week', 'Europe/Berlin');
    expect(new Date(monday).toISOString()).toBe('2026-03-22T23:00:00.000Z');
    // The week of 23–30 March holds the spring change: it is 167 hours long.
    const next = calendarEdges(monday, monday + 1, 'week', 'Europe/Berlin')[1]!;
    expect((next - monday) / HOUR).toBe(167);
    const prev = previousPeriod(next, next + 7 * 86_400_000, 'week', 'Europe/Berlin');
    expect(prev.shiftMs).toBe(167 * HOUR);
    expect(prev.fromMs).toBe(monday);
  });
});

describe('gaps', () => {
  it('puts a null where the spacing jumps past 3× the median step', () => {
    const t = [0, 10, 20, 30, 100, 110, 120];
    const { t: tg, v, gaps } = insertGaps(t, [1, 2, 3, 4, 5, 6, 7]);
    expect(medianStep(t)).toBe(10);
    expect(gaps).toBe(1);
    expect(tg).toEqual([0, 10, 20, 30, 65, 100, 110, 120]);
    expect(v).toEqual([1, 2, 3, 4, null, 5, 6, 7]);
  });
  it('leaves regular data and small jitter alone, and honours a minimum gap', () => {
    expect(insertGaps([0, 10, 21, 29, 40], [1, 1, 1, 1, 1]).gaps).toBe(0);
    expect(insertGaps([0, 10, 20, 60, 70], [1, 1, 1, 1, 1], { minGap: 50 }).gaps).toBe(0);
    expect(insertGaps([], []).t).toEqual([]);
  });
});
