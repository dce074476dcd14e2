import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChartService } from '../../src/main/services/charts/ChartService';
import { LEVELS_DIR, MetricLevels } from '../../src/main/services/charts/MetricLevels';
import { mountPipelineMetricViews } from '../../src/main/services/sync/metricViews';
import { Warehouse } from '../../src/main/services/warehouse/Warehouse';
import { chartData, m4Series, type ChartSeriesData } from '../../src/shared/charts/chartQuery';
import { planLevelRead } from '../../src/shared/charts/m4Levels';
import { m4Columns } from '../../src/shared/charts/m4Columns';
import { levelPlacedM4Sql } from '../support/levelledM4Expected';
import { quoteLiteral } from '../../src/shared/sql';

const DAY_MS = 86_400_000;
const T0_MS = Date.UTC(2026, 4, 1);
const DAYS = 3;

/** Day files of pipeline `p` as a sync writes them: two metrics × three series, a point every ~2 s, one spike per day. */
function writeDaySql(metricsDir: string, day: number, shift = 0): string {
  const from = T0_MS + day * DAY_MS;
  const date = new Date(from).toISOString().slice(0, 10);
  const file = join(metricsDir, 'pipeline_id=p', `date=${date}`, 'part-0.parquet');
  return `COPY (
    SELECT make_timestamp(${from * 1000} + i * 2000000 + CAST(hash(s, i, ${day}) % 1000000 AS BIGINT)) AS time,
           'p' AS pipeline_id, 'meter-' || s AS series_id, m AS metric_name,
           ${shift} + sin(i / 700.0) * 10 + (hash(i, s, m) % 100003) / 100003.0
             + CASE WHEN i = 20000 + s THEN 500 ELSE 0 END AS value
    FROM range(3) a(s), (VALUES ('power'), ('energy')) b(m), range(43200) c(i)
  ) TO ${quoteLiteral(file)} (FORMAT parquet)`;
}

describe('M4 levels of the metrics cache', { timeout: 60_000 }, () => {
  let cacheDir: string;
  let warehouse: Warehouse;
  let levels: MetricLevels;
  let charts: ChartService;
  const logged: string[] = [];

  const request = (fromMs: number, toMs: number, width = 700) => ({
    requestId: `r-${Math.random()}`,
    pipelineId: 'p',
    metrics: ['power'],
    seriesIds: ['meter-0', 'meter-2'],
    fromMs,
    toMs,
    width,
    bucket: 'auto' as const,
    timeZone: 'UTC',
    source: 'cache' as const,
    maxServerRows: null,
  });

  /** M4 over every cached point, placed as a levelled read places them: what the chart must show. */
  async function expectedSeries(fromMs: number, toMs: number, width = 700): Promise<ChartSeriesData[]> {
    const window = { fromUs: fromMs * 1000, toUs: toMs * 1000 };
    const plan = planLevelRead(window, width)!;
    const source = await charts.cachedSource(request(fromMs, toMs, width));
    const columns = await warehouse.rows(levelPlacedM4Sql(source, plan, window));
    return m4Series(m4Columns(columns));
  }

  async function levelFiles(): Promise<string[]> {
    return (await readdir(join(cacheDir, LEVELS_DIR, 'pipeline_id=p')).catch(() => [])).sort();
  }

  beforeAll(async () => {
    cacheDir = await mkdtemp(join(tmpdir(), 'dash-levels-'));
    warehouse = await Warehouse.open();
    const metricsDir = join(cacheDir, 'metrics');
    for (let d = 0; d < DAYS; d++) {
      const date = new Date(T0_MS + d * DAY_MS).toISOString().slice(0, 10);
      await mkdir(join(metricsDir, 'pipeline_id=p', `date=${date}`), { recursive: true });
      await warehouse.exec(writeDaySql(metricsDir, d));
    }
    await mountPipelineMetricViews(warehouse, metricsDir);
    levels = new MetricLevels({ cacheDir: () => cacheDir, warehouse: () => warehouse, log: (l) => logged.push(l) });
    charts = new ChartService(
      () => warehouse,
      levels,
      (l) => logged.push(l),
    );
  }, 60_000);
  afterAll(async () => {
    await warehouse?.close();
    if (cacheDir) await rm(cacheDir, { recursive: true, force: true });
  });

  it('builds one level file per day and draws zooms from them as M4 over every point placed in its level bucket', async () => {
    await levels.refresh('p');
    const files = (await levelFiles()).filter((f) => !f.startsWith('coarse.'));
    expect(files).toHaveLength(DAYS);
    // The coarse levels (≥ 2^30 µs) of all days, in one file, which a zoom that coarse reads.
    const coarsePlan = planLevelRead({ fromUs: T0_MS * 1000, toUs: (T0_MS + DAYS * DAY_MS) * 1000 }, 200)!;
    expect(coarsePlan.level).toBeGreaterThanOrEqual(30);
    const coarseSql = (await levels.levelledSql(request(0, 1), coarsePlan))!;
    expect(coarseSql).toContain('/coarse.');
    expect(coarseSql).not.toMatch(/2026-05-0\d\.[0-9a-f]{16}\.L\d+\.parquet/);
    expect((await levelFiles()).filter((f) => /^coarse\.[0-9a-f]{16}\.parquet$/.test(f))).toHaveLength(1);
    expect(files.every((f) => /^2026-05-0[1-3]\.[0-9a-f]{16}\.L\d+\.parquet$/.test(f))).toBe(true);
    const days = await levels.days('p');
    expect(days.every((d) => d.levels !== null && d.levels.finest !== null)).toBe(true);

    for (const [fromMs, toMs, width, spike] of [
      [T0_MS, T0_MS + DAYS * DAY_MS, 700, true],
      [T0_MS + 3_700_000, T0_MS + 2 * DAY_MS - 12_345, 1200, true],
      [T0_MS + DAY_MS / 2, T0_MS + DAY_MS / 2 + 6 * 3_600_000, 300, false],
      // ~22 min a pixel: read from the coarse file.
      [T0_MS, T0_MS + DAYS * DAY_MS, 200, true],
    ] as const) {
      const data = await charts.series(request(fromMs, toMs, width));
      expect(data.mode).toBe('m4');
      expect(data.series).toEqual(await expectedSeries(fromMs, toMs, width));
      // Spikes stay: the spike of meter-0 (11 h into each day) is drawn when the window holds one.
      const highest = Math.max(...data.series.find((s) => s.key === 'power · meter-0')!.v);
      expect(highest > 400).toBe(spike);
    }
  });

  it('never reads a rewritten day through its old levels, and builds them again', async () => {
    await levels.refresh('p');
    const before = await levelFiles();
    // The second day changes (as a sync that fetched it again would leave it): values shifted by 1000.
    await warehouse.exec(writeDaySql(join(cacheDir, 'metrics'), 1, 1000));
    const [fromMs, toMs] = [T0_MS, T0_MS + DAYS * DAY_MS];
    const stale = (await levels.days('p')).find((d) => d.day === '2026-05-02')!;
    expect(stale.levels).toBeNull();
    const data = await charts.series(request(fromMs, toMs));
    expect(data.series).toEqual(await expectedSeries(fromMs, toMs));
    expect(Math.max(...data.series[0]!.v)).toBeGreaterThan(1000);
    // Nor through the coarse file, which still holds the day's old levels.
    const coarse = await charts.series(request(fromMs, toMs, 200));
    expect(coarse.series).toEqual(await expectedSeries(fromMs, toMs, 200));
    expect(Math.max(...coarse.series[0]!.v)).toBeGreaterThan(1000);
    // The chart queued a build for the stale day; once done, the day reads its new levels.
    await levels.refresh('p');
    const after = (await levelFiles()).filter((f) => !f.startsWith('coarse.'));
    expect(after).toHaveLength(DAYS);
    expect(after.filter((f) => f.startsWith('2026-05-02'))).not.toEqual(
      before.filter((f) => f.startsWith('2026-05-02')),
    );
    expect((await levels.days('p')).every((d) => d.levels !== null)).toBe(true);
    expect((await charts.series(request(fromMs, toMs))).series).toEqual(await expectedSeries(fromMs, toMs));
    expect((await charts.series(request(fromMs, toMs, 200))).series).toEqual(await expectedSeries(fromMs, toMs, 200));
  });

  it('draws from the points when a level file is damaged or not its own, and builds it again', async () => {
    await levels.refresh('p');
    const dir = join(cacheDir, LEVELS_DIR, 'pipeline_id=p');
    const [first] = await levelFiles();
    await writeFile(join(dir, first!), 'not parquet at all');
    // Files that are not level files are left alone and never read.
    await writeFile(join(dir, '2026-05-01.zzzz.L20.parquet'), 'crafted');
    await writeFile(join(dir, '..2026-05-01.0123456789abcdef.L20.parquet'), 'crafted');
    const [fromMs, toMs] = [T0_MS, T0_MS + DAYS * DAY_MS];
    const data = await charts.series(request(fromMs, toMs));
    // Drawn as a chart without levels draws it: M4 over every point, columns a pixel wide from the window's start.
    const plain = await chartData(
      (sql) => warehouse.rows(sql),
      await charts.cachedSource(request(fromMs, toMs)),
      request(fromMs, toMs),
    );
    expect(data.series).toEqual(plain.series);
    expect(logged.some((l) => l.includes('could not be read'))).toBe(true);
    await levels.refresh('p');
    const rebuilt = (await levelFiles()).filter((f) => /^\d{4}-\d\d-\d\d\.[0-9a-f]{16}\.L\d+\.parquet$/.test(f));
    expect(rebuilt).toHaveLength(DAYS);
    expect((await charts.series(request(fromMs, toMs))).series).toEqual(await expectedSeries(fromMs, toMs));
  });

  it('never reads a level file, or a levels folder, that is a link leading out of the cache', async () => {
    await levels.refresh('p');
    const dir = join(cacheDir, LEVELS_DIR, 'pipeline_id=p');
    const outside = await mkdtemp(join(tmpdir(), 'dash-levels-outside-'));
    const [fromMs, toMs] = [T0_MS, T0_MS + DAYS * DAY_MS];
    const plain = async () =>
      (
        await chartData(
          (sql) => warehouse.rows(sql),
          await charts.cachedSource(request(fromMs, toMs)),
          request(fromMs, toMs),
        )
      ).series;
    try {
      // A day's level file replaced by a link to a copy outside the cache: that day draws from its points.
      const [first] = (await levelFiles()).filter((f) => !f.startsWith('coarse.'));
      await copyFile(join(dir, first!), join(outside, first!));
      await rm(join(dir, first!));
      await symlink(join(outside, first!), join(dir, first!));
      const days = await levels.days('p');
      expect(days.find((d) => d.day === first!.slice(0, 10))!.levels).toBeNull();
      expect(days.filter((d) => d.levels !== null)).toHaveLength(DAYS - 1);
      // The whole levels folder a link to one outside: no day reads levels, the chart is M4 over the points.
      await rename(dir, join(outside, 'levels'));
      await symlink(join(outside, 'levels'), dir);
      expect((await levels.days('p')).every((d) => d.levels === null)).toBe(true);
      expect((await charts.series(request(fromMs, toMs))).series).toEqual(await plain());
      expect(logged.some((l) => l.includes('leads outside the cache folder'))).toBe(true);
      // The build the chart queued writes nothing through the link.
      await levels.refresh('p');
      expect((await readdir(join(outside, 'levels'))).sort()).toEqual((await readdir(dir)).sort());
      expect((await readdir(join(outside, 'levels'))).some((f) => f.includes('.building'))).toBe(false);
    } finally {
      await rm(dir, { force: true });
      await rm(outside, { recursive: true, force: true });
    }
    await levels.refresh('p');
    expect((await levels.days('p')).every((d) => d.levels !== null)).toBe(true);
  });

  it('removes the levels of days no longer cached, and keeps charts of zooms finer than any level exact', async () => {
    await rm(join(cacheDir, 'metrics', 'pipeline_id=p', 'date=2026-05-03'), { recursive: true });
    await mountPipelineMetricViews(warehouse, join(cacheDir, 'metrics'));
    await levels.refresh('p');
    expect((await levelFiles()).filter((f) => f.startsWith('2026-05-03'))).toEqual([]);
    // The levels of a pipeline no longer cached at all go too; those of a cached one stay.
    await mkdir(join(cacheDir, LEVELS_DIR, 'pipeline_id=gone'), { recursive: true });
    await writeFile(join(cacheDir, LEVELS_DIR, 'pipeline_id=gone', '2026-05-01.0123456789abcdef.L26.parquet'), '');
    await levels.refreshAll();
    expect(existsSync(join(cacheDir, LEVELS_DIR, 'pipeline_id=gone'))).toBe(false);
    expect((await levelFiles()).length).toBeGreaterThan(0);
    // 10 minutes at 1000 px: columns of 0.6 s, finer than the finest level: M4 over the points, or raw points.
    const data = await charts.series(request(T0_MS + 5_000_000, T0_MS + 5_600_000, 1000));
    expect(['raw', 'm4']).toContain(data.mode);
    expect(data.rawPoints).toBeGreaterThan(500);
  });
});
