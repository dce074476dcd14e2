/**
 * query.live: a live query (read-only transaction, cursor FETCH, Arrow IPC
 * chunks ready for the grid) over ~0.5M metric rows, against the server's own
 * limit: a bare COPY (FORMAT binary) of the same rows drained to nothing, from
 * the same embedded PostgreSQL, in the same run.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { EmbeddedServer } from '../../src/main/services/postgres/EmbeddedServer';
import { LiveQueries } from '../../src/main/services/postgres/LiveQuery';
import { applyMigrations } from '../../src/main/services/postgres/Migrations';
import { timeFigure, type BenchContext, type Figure } from '../harness';

const DAYS = 10;
const SERIES = 120;
const METRICS = ['power', 'energy', 'voltage'];
const PER_DAY = 144; // one point every 10 minutes
const ROWS = DAYS * SERIES * METRICS.length * PER_DAY;
const REPEAT = 3;
const SELECT = `SELECT time, pipeline_id, series_id, metric_name, value FROM dash.pipeline_metrics WHERE pipeline_id = 'live_bench'`;

async function ensureRows(client: pg.ClientBase, log: (line: string) => void): Promise<void> {
  await applyMigrations(client);
  const { rows } = await client.query<{ n: string }>(
    "SELECT count(*)::text AS n FROM dash.pipeline_metrics WHERE pipeline_id = 'live_bench'",
  );
  if (Number(rows[0]?.n) === ROWS) return;
  log(`  generating ${ROWS.toLocaleString('en-US')} rows`);
  await client.query("DELETE FROM dash.pipeline_metrics WHERE pipeline_id = 'live_bench'");
  await client.query(
    `INSERT INTO dash.pipeline_metrics (time, pipeline_id, series_id, metric_name, value)
     SELECT t, 'live_bench', 'device-' || lpad(s::text, 4, '0'), m, sin(extract(epoch FROM t) / 3600 + s) * 100 + random()
     FROM generate_series(TIMESTAMPTZ '2026-01-01 00:00+00', TIMESTAMPTZ '2026-01-01 00:00+00' + INTERVAL '${DAYS} days' - INTERVAL '10 minutes', INTERVAL '10 minutes') AS t,
          generate_series(1, ${SERIES}) AS s, unnest($1::text[]) AS m
     ORDER BY t`,
    [METRICS],
  );
  await client.query('VACUUM ANALYZE dash.pipeline_metrics');
}

async function bareCopy(pool: pg.Pool): Promise<number> {
  const client = await pool.connect();
  try {
    const copy = client.query(copyTo(`COPY (${SELECT}) TO STDOUT (FORMAT binary)`));
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

export const queryLive: Figure = {
  id: 'query.live',
  description: `A live query of ${(ROWS / 1e6).toFixed(2)}M metric rows into Arrow chunks vs a bare COPY (FORMAT binary) of the same rows drained to nothing (embedded PostgreSQL)`,
  async run(ctx: BenchContext) {
    await mkdir(ctx.cacheDir, { recursive: true });
    const server = await EmbeddedServer.start({ dataDir: join(ctx.cacheDir, 'live-query-pg') });
    const pool = new pg.Pool({ ...server.connectionConfig(), max: 4 });
    pool.on('error', () => undefined);
    try {
      const client = await pool.connect();
      try {
        await ensureRows(client, ctx.log);
      } finally {
        client.release();
      }
      const live = new LiveQueries({ pool: () => pool, statementTimeoutMs: () => 600_000 });
      const ours: number[] = [];
      const baseline: number[] = [];
      // Alternating runs, so a busy moment weighs on both sides alike; run 0 warms up.
      for (let run = 0; run <= REPEAT; run++) {
        let started = performance.now();
        const copied = await bareCopy(pool);
        const rawMs = performance.now() - started;
        if (copied !== ROWS) throw new Error(`bare COPY returned ${copied} of ${ROWS} rows`);
        started = performance.now();
        const meta = await live.run(`bench-${run}`, SELECT);
        const oursMs = performance.now() - started;
        live.releaseResult(meta.resultId);
        if (meta.rowCount !== ROWS) throw new Error(`the live query returned ${meta.rowCount} of ${ROWS} rows`);
        if (run === 0) continue;
        ours.push(oursMs);
        baseline.push(rawMs);
      }
      return timeFigure(
        'query.live',
        median(ours),
        'bare COPY binary',
        median(baseline),
        `${ROWS.toLocaleString('en-US')} rows; text FETCH through a cursor, parsed and encoded as Arrow IPC`,
      );
    } finally {
      await pool.end();
      await server.stop();
    }
  },
};
