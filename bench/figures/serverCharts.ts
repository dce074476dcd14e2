/**
 * A metric chart computed on the server: one 2× zoom step (the middle half of
 * 10M rows: 10 series × 1M minutes) at 1,000 px through ServerCharts — M4 per
 * pixel column on the server, the columns over the wire — against a bare
 * server-side `SELECT count(*), min(value), max(value)` of the same rows, run
 * the same way (read-only transaction, the chart's planner settings).
 * Runs on Debian's TimescaleDB (the cluster's engine) when its root can be
 * prepared here, else on the embedded plain PostgreSQL; the notes say which.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { ChartService } from '../../src/main/services/charts/ChartService';
import { CHART_SETTINGS, ServerCharts } from '../../src/main/services/charts/ServerCharts';
import { EmbeddedServer } from '../../src/main/services/postgres/EmbeddedServer';
import { applyMigrations } from '../../src/main/services/postgres/Migrations';
import { ReadOnlyStatements } from '../../src/main/services/postgres/ReadOnlyStatements';
import { ChartSeriesRequest, type ChartSeriesResult } from '../../src/shared/api/charts';
import { selectionWhereSql } from '../../src/shared/charts/serverChartSql';
import { DebianTimescaleDB, prepareTimescaleRoot } from '../../tests/setup/DebianTimescaleDB';
import { alternatingRuns, median, round, timeFigure, type BenchContext, type Figure } from '../harness';

const SERIES = 10;
const MINUTES = 1_000_000;
const WIDTH = 1000;
const START_MS = Date.UTC(2025, 0, 1);
const PIPELINE = 'chart_bench';

interface BenchServer {
  kind: string;
  config: pg.ClientConfig;
  stop(): Promise<void>;
}

/** Debian's TimescaleDB (fresh each run), or the embedded PostgreSQL whose data folder the bench keeps. */
async function startServer(ctx: BenchContext): Promise<BenchServer> {
  const root = await prepareTimescaleRoot(() => undefined);
  if (root.ok) {
    const server = await DebianTimescaleDB.start({ log: () => undefined });
    const { host, port, user, password, database, timescaleVersion } = server.info;
    return {
      kind: `Debian TimescaleDB ${timescaleVersion} (hypertable)`,
      config: { host, port, user, password, database },
      stop: () => server.stop(),
    };
  }
  ctx.log(`  TimescaleDB is not available here (${root.reason}); plain PostgreSQL instead`);
  await mkdir(ctx.cacheDir, { recursive: true });
  const server = await EmbeddedServer.start({ dataDir: join(ctx.cacheDir, 'chart-server') });
  return { kind: 'embedded plain PostgreSQL', config: server.connectionConfig(), stop: () => server.stop() };
}

async function ensureRows(client: pg.ClientBase, log: (line: string) => void): Promise<void> {
  const { rows: ext } = await client.query(`SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'`);
  if (ext.length) await client.query('CREATE EXTENSION IF NOT EXISTS timescaledb');
  await applyMigrations(client);
  const { rows } = await client.query<{ n: string }>(
    'SELECT count(*)::text AS n FROM dash.pipeline_metrics WHERE pipeline_id = $1',
    [PIPELINE],
  );
  if (Number(rows[0]?.n) === SERIES * MINUTES) return;
  log(`  generating ${(SERIES * MINUTES).toLocaleString('en-US')} rows on the server`);
  await client.query('DELETE FROM dash.pipeline_metrics WHERE pipeline_id = $1', [PIPELINE]);
  await client.query(`
    INSERT INTO dash.pipeline_metrics (time, pipeline_id, series_id, metric_name, value)
    SELECT TIMESTAMPTZ '2025-01-01 00:00:00+00' + i * INTERVAL '1 minute', '${PIPELINE}', 'device-' || lpad(s::text, 2, '0'),
           'power', sin(i / 600.0 + s) * 100 + random() + CASE WHEN i % 100003 = 7 THEN 500 ELSE 0 END
    FROM generate_series(0, ${MINUTES - 1}) AS i, generate_series(1, ${SERIES}) AS s ORDER BY 1`);
  await client.query('VACUUM ANALYZE dash.pipeline_metrics');
}

export const chartServerZoom: Figure = {
  id: 'chart.server_zoom',
  description: 'one 2× zoom step of a server chart (M4 on the server) over 10M rows at 1000 px',
  async run(ctx) {
    const server = await startServer(ctx);
    const pool = new pg.Pool({ ...server.config, max: 4 });
    pool.on('error', () => undefined);
    try {
      const client = await pool.connect();
      try {
        await ensureRows(client, ctx.log);
      } finally {
        client.release();
      }
      const statements = new ReadOnlyStatements({ pool: () => pool, statementTimeoutMs: () => 600_000 });
      const charts = new ServerCharts({
        statements,
        pool: () => pool,
        cached: new ChartService(() => {
          throw new Error('no cache in this figure');
        }),
        cachedDays: async () => [],
        estimate: async () => {
          throw new Error('no estimate in this figure');
        },
      });
      const quarter = (MINUTES * 60_000) / 4;
      const window = { fromMs: START_MS + quarter, toMs: START_MS + MINUTES * 60_000 - quarter };
      const where = selectionWhereSql({ pipelineId: PIPELINE, metrics: ['power'], seriesIds: [] }, [
        { fromUs: window.fromMs * 1000, toUs: window.toMs * 1000 },
      ]);
      let result: ChartSeriesResult | null = null;
      // Side by side, so a busy moment of the server weighs on both alike.
      const runs = await alternatingRuns(5, {
        // Under the chart's planner settings, in a read-only transaction as the chart's statements run.
        baseline: async (run) => {
          const started = performance.now();
          await statements.read(
            `baseline-${run}`,
            (client) =>
              client.query(`SELECT count(*), min(value), max(value) FROM dash.pipeline_metrics WHERE ${where}`),
            CHART_SETTINGS,
          );
          return performance.now() - started;
        },
        ours: async (run) => {
          const started = performance.now();
          result = await charts.series(
            ChartSeriesRequest.parse({
              requestId: `server-zoom-${run}`,
              pipelineId: PIPELINE,
              metrics: ['power'],
              seriesIds: [],
              ...window,
              width: WIDTH,
              timeZone: 'UTC',
              source: 'server',
            }),
          );
          return performance.now() - started;
        },
      });
      const data = result as ChartSeriesResult | null;
      if (!data) throw new Error('no chart');
      const points = data.series.reduce((sum, s) => sum + s.t.length, 0);
      const perPixel = data.serverRows / (WIDTH * data.series.length);
      return timeFigure(
        this.id,
        median(runs.ours),
        'bare server-side count/min/max of the same rows, same planner settings',
        median(runs.baseline),
        `${server.kind}; ${data.rawPoints.toLocaleString('en-US')} rows in the window (${data.mode}) → ` +
          `${data.serverRows.toLocaleString('en-US')} rows over the wire (${round(perPixel, 2)} per pixel per series, each up to 4 points) → ${points.toLocaleString('en-US')} points drawn`,
      );
    } finally {
      await pool.end();
      await server.stop();
    }
  },
};
