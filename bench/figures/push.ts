/**
 * push.metrics: MetricPush.push of ~1M recomputed rows (replacing the same
 * number on the server, keeping them for undo, checksums, audit row) in rows/s,
 * against a bare `COPY … FROM STDIN` of the same rows file into a table shaped
 * like dash.pipeline_metrics (same unique index) on the same server.
 *
 * preview.30d: a reprocessing preview (recompute, read the server's metrics
 * with their checksum, diff, summaries) of the demo's energy_meters over its
 * 30 days × 120 series, through the API as the UI runs it; baseline: the
 * compiled draft alone on native DuckDB over the same Bronze files.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { DuckDBInstance } from '@duckdb/node-api';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { startWorkbenchApp } from '../../src/main/services/WorkbenchApp';
import { DEMO_PIPELINES } from '../../src/main/services/demo/DemoPipelines';
import { demoBronzeGlob } from '../../src/main/services/demo/DemoMetrics';
import { MetricPush, rangeChecksum } from '../../src/main/services/push/MetricPush';
import { compilePipeline } from '../../src/shared/formula';
import { quoteLiteral } from '../../src/shared/sql';
import { median, round, timeFigure, type BenchContext, type Figure, type FigureResult } from '../harness';
import { serverMetricRows, withMetricServer, type ServerMetrics } from '../fixtures';

const PUSH_SPEC: ServerMetrics = { pipelines: ['bench_push'], days: 35, series: 100, metrics: ['power', 'energy'] };
const PUSH_RANGE = { start: '2026-01-01T00:00:00.000Z', end: '2026-02-05T00:00:00.000Z' };
const RUNS = 3;

async function pushMetrics(ctx: BenchContext): Promise<FigureResult> {
  return withMetricServer(ctx, 'pg-push', PUSH_SPEC, async (pool) => {
    const rows = serverMetricRows(PUSH_SPEC);
    const dir = join(ctx.cacheDir, 'push-work');
    await mkdir(dir, { recursive: true });
    const rowsFile = join(dir, 'rows.tsv');
    const admin = await pool.connect();
    try {
      await admin.query(
        `INSERT INTO dash.pipelines (id, name, version, definition, updated_by)
         VALUES ('bench_push', 'Bench push', 1, '{"source":"bronze/bench_push/","filter":null,"metrics":[]}', 'bench')
         ON CONFLICT (id) DO NOTHING`,
      );
      // The recomputed rows: every value of the range changed, as COPY text in the index's order.
      await admin.query('SET extra_float_digits = 1');
      await pipeline(
        admin.query(
          copyTo(`COPY (SELECT to_char(time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), series_id, metric_name, value * 1.5
                FROM dash.pipeline_metrics WHERE pipeline_id = 'bench_push' ORDER BY metric_name, series_id, time) TO STDOUT`),
        ),
        createWriteStream(rowsFile),
      );
      await admin.query('DROP TABLE IF EXISTS bench_copy_target');
      await admin.query('CREATE TABLE bench_copy_target (LIKE dash.pipeline_metrics INCLUDING ALL)');
      await admin.query("ALTER TABLE bench_copy_target ALTER COLUMN pipeline_id SET DEFAULT 'bench_push'");
    } finally {
      admin.release();
    }
    const connect = async () => {
      const client = new pg.Client(pool.options);
      await client.connect();
      return client;
    };
    const push = new MetricPush(connect);
    const oursMs: number[] = [];
    const copyMs: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      // The baseline: the same file, bare COPY into an empty table with the same index.
      const client = await connect();
      try {
        await client.query('TRUNCATE bench_copy_target');
        const started = performance.now();
        await pipeline(
          createReadStream(rowsFile),
          client.query(copyFrom('COPY bench_copy_target (time, series_id, metric_name, value) FROM STDIN')),
        );
        copyMs.push(performance.now() - started);
        // Undo data of earlier runs is not part of a push's work.
        await client.query(
          "DELETE FROM dash.metric_push_replaced_rows WHERE push_id IN (SELECT push_id FROM dash.metric_pushes WHERE pipeline_id = 'bench_push')",
        );
        await client.query("DELETE FROM dash.metric_pushes WHERE pipeline_id = 'bench_push'");
        await client.query('VACUUM ANALYZE dash.pipeline_metrics, dash.metric_push_replaced_rows');
      } finally {
        await client.end();
      }
      const checkClient = await connect();
      const expected = await rangeChecksum(checkClient, 'bench_push', PUSH_RANGE).finally(() => checkClient.end());
      const started = performance.now();
      const result = await push.push({
        pushId: randomUUID(),
        pipelineId: 'bench_push',
        baseVersion: 1,
        definition: null,
        range: PUSH_RANGE,
        expectedChecksum: expected.checksum,
        rowsFile,
        pushedBy: 'bench',
        comment: null,
      });
      oursMs.push(performance.now() - started);
      if (result.rowsInserted !== rows)
        throw new Error(`push.metrics inserted ${result.rowsInserted}, expected ${rows}`);
      ctx.log(`  run ${run + 1}: push ${round(oursMs.at(-1)!)} ms, bare COPY ${round(copyMs.at(-1)!)} ms`);
    }
    await rm(dir, { recursive: true, force: true });
    const ours = rows / (median(oursMs) / 1000);
    const baseline = rows / (median(copyMs) / 1000);
    return {
      id: 'push.metrics',
      ours: { value: Math.round(ours), unit: 'rows/s' },
      baseline: { name: 'bare COPY FROM STDIN, same rows and server', value: Math.round(baseline), unit: 'rows/s' },
      speed_ratio: round(ours / baseline, 3),
      notes: `${rows.toLocaleString('en-US')} rows replacing as many (kept for undo), checksums before and after, median of ${RUNS}`,
    };
  });
}

export const pushMetricsFigure: Figure = {
  id: 'push.metrics',
  description: 'MetricPush rows/s against a bare COPY FROM STDIN of the same rows',
  run: pushMetrics,
};

async function preview30d(ctx: BenchContext): Promise<FigureResult> {
  const workspaceDir = join(ctx.cacheDir, 'preview-workspace');
  ctx.log('  opening the demo-size workspace (generated on the first run)');
  const app = await startWorkbenchApp({
    workspaceDir,
    shell: 'web',
    appVersion: 'bench',
    demoSize: 'demo',
    secretsDir: join(ctx.cacheDir, 'preview-app-data'),
  });
  try {
    await app.workspace.started;
    const lake = await app.api.dispatch('lake.list', {});
    if (!lake.ok) throw new Error(lake.error.message);
    const energy = (
      lake.result as { pipelines: { pipelineId: string; firstDay: string; lastDay: string }[] }
    ).pipelines.find((p) => p.pipelineId === 'energy_meters')!;
    const range = {
      start: `${energy.firstDay}T00:00:00.000Z`,
      end: new Date(Date.parse(`${energy.lastDay}T00:00:00.000Z`) + 86_400_000).toISOString(),
    };
    const def = DEMO_PIPELINES.find((p) => p.id === 'energy_meters')!.definition;
    const oursMs: number[] = [];
    let summary = '';
    for (let run = 0; run < RUNS + 1; run++) {
      const started = performance.now();
      const reply = await app.api.dispatch('preview.start', {
        pipelineId: 'energy_meters',
        baseVersion: 1,
        filter: def.filter,
        metrics: def.metrics,
        range,
      });
      if (!reply.ok) throw new Error(reply.error.message);
      const { jobId, previewId } = reply.result as { jobId: string; previewId: string };
      for (;;) {
        const job = app.jobs.get(jobId);
        if (job?.finishedAt) {
          if (job.state !== 'succeeded') throw new Error(`preview failed: ${job.error}`);
          break;
        }
        await new Promise((r) => setTimeout(r, 5));
      }
      const result = await app.api.dispatch('preview.result', { previewId });
      if (!result.ok) throw new Error(result.error.message);
      // The first run warms the caches.
      if (run > 0) oursMs.push(performance.now() - started);
      const totals = (result.result as { totals: Record<string, number>; serverRows: number }).totals;
      summary = `${(result.result as { serverRows: number }).serverRows.toLocaleString('en-US')} server rows, ${totals.unchanged!.toLocaleString('en-US')} unchanged`;
    }

    // The baseline: the compiled draft alone, on a bare native DuckDB over the same files.
    const db = await DuckDBInstance.create(':memory:', {
      autoload_known_extensions: 'false',
      autoinstall_known_extensions: 'false',
    });
    const con = await db.connect();
    const baselineMs: number[] = [];
    try {
      await con.run(
        `CREATE VIEW bronze AS SELECT * FROM read_parquet(${quoteLiteral(demoBronzeGlob(join(workspaceDir, 'lake'), 'energy_meters'))}, hive_partitioning = true, union_by_name = true)`,
      );
      const columns = (await con.runAndReadAll('DESCRIBE bronze')).getRowObjectsJS().map((r) => ({
        name: String(r.column_name),
        type: String(r.column_type),
      }));
      const compiled = compilePipeline({ filter: def.filter, metrics: def.metrics }, columns, 'bronze');
      for (let run = 0; run < RUNS + 1; run++) {
        const started = performance.now();
        await con.run(
          `CREATE OR REPLACE TABLE recomputed AS SELECT * FROM (${compiled})
           WHERE ts >= ${quoteLiteral(range.start)}::TIMESTAMPTZ AND ts < ${quoteLiteral(range.end)}::TIMESTAMPTZ`,
        );
        if (run > 0) baselineMs.push(performance.now() - started);
      }
    } finally {
      con.closeSync();
      db.closeSync();
    }
    return timeFigure(
      'preview.30d',
      median(oursMs),
      'the compiled draft alone on native DuckDB',
      median(baselineMs),
      `energy_meters, 30 days × 120 series (demo size): ${summary}; median of ${RUNS}`,
    );
  } finally {
    await app.close();
  }
}

export const preview30dFigure: Figure = {
  id: 'preview.30d',
  description: 'reprocessing preview of 30 days × 120 series against the compiled SQL alone on native DuckDB',
  run: preview30d,
};
