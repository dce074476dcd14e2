/**
 * The time-series explorer: one zoom step of a metric chart over a cache of 10M
 * and 100M points (`chart.series` on the native warehouse, read from the cache's
 * M4 levels), against a plain aggregate scan of the same rows; and how many
 * points reach ECharts.
 */
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import * as echarts from 'echarts';
import { ChartService } from '../../src/main/services/charts/ChartService';
import { MetricLevels } from '../../src/main/services/charts/MetricLevels';
import { mountPipelineMetricViews } from '../../src/main/services/sync/metricViews';
import { Warehouse } from '../../src/main/services/warehouse/Warehouse';
import { chartData, type ChartData, type ChartRequest } from '../../src/shared/charts/chartQuery';
import { pointsSql, type ChartSource } from '../../src/shared/charts/m4Sql';
import { quoteLiteral } from '../../src/shared/sql';
import { buildOption, pointCount, type DrawModel } from '../../src/renderer/features/charts/chartOption';
import { generatedParquet } from '../fixtures';
import { medianMs, round, timeFigure, type BenchContext, type Figure, type FigureResult } from '../harness';

const SERIES = 8;
const START_MS = Date.UTC(2026, 0, 1);
const WIDTH = 1000;

/** `rows` points: 8 series, one point per series per second, a daily cycle, noise and rare spikes. */
function chartPointsParquet(cacheDir: string, rows: number): Promise<string> {
  return generatedParquet(
    cacheDir,
    `chart-points-${rows}.parquet`,
    `
        SELECT TIMESTAMPTZ '2026-01-01 00:00:00+00' + to_seconds((i // ${SERIES})::BIGINT) AS time,
               'series-' || (i % ${SERIES}) AS series_id,
               100 + 50 * sin(2 * pi() * ((i // ${SERIES}) % 86400) / 86400) + (hash(i) % 1000) / 100.0
                 + CASE WHEN hash(i, 7) % 1000003 = 0 THEN 500 ELSE 0 END AS value
        FROM range(${rows}) t(i)
  `,
  );
}

function source(file: string): ChartSource {
  return {
    relation: `read_parquet(${quoteLiteral(file)})`,
    timeColumn: 'time',
    valueSql: 'value',
    keySql: 'series_id',
    pushdown: 'timestamptz',
  };
}

function fullRange(rows: number): { fromMs: number; toMs: number } {
  return { fromMs: START_MS, toMs: START_MS + Math.ceil(rows / SERIES) * 1000 };
}

/** The middle half of the full range: one 2× zoom step from the overview. */
function zoomStep(rows: number): ChartRequest {
  const { fromMs, toMs } = fullRange(rows);
  const quarter = (toMs - fromMs) / 4;
  return { fromMs: fromMs + quarter, toMs: toMs - quarter, width: WIDTH, bucket: 'auto', timeZone: 'UTC' };
}

function drawModel(data: ChartData, req: ChartRequest, rows: number): DrawModel {
  return {
    series: data.series.map((s) => ({ ...s, unit: 'kW' })),
    mode: data.mode,
    bucketMs: data.bucketMs,
    type: 'line',
    timeZone: req.timeZone,
    extent: fullRange(rows),
    window: { fromMs: req.fromMs, toMs: req.toMs },
    legendNames: null,
    selected: {},
  };
}

/** ECharts' own layout and render of the points (server-side SVG): what Node can measure of "drawn". */
function drawMs(model: DrawModel): number {
  const started = performance.now();
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: WIDTH + 120, height: 480 });
  chart.setOption(buildOption(model));
  chart.renderToSVGString();
  chart.dispose();
  return performance.now() - started;
}

/**
 * The points as a metrics cache (one Parquet file per pipeline and UTC day, as a sync writes them) with its
 * M4 levels built, kept in `cacheDir` between runs: the path a metric chart's zoom takes.
 */
async function metricsCache(cacheDir: string, rows: number, file: string): Promise<string> {
  const root = join(cacheDir, `chart-cache-${rows}`);
  const metrics = join(root, 'metrics');
  if (existsSync(metrics)) return root;
  const tmp = `${metrics}.tmp`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(root, { recursive: true });
  const db = await DuckDBInstance.create(':memory:', { autoload_known_extensions: 'false' });
  const con = await db.connect();
  try {
    await con.run(`COPY (SELECT time, 'bench' AS pipeline_id, series_id, 'power' AS metric_name, value,
        strftime(time AT TIME ZONE 'UTC', '%Y-%m-%d') AS date FROM read_parquet(${quoteLiteral(file)}))
      TO ${quoteLiteral(tmp)} (FORMAT parquet, PARTITION_BY (pipeline_id, date), WRITE_PARTITION_COLUMNS true)`);
  } finally {
    con.closeSync();
    db.closeSync();
  }
  await rename(tmp, metrics);
  return root;
}

async function zoomFigure(id: string, rows: number, ctx: BenchContext): Promise<FigureResult> {
  ctx.log(`  generating ${rows.toLocaleString('en-US')} points (once, kept in ${ctx.cacheDir})`);
  const file = await chartPointsParquet(ctx.cacheDir, rows);
  const cacheDir = await metricsCache(ctx.cacheDir, rows, file);
  const warehouse = await Warehouse.open();
  try {
    await mountPipelineMetricViews(warehouse, join(cacheDir, 'metrics'));
    const levels = new MetricLevels({ cacheDir: () => cacheDir, warehouse: () => warehouse });
    const buildStarted = performance.now();
    await levels.refresh('bench');
    const buildMs = performance.now() - buildStarted;
    const withLevels = new ChartService(() => warehouse, levels);
    const withoutLevels = new ChartService(() => warehouse);
    const req = zoomStep(rows);
    let n = 0;
    const zoom = (charts: ChartService) =>
      charts.series({
        requestId: `${id}-${n++}`,
        pipelineId: 'bench',
        metrics: ['power'],
        seriesIds: [],
        source: 'cache',
        maxServerRows: null,
        ...req,
      });
    let data: ChartData | null = null;
    const ours = await medianMs(async () => {
      data = await zoom(withLevels);
    });
    const plainM4 = await medianMs(() => zoom(withoutLevels), 3);
    const window = { fromUs: req.fromMs * 1000, toUs: req.toMs * 1000 };
    const baseline = await medianMs(() =>
      warehouse.rows(
        `SELECT k, count(*) AS n, min(v) AS lo, max(v) AS hi FROM (${pointsSql(source(file), window)}) GROUP BY k`,
      ),
    );
    const result = data as ChartData | null;
    if (!result) throw new Error('no chart data');
    const drawn = drawMs(drawModel(result, req, rows));
    return timeFigure(
      id,
      ours,
      'plain aggregate scan (count/min/max per series) of the same rows',
      baseline,
      `${result.rawPoints.toLocaleString('en-US')} points in the window → ${pointCount(drawModel(result, req, rows)).toLocaleString('en-US')} drawn (${result.mode}, column = ${round(result.bucketMs / 1000, 1)} s); ` +
        `engine ${round(ours)} ms from M4 levels (M4 over every point: ${round(plainM4)} ms) + ECharts layout/render (SSR SVG, Node) ${round(drawn)} ms = ${round(ours + drawn)} ms to chart drawn; ` +
        `levels built once per cached day: ${Math.round(buildMs)} ms for all days (0 when kept from an earlier run); ` +
        'the browser canvas paint and the IPC/HTTP hop are not measured here',
    );
  } finally {
    await warehouse.close();
  }
}

export const chartZoom10m: Figure = {
  id: 'chart.zoom_10m',
  description: 'one zoom step (2×) re-aggregated with M4 at 1000 px over 10M points, native warehouse',
  run: (ctx) => zoomFigure('chart.zoom_10m', 10_000_000, ctx),
};

export const chartZoom100m: Figure = {
  id: 'chart.zoom_100m',
  description: 'one zoom step (2×) re-aggregated with M4 at 1000 px over 100M points, native warehouse',
  run: (ctx) => zoomFigure('chart.zoom_100m', 100_000_000, ctx),
};

export const chartPoints: Figure = {
  id: 'chart.points',
  description: 'points handed to ECharts for the 10M-point overview, against drawing every raw point',
  async run(ctx: BenchContext) {
    const rows = 10_000_000;
    const file = await chartPointsParquet(ctx.cacheDir, rows);
    const warehouse = await Warehouse.open();
    try {
      const req: ChartRequest = { ...fullRange(rows), width: WIDTH, bucket: 'auto', timeZone: 'UTC' };
      let n = 0;
      const data = await chartData((sql) => warehouse.run(`points-${n++}`, sql), source(file), req);
      const model = drawModel(data, req, rows);
      const points = pointCount(model);
      const m4Draw = drawMs(model);
      // Drawing raw points: feasible only for a slice; measured on 1M raw points and scaled linearly.
      const slice: ChartRequest = { ...req, toMs: req.fromMs + (1_000_000 / SERIES) * 1000 };
      const sliceWindow = { fromUs: slice.fromMs * 1000, toUs: slice.toMs * 1000 };
      const raw = await warehouse.rows(
        `SELECT k, CAST(t AS DOUBLE) AS t_us, v FROM (${pointsSql(source(file), sliceWindow)}) ORDER BY k, t`,
      );
      const byKey = new Map<string, { key: string; t: number[]; v: number[] }>();
      for (const r of raw) {
        const k = String(r.k);
        if (!byKey.has(k)) byKey.set(k, { key: k, t: [], v: [] });
        byKey.get(k)!.t.push(Number(r.t_us) / 1000);
        byKey.get(k)!.v.push(Number(r.v));
      }
      const rawModel = drawModel(
        { mode: 'raw', bucketMs: 0, rawPoints: raw.length, series: [...byKey.values()] },
        slice,
        rows,
      );
      const rawDraw = drawMs(rawModel);
      return {
        id: this.id,
        ours: { value: points, unit: 'points' },
        baseline: { name: 'raw points in the same view', value: data.rawPoints, unit: 'points' },
        speed_ratio: round(data.rawPoints / points, 1),
        notes:
          `M4 at ${WIDTH} px: ${points.toLocaleString('en-US')} points, drawn (SSR SVG, Node) in ${round(m4Draw)} ms; ` +
          `${raw.length.toLocaleString('en-US')} raw points drew in ${round(rawDraw)} ms, so all ${data.rawPoints.toLocaleString('en-US')} would take ~${Math.round((rawDraw * data.rawPoints) / raw.length / 1000)} s (not attempted)`,
      };
    } finally {
      await warehouse.close();
    }
  },
};
