/**
 * query.live: a live query (read-only transaction, cursor FETCH, Arrow IPC
 * chunks ready for the grid) over ~0.5M metric rows, against the server's own
 * limit: a bare COPY (FORMAT binary) of the same rows drained to nothing, from
 * the same embedded PostgreSQL, in the same run.
 */
import { LiveQueries } from '../../src/main/services/postgres/LiveQuery';
import { bareCopyBinaryMs, serverMetricRows, withMetricServer, type ServerMetrics } from '../fixtures';
import { alternatingRuns, median, timeFigure, type BenchContext, type Figure } from '../harness';

const SERVER_METRICS: ServerMetrics = {
  pipelines: ['live_bench'],
  days: 10,
  series: 120,
  metrics: ['power', 'energy', 'voltage'],
};
const ROWS = serverMetricRows(SERVER_METRICS);
const REPEAT = 3;
const SELECT = `SELECT time, pipeline_id, series_id, metric_name, value FROM dash.pipeline_metrics WHERE pipeline_id = 'live_bench'`;

export const queryLive: Figure = {
  id: 'query.live',
  description: `A live query of ${(ROWS / 1e6).toFixed(2)}M metric rows into Arrow chunks vs a bare COPY (FORMAT binary) of the same rows drained to nothing (embedded PostgreSQL)`,
  run: (ctx: BenchContext) =>
    withMetricServer(ctx, 'live-query-pg', SERVER_METRICS, async (pool) => {
      const live = new LiveQueries({ pool: () => pool, statementTimeoutMs: () => 600_000 });
      const { ours, baseline } = await alternatingRuns(REPEAT, {
        baseline: () => bareCopyBinaryMs(pool, SELECT, ROWS),
        ours: async (run) => {
          const started = performance.now();
          const meta = await live.run(`bench-${run}`, SELECT);
          const ms = performance.now() - started;
          live.releaseResult(meta.resultId);
          if (meta.rowCount !== ROWS) throw new Error(`the live query returned ${meta.rowCount} of ${ROWS} rows`);
          return ms;
        },
      });
      return timeFigure(
        'query.live',
        median(ours),
        'bare COPY binary',
        median(baseline),
        `${ROWS.toLocaleString('en-US')} rows; text FETCH through a cursor, parsed and encoded as Arrow IPC`,
      );
    }),
};
