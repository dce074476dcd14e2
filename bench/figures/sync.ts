/**
 * sync.metrics: a full metric sync (COPY per pipeline-day into temporary CSV,
 * converted to Parquet by the warehouse, renamed into place) against the
 * server's own limit: a bare COPY (FORMAT binary) of the same rows drained to
 * nothing, from the same embedded PostgreSQL, in the same run.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { JobRunner } from '../../src/main/services/jobs/JobRunner';
import { EmbeddedServer } from '../../src/main/services/postgres/EmbeddedServer';
import { applyMigrations } from '../../src/main/services/postgres/Migrations';
import { MetricSync } from '../../src/main/services/sync/MetricSync';
import { Warehouse } from '../../src/main/services/warehouse/Warehouse';
import { SyncSelection } from '../../src/shared/api/sync';
import { round, type BenchContext, type Figure } from '../harness';

const PIPELINES = ['bench_a', 'bench_b'];
const DAYS = 30;
const SERIES = 120;
const METRICS = ['power', 'energy', 'voltage'];
const PER_DAY = 144; // one point every 10 minutes
const ROWS = PIPELINES.length * DAYS * SERIES * METRICS.length * PER_DAY;
const REPEAT = 3;

/** The server's data persists under the bench cache, so it is generated on the first run only. */
async function ensureRows(client: pg.ClientBase, log: (line: string) => void): Promise<void> {
  await applyMigrations(client);
  const { rows } = await client.query<{ n: string }>('SELECT count(*)::text AS n FROM dash.pipeline_metrics');
  if (Number(rows[0]?.n) === ROWS) return;
  log(`  generating ${ROWS.toLocaleString('en-US')} rows`);
  await client.query('TRUNCATE dash.pipeline_metrics');
  // In time order, as a live server receives them.
  await client.query(
    `INSERT INTO dash.pipeline_metrics (time, pipeline_id, series_id, metric_name, value)
     SELECT t, p, 'device-' || lpad(s::text, 4, '0'), m, sin(extract(epoch FROM t) / 3600 + s) * 100 + random()
     FROM generate_series(TIMESTAMPTZ '2026-01-01 00:00+00', TIMESTAMPTZ '2026-01-01 00:00+00' + INTERVAL '${DAYS} days' - INTERVAL '10 minutes', INTERVAL '10 minutes') AS t,
          unnest($1::text[]) AS p, generate_series(1, ${SERIES}) AS s, unnest($2::text[]) AS m
     ORDER BY t`,
    [PIPELINES, METRICS],
  );
  await client.query('VACUUM ANALYZE dash.pipeline_metrics');
}

/** The physical limit: the same rows as COPY binary, read and dropped. */
async function bareCopy(pool: pg.Pool): Promise<number> {
  const client = await pool.connect();
  try {
    const list = PIPELINES.map((p) => client.escapeLiteral(p)).join(', ');
    const copy = client.query(
      copyTo(
        `COPY (SELECT time, pipeline_id, series_id, metric_name, value FROM dash.pipeline_metrics WHERE pipeline_id IN (${list})) TO STDOUT (FORMAT binary)`,
      ),
    );
    await pipeline(
      copy,
      new Writable({
        write(_chunk, _encoding, done) {
          done();
        },
      }),
    );
    return copy.rowCount;
  } finally {
    client.release();
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export const syncMetrics: Figure = {
  id: 'sync.metrics',
  description: `MetricSync of ${PIPELINES.length} pipelines × ${DAYS} days (${(ROWS / 1e6).toFixed(1)}M rows) into Parquet vs a bare COPY (FORMAT binary) of the same rows drained to nothing (embedded PostgreSQL)`,
  async run(ctx: BenchContext) {
    const dataDir = join(ctx.cacheDir, 'sync-metrics-pg');
    await mkdir(ctx.cacheDir, { recursive: true });
    const server = await EmbeddedServer.start({ dataDir });
    const pool = new pg.Pool({ ...server.connectionConfig(), max: 4 });
    pool.on('error', () => undefined);
    const warehouse = await Warehouse.open();
    const scratch = await mkdtemp(join(ctx.cacheDir, 'sync-metrics-'));
    try {
      const client = await pool.connect();
      try {
        await ensureRows(client, ctx.log);
      } finally {
        client.release();
      }
      const jobs = new JobRunner();
      const selection = SyncSelection.parse({ pipelines: PIPELINES });
      const syncOnce = async (run: number): Promise<number> => {
        const cacheDir = join(scratch, `run-${run}`);
        const sync = new MetricSync({
          pool: () => pool,
          warehouse: () => warehouse,
          cacheDir: () => cacheDir,
          jobs,
          remountViews: async () => undefined,
        });
        const started = performance.now();
        const report = await sync.start(selection).done;
        const ms = performance.now() - started;
        if (report.rowsFetched !== ROWS) throw new Error(`synced ${report.rowsFetched} of ${ROWS} rows`);
        await rm(cacheDir, { recursive: true, force: true });
        return ms;
      };
      const ours: number[] = [];
      const baseline: number[] = [];
      // Alternating runs, so a busy moment of the machine weighs on both sides alike; run 0 warms up.
      for (let run = 0; run <= REPEAT; run++) {
        const started = performance.now();
        const copied = await bareCopy(pool);
        const rawMs = performance.now() - started;
        if (copied !== ROWS) throw new Error(`bare COPY returned ${copied} of ${ROWS} rows`);
        const oursMs = await syncOnce(run);
        if (run === 0) continue;
        baseline.push(rawMs);
        ours.push(oursMs);
        ctx.log(`  run ${run}: sync ${round(oursMs)} ms, bare COPY binary ${round(rawMs)} ms`);
      }
      const rowsPerSecond = (ms: number) => ROWS / (ms / 1000);
      const oursMs = median(ours);
      const baselineMs = median(baseline);
      return {
        id: this.id,
        ours: { value: round(rowsPerSecond(oursMs)), unit: 'rows/s' },
        baseline: {
          name: 'bare COPY (FORMAT binary) to nothing',
          value: round(rowsPerSecond(baselineMs)),
          unit: 'rows/s',
        },
        speed_ratio: round(baselineMs / oursMs, 3),
        notes: `${ROWS.toLocaleString('en-US')} rows in ${PIPELINES.length * DAYS} pipeline-days; ours includes the per-day summary query, CSV to disk, Parquet (zstd) and the state file`,
      };
    } finally {
      await warehouse.close();
      await pool.end();
      await server.stop();
      await rm(scratch, { recursive: true, force: true });
    }
  },
};
