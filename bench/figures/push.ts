/**
 * push.metrics: MetricPush.push of a delta in which every value of ~1M rows
 * changed (the delta staged with the values the preview saw, the overwritten
 * rows kept for undo, the range fingerprint checked, the audit row) in rows/s,
 * against a bare `COPY … FROM STDIN` of the same rows into a table shaped like
 * dash.pipeline_metrics (same unique index) on the same server.
 *
 * push.changed_1pct: the whole push of a delta where 1 % of the ~1M rows of
 * the range changed, against a bare `COPY … FROM STDIN` of all ~1M rows — what
 * rewriting the range would cost at best.
 *
 * preview.30d: a reprocessing preview (recompute, read the server's metrics
 * with their fingerprint, diff, summaries) of the demo's energy_meters over its
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
import { MetricPush } from '../../src/main/services/push/MetricPush';
import { formatFingerprint, rangeFingerprint } from '../../src/main/services/push/rangeFingerprint';
import { compilePipeline } from '../../src/shared/formula';
import { quoteLiteral } from '../../src/shared/sql';
import {
  alternatingRuns,
  median,
  round,
  timeFigure,
  type BenchContext,
  type Figure,
  type FigureResult,
} from '../harness';
import { serverMetricRows, withMetricServer, type ServerMetrics } from '../fixtures';

const PUSH_SPEC: ServerMetrics = { pipelines: ['bench_push'], days: 35, series: 100, metrics: ['power', 'energy'] };
const PUSH_RANGE = { start: '2026-01-01T00:00:00.000Z', end: '2026-02-05T00:00:00.000Z' };
const RUNS = 3;
const ISO = `to_char(time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/**
 * Runs `measure` with the bench server's push fixtures: `deltaOf(where)` writes
 * the delta file that multiplies the values of the rows `where` selects by 1.5
 * (only those it changes), `allRows` is every row of the range as COPY text,
 * `bareCopy(file)` times the baseline, `timedPush(file)` times a push of a delta
 * and undoes it afterwards (untimed) so every run starts from the same rows.
 */
async function withPushBench(
  ctx: BenchContext,
  measure: (b: {
    rows: number;
    /** `file`: the delta as a preview writes it; `rowsFile`: its rows alone, for the baseline's COPY. */
    deltaOf: (where: string, name: string) => Promise<{ file: string; rowsFile: string; rows: number }>;
    allRows: string;
    bareCopy: (file: string) => Promise<number>;
    timedPush: (file: string, expectedChanged: number) => Promise<number>;
  }) => Promise<FigureResult>,
): Promise<FigureResult> {
  return withMetricServer(ctx, 'pg-push', PUSH_SPEC, async (pool) => {
    const rows = serverMetricRows(PUSH_SPEC);
    const dir = join(ctx.cacheDir, 'push-work');
    await mkdir(dir, { recursive: true });
    const connect = async () => {
      const client = new pg.Client(pool.options);
      await client.connect();
      return client;
    };
    const copyOut = async (select: string, file: string): Promise<number> => {
      const client = await connect();
      try {
        await client.query('SET extra_float_digits = 1');
        const copy = client.query(copyTo(`COPY (${select}) TO STDOUT`));
        await pipeline(copy, createWriteStream(file));
        return copy.rowCount;
      } finally {
        await client.end();
      }
    };
    const admin = await connect();
    try {
      await admin.query(
        `INSERT INTO dash.pipelines (id, name, version, definition, updated_by)
         VALUES ('bench_push', 'Bench push', 1, '{"source":"bronze/bench_push/","filter":null,"metrics":[]}', 'bench')
         ON CONFLICT (id) DO NOTHING`,
      );
      await admin.query('DROP TABLE IF EXISTS bench_copy_target');
      await admin.query('CREATE TABLE bench_copy_target (LIKE dash.pipeline_metrics INCLUDING ALL)');
      await admin.query("ALTER TABLE bench_copy_target ALTER COLUMN pipeline_id SET DEFAULT 'bench_push'");
    } finally {
      await admin.end();
    }
    const allRows = join(dir, 'all-rows.tsv');
    await copyOut(
      `SELECT ${ISO}, series_id, metric_name, value FROM dash.pipeline_metrics
       WHERE pipeline_id = 'bench_push' ORDER BY metric_name, series_id, time`,
      allRows,
    );
    const push = new MetricPush(connect);
    try {
      return await measure({
        rows,
        allRows,
        deltaOf: async (where, name) => {
          const file = join(dir, `${name}.tsv`);
          const rowsFile = join(dir, `${name}-rows.tsv`);
          const changed = `FROM dash.pipeline_metrics
             WHERE pipeline_id = 'bench_push' AND (${where}) AND value IS DISTINCT FROM value * 1.5
             ORDER BY metric_name, series_id, time`;
          // In the index's order, with the value the server holds, as the preview writes it.
          const n = await copyOut(`SELECT ${ISO}, series_id, metric_name, value * 1.5, value, 't' ${changed}`, file);
          await copyOut(`SELECT ${ISO}, series_id, metric_name, value * 1.5 ${changed}`, rowsFile);
          return { file, rowsFile, rows: n };
        },
        bareCopy: async (file) => {
          const client = await connect();
          try {
            await client.query('TRUNCATE bench_copy_target');
            const started = performance.now();
            await pipeline(
              createReadStream(file),
              client.query(copyFrom('COPY bench_copy_target (time, series_id, metric_name, value) FROM STDIN')),
            );
            return performance.now() - started;
          } finally {
            await client.end();
          }
        },
        timedPush: async (file, expectedChanged) => {
          const client = await connect();
          let expected: string;
          try {
            // Undo data and audit rows of earlier runs are not part of a push's work.
            await client.query(
              "DELETE FROM dash.metric_push_replaced_rows WHERE push_id IN (SELECT push_id FROM dash.metric_pushes WHERE pipeline_id = 'bench_push')",
            );
            await client.query("DELETE FROM dash.metric_pushes WHERE pipeline_id = 'bench_push'");
            await client.query('VACUUM ANALYZE dash.pipeline_metrics, dash.metric_push_replaced_rows');
            expected = formatFingerprint(await rangeFingerprint(client, 'bench_push', PUSH_RANGE));
          } finally {
            await client.end();
          }
          const started = performance.now();
          const result = await push.push({
            pushId: randomUUID(),
            pipelineId: 'bench_push',
            baseVersion: 1,
            definition: null,
            range: PUSH_RANGE,
            expectedChecksum: expected,
            deltaFile: file,
            pushedBy: 'bench',
            comment: null,
          });
          const ms = performance.now() - started;
          if (result.values?.changed !== expectedChanged)
            throw new Error(`the push changed ${result.values?.changed} values, expected ${expectedChanged}`);
          await push.undo({ pushId: randomUUID(), undoOf: result.pushId, pushedBy: 'bench', comment: null });
          return ms;
        },
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
}

async function pushMetrics(ctx: BenchContext): Promise<FigureResult> {
  return withPushBench(ctx, async (b) => {
    const delta = await b.deltaOf('true', 'all-changed');
    const runs = await alternatingRuns(
      RUNS,
      { baseline: () => b.bareCopy(delta.rowsFile), ours: () => b.timedPush(delta.file, delta.rows) },
      (run, oursMs, baselineMs) => ctx.log(`  run ${run}: push ${round(oursMs)} ms, bare COPY ${round(baselineMs)} ms`),
    );
    const ours = delta.rows / (median(runs.ours) / 1000);
    const baseline = delta.rows / (median(runs.baseline) / 1000);
    return {
      id: 'push.metrics',
      ours: { value: Math.round(ours), unit: 'rows/s' },
      baseline: { name: 'bare COPY FROM STDIN, same rows and server', value: Math.round(baseline), unit: 'rows/s' },
      speed_ratio: round(ours / baseline, 3),
      notes: `${delta.rows.toLocaleString('en-US')} of ${b.rows.toLocaleString('en-US')} values changed: staged with the values the preview saw, overwritten rows kept for undo, the range deleted (every row touched) and the rows inserted; fingerprint checked alongside; median of ${RUNS}`,
    };
  });
}

export const pushMetricsFigure: Figure = {
  id: 'push.metrics',
  description: 'MetricPush rows/s (every value changed) against a bare COPY FROM STDIN of the same rows',
  run: pushMetrics,
};

async function pushChanged1pct(ctx: BenchContext): Promise<FigureResult> {
  return withPushBench(ctx, async (b) => {
    // 1 % of the keys, spread over every series and day.
    const delta = await b.deltaOf(
      `(extract(epoch FROM time)::bigint / 600 + hashtext(series_id)) % 100 = 0`,
      'one-pct',
    );
    const runs = await alternatingRuns(
      RUNS,
      { baseline: () => b.bareCopy(b.allRows), ours: () => b.timedPush(delta.file, delta.rows) },
      (run, oursMs, baselineMs) =>
        ctx.log(`  run ${run}: push ${round(oursMs)} ms, bare COPY of every row ${round(baselineMs)} ms`),
    );
    return timeFigure(
      'push.changed_1pct',
      median(runs.ours),
      `bare COPY FROM STDIN of all ${b.rows.toLocaleString('en-US')} rows`,
      median(runs.baseline),
      `${delta.rows.toLocaleString('en-US')} of ${b.rows.toLocaleString('en-US')} values changed; median of ${RUNS}`,
    );
  });
}

export const pushChanged1pctFigure: Figure = {
  id: 'push.changed_1pct',
  description: 'a push where 1 % of ~1M rows changed against a bare COPY FROM STDIN of all of them',
  run: pushChanged1pct,
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
