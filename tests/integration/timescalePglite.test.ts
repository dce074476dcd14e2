/**
 * What only a full TimescaleDB has — compressed chunks (whole, partly) and
 * continuous aggregates (over the metrics, over each other, with a time zone
 * and an offset) — on PGlite's TimescaleDB 2.23, with the extension in its own
 * schema: the catalog, the sync estimate, the push plan's figures, refreshing
 * aggregates after a push over ranges that are not aligned to their buckets,
 * and what a role may not do, named beforehand. PGlite cannot take COPY FROM
 * STDIN, so the push itself is emulated by the same DELETE and INSERT.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { readServerCatalog } from '../../src/main/services/postgres/ServerCatalog';
import { applyMigrations } from '../../src/main/services/postgres/Migrations';
import { detectServerMode } from '../../src/main/services/postgres/ServerMode';
import {
  metricAggregates,
  refreshAggregates,
  refreshChecks,
} from '../../src/main/services/postgres/timescale/MetricAggregates';
import { estimateMetricRows } from '../../src/main/services/postgres/timescale/MetricRowEstimate';
import { metricChunks } from '../../src/main/services/postgres/timescale/MetricChunks';
import { MetricPush, deleteKeys, refreshAfterPush, type PushRange } from '../../src/main/services/push/MetricPush';
import { explainPushFailure } from '../../src/main/services/push/pushConnection';
import { planOnTimescale, planPush, type TouchedSeries } from '../../src/main/services/push/PushPlanner';
import { SyncSelection } from '../../src/shared/api/sync';
import { WorkbenchError } from '../../src/shared/errors';
import { createDocumentedRoles, type RoleLogin } from '../support/contractRoles';
import { harness, type Harness } from '../support/metricSyncFixture';
import { startPgliteTimescale, type PgliteTimescale } from '../support/pgliteTimescale';

const SERIES = 8;
/** Three 7-day chunks: [10-01, 10-08) compressed, [10-08, 10-15) partly compressed, [10-15, 10-22) uncompressed. */
const FIRST = '2026-10-01T00:00:00Z';
const LAST = '2026-10-21T23:45:00Z';

const AGGREGATES = [
  `CREATE MATERIALIZED VIEW dash.metrics_daily WITH (timescaledb.continuous) AS
     SELECT tsdb.time_bucket('1 day', time) AS bucket, pipeline_id, metric_name, count(*) AS n, sum(value) AS total
     FROM dash.pipeline_metrics GROUP BY 1, 2, 3 WITH NO DATA`,
  `CREATE MATERIALIZED VIEW dash.metrics_berlin WITH (timescaledb.continuous) AS
     SELECT tsdb.time_bucket('1 day', time, 'Europe/Berlin') AS bucket, pipeline_id, metric_name, count(*) AS n, sum(value) AS total
     FROM dash.pipeline_metrics GROUP BY 1, 2, 3 WITH NO DATA`,
  `CREATE MATERIALIZED VIEW dash.metrics_hourly WITH (timescaledb.continuous) AS
     SELECT tsdb.time_bucket('1 hour', time, "offset" => '15 minutes'::interval) AS bucket, pipeline_id, metric_name,
            count(*) AS n, sum(value) AS total
     FROM dash.pipeline_metrics GROUP BY 1, 2, 3 WITH NO DATA`,
  `CREATE MATERIALIZED VIEW dash.metrics_weekly WITH (timescaledb.continuous) AS
     SELECT tsdb.time_bucket('7 days', bucket) AS bucket, pipeline_id, metric_name, sum(n)::bigint AS n, sum(total) AS total
     FROM dash.metrics_daily GROUP BY 1, 2, 3 WITH NO DATA`,
];

/** Each aggregate's buckets, recomputed from the raw rows: what it must hold after a refresh. */
const RAW_BUCKETS: Record<string, string> = {
  'dash.metrics_daily': "tsdb.time_bucket('1 day', time)",
  'dash.metrics_berlin': "tsdb.time_bucket('1 day', time, 'Europe/Berlin')",
  'dash.metrics_hourly': "tsdb.time_bucket('1 hour', time, \"offset\" => '15 minutes'::interval)",
  'dash.metrics_weekly': "tsdb.time_bucket('7 days', tsdb.time_bucket('1 day', time))",
};

describe('TimescaleDB with compression and continuous aggregates (PGlite 2.23)', () => {
  let ts: PgliteTimescale;
  let pool: pg.Pool;
  let h: Harness;
  let pusher: RoleLogin;
  let bare: RoleLogin;

  const connect = async () => {
    const client = new pg.Client(ts.config);
    await client.connect();
    return client;
  };
  /** One pooled client; PGlite serves one session, and a SET lasts until reset. */
  async function withClient<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    try {
      return await work(client);
    } finally {
      await client.query('RESET ROLE; RESET timescaledb.max_tuples_decompressed_per_dml_transaction');
      client.release();
    }
  }
  async function count(where: string): Promise<number> {
    const { rows } = await pool.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM dash.pipeline_metrics WHERE ${where}`,
    );
    return Number(rows[0]!.n);
  }
  /** What a DELETE of one pipeline's range really decompresses, measured by the server (rolled back). */
  async function decompressedBy(pipelineId: string, range: PushRange): Promise<number> {
    return withClient(async (client) => {
      await client.query('BEGIN');
      try {
        const { rows } = await client.query<{ 'QUERY PLAN': [{ Plan: Record<string, unknown> }] }>(
          `EXPLAIN (ANALYZE, FORMAT JSON) DELETE FROM dash.pipeline_metrics
           WHERE pipeline_id = $1 AND time >= $2::timestamptz AND time < $3::timestamptz`,
          [pipelineId, range.start, range.end],
        );
        return Number(rows[0]!['QUERY PLAN'][0].Plan['Tuples decompressed'] ?? 0);
      } finally {
        await client.query('ROLLBACK');
      }
    });
  }
  /** The plan's rows to decompress within 25% of what the server decompresses for the same DELETE. */
  async function expectPlannedAsDecompressed(pipelineId: string, range: PushRange): Promise<void> {
    const planned = await withClient(async (client) =>
      planOnTimescale(client, await detectServerMode(client), pipelineId, range),
    );
    const measured = await decompressedBy(pipelineId, range);
    const label = `${range.start} – ${range.end}: ${planned.tuplesToDecompress} planned, ${measured} decompressed`;
    expect(Math.abs(planned.tuplesToDecompress - measured), label).toBeLessThanOrEqual(0.25 * measured);
  }
  /** Buckets where an aggregate differs from its buckets recomputed from the raw rows. */
  async function staleBuckets(name: string): Promise<unknown[]> {
    const { rows } = await pool.query(
      `WITH agg AS (SELECT bucket, pipeline_id, metric_name, n::bigint AS n, total FROM ${name}),
            raw AS (SELECT ${RAW_BUCKETS[name]} AS bucket, pipeline_id, metric_name, count(*)::bigint AS n, sum(value) AS total
                    FROM dash.pipeline_metrics GROUP BY 1, 2, 3)
       SELECT coalesce(a.bucket, r.bucket) AS bucket, coalesce(a.pipeline_id, r.pipeline_id) AS pipeline_id,
              a.total AS aggregate, r.total AS raw
       FROM agg a FULL JOIN raw r USING (bucket, pipeline_id, metric_name)
       WHERE a.n IS DISTINCT FROM r.n OR abs(a.total - r.total) > 1e-6 * greatest(abs(r.total), 1)
       ORDER BY 1 LIMIT 5`,
    );
    return rows;
  }
  /** A push of `pipelineId` over `range`, as MetricPush writes it (values tripled), without COPY. */
  async function emulatePush(pipelineId: string, range: PushRange): Promise<void> {
    await withClient(async (client) => {
      await client.query('BEGIN');
      await client.query(
        `CREATE TEMP TABLE pushed ON COMMIT DROP AS SELECT time, series_id, metric_name, value * 3 AS value
         FROM dash.pipeline_metrics WHERE pipeline_id = $1 AND time >= $2::timestamptz AND time < $3::timestamptz`,
        [pipelineId, range.start, range.end],
      );
      await client.query(
        'DELETE FROM dash.pipeline_metrics WHERE pipeline_id = $1 AND time >= $2::timestamptz AND time < $3::timestamptz',
        [pipelineId, range.start, range.end],
      );
      await client.query(
        `INSERT INTO dash.pipeline_metrics (time, pipeline_id, series_id, metric_name, value)
         SELECT time, $1, series_id, metric_name, value FROM pushed`,
        [pipelineId],
      );
      await client.query('COMMIT');
    });
  }

  beforeAll(async () => {
    ts = await startPgliteTimescale({ extensionSchema: 'tsdb' });
    pool = ts.pool();
    await withClient(async (client) => {
      await applyMigrations(client);
      await client.query(
        `INSERT INTO dash.pipelines (id, name, version, definition, updated_by)
         SELECT id, id, 1, '{"source": "", "filter": null, "metrics": []}', 'seed' FROM unnest(ARRAY['alpha', 'beta']) id`,
      );
      await client.query(
        `INSERT INTO dash.pipeline_metrics (time, pipeline_id, series_id, metric_name, value)
         SELECT t, p, 'dev-' || s, m, round((sin(extract(epoch FROM t) / 7200 + s) * 100)::numeric, 3)::float8
         FROM generate_series($1::timestamptz, $2::timestamptz, interval '15 minutes') t,
              unnest(ARRAY['alpha', 'beta']) p, generate_series(1, ${SERIES}) s, unnest(ARRAY['power', 'energy']) m`,
        [FIRST, LAST],
      );
      await client.query(`ALTER TABLE dash.pipeline_metrics SET (timescaledb.compress,
        timescaledb.compress_segmentby = 'pipeline_id, metric_name, series_id', timescaledb.compress_orderby = 'time')`);
      await client.query(
        `SELECT tsdb.compress_chunk(c) FROM tsdb.show_chunks('dash.pipeline_metrics', older_than => '2026-10-15'::timestamptz) c`,
      );
      // Late rows into the compressed second chunk: it becomes partly compressed.
      await client.query(
        `INSERT INTO dash.pipeline_metrics (time, pipeline_id, series_id, metric_name, value)
         SELECT t, 'alpha', 'late-' || s, 'power', 1 FROM generate_series('2026-10-09'::timestamptz, '2026-10-10 23:45', '15 minutes') t,
                generate_series(1, 3) s`,
      );
      await client.query('ANALYZE dash.pipeline_metrics');
      for (const sql of AGGREGATES) await client.query(sql);
      for (const name of Object.keys(RAW_BUCKETS)) {
        await client.query(`CALL tsdb.refresh_continuous_aggregate('${name}', NULL, NULL)`);
      }
      ({ pusher } = await createDocumentedRoles(client, 'tsdb'));
      ({ reader: bare } = await createDocumentedRoles(client, null));
    });
    h = await harness(() => pool);
  });
  afterAll(async () => {
    await h?.close();
    await ts?.stop();
  });

  it('lists compressed, partly compressed and uncompressed chunks, and the aggregates', async () => {
    const catalog = await readServerCatalog(pool);
    expect(catalog).toMatchObject({ mode: 'timescaledb', timescaleSchema: 'tsdb', notice: null });
    const hyper = catalog.hypertables.find((t) => t.name === 'pipeline_metrics')!;
    expect(hyper.compressionEnabled).toBe(true);
    expect([...hyper.chunks].reverse().map((c) => [c.rangeStart?.slice(0, 10), c.compression])).toEqual([
      ['2026-10-01', 'compressed'],
      ['2026-10-08', 'partial'],
      ['2026-10-15', 'none'],
    ]);
    const compressed = hyper.chunks.find((c) => c.compression === 'compressed')!;
    expect(compressed.compressedBytes).toBeGreaterThan(0);
    expect(compressed.uncompressedBytes).toBeGreaterThan(compressed.compressedBytes!);
    expect(catalog.continuousAggregates.map((c) => c.name).sort()).toEqual([
      'metrics_berlin',
      'metrics_daily',
      'metrics_hourly',
      'metrics_weekly',
    ]);
  });

  it('estimates within 25% of the true count over compressed, partly compressed and uncompressed chunks', async () => {
    const cases: [unknown, string][] = [
      [{ pipelines: ['alpha', 'beta'] }, 'true'],
      [{ pipelines: ['alpha'] }, "pipeline_id = 'alpha'"],
      [{ pipelines: ['beta'], metricNames: ['energy'] }, "pipeline_id = 'beta' AND metric_name = 'energy'"],
      [
        { pipelines: ['alpha'], seriesIds: ['dev-1', 'dev-2'], from: '2026-10-03', to: '2026-10-05' },
        "pipeline_id = 'alpha' AND series_id IN ('dev-1', 'dev-2') AND time >= '2026-10-03Z' AND time < '2026-10-05Z'",
      ],
      [
        { pipelines: ['alpha'], from: '2026-10-06', to: '2026-10-11' },
        "pipeline_id = 'alpha' AND time >= '2026-10-06Z' AND time < '2026-10-11Z'",
      ],
      [
        { pipelines: ['beta'], metricNames: ['power'], from: '2026-10-16', to: '2026-10-18' },
        "pipeline_id = 'beta' AND metric_name = 'power' AND time >= '2026-10-16Z' AND time < '2026-10-18Z'",
      ],
    ];
    for (const [selection, where] of cases) {
      const truth = await count(where);
      const estimate = await h.sync.estimate(SyncSelection.parse(selection));
      const label = `${JSON.stringify(selection)}: ${estimate.rows} estimated, ${truth} true`;
      expect(estimate.method, label).toBe('timescaledb-chunks');
      expect(Math.abs(estimate.rows - truth) / truth, label).toBeLessThan(0.25);
    }
    const all = await h.sync.estimate(SyncSelection.parse({ pipelines: ['alpha', 'beta'] }));
    expect(all.note).toMatch(/3 chunks in the range \(1 compressed, 1 partly compressed, 1 uncompressed\)/);
  });

  it('estimates as a role that may not use the extension schema', async () => {
    const truth = await count("pipeline_id = 'alpha'");
    const estimate = await withClient(async (client) => {
      await client.query(`SET ROLE ${client.escapeIdentifier(bare.user)}`);
      const filter = { pipelineIds: ['alpha'], metricNames: null, seriesIds: null };
      return estimateMetricRows(client, { filter, plannerParts: [filter] }, { start: null, end: null });
    });
    expect(Math.abs(estimate.rows - truth) / truth).toBeLessThan(0.25);
  });

  it("plans the rows a push decompresses: only this pipeline's batches across the range's edges", async () => {
    const ranges: PushRange[] = [
      { start: '2026-10-06T03:00:00.000Z', end: '2026-10-09T09:00:00.000Z' },
      { start: '2026-10-01T00:00:00.000Z', end: '2026-10-08T00:00:00.000Z' },
      { start: '2026-10-03T00:00:00.000Z', end: '2026-10-04T00:00:00.000Z' },
    ];
    for (const range of ranges) await expectPlannedAsDecompressed('alpha', range);
    // With continuous aggregates their invalidation trigger must see every deleted row, so even batches wholly
    // inside the range are decompressed; without it (2.21+) they are deleted as they are. The plan knows both.
    expect(await decompressedBy('alpha', ranges[1]!)).toBeGreaterThan(0);
  });

  it('plans and decompresses only the batches holding a key a push touches, not the rest of the range', async () => {
    const range = { start: '2026-10-02T00:00:00.000Z', end: '2026-10-13T00:00:00.000Z' };
    // 1 % of the range's keys: a few hours of two series, in the compressed and the partly compressed chunk.
    const touched: TouchedSeries[] = [
      { metricName: 'power', seriesId: 'dev-2', first: '2026-10-03T01:00:00.000Z', last: '2026-10-03T04:00:00.000Z' },
      { metricName: 'energy', seriesId: 'dev-5', first: '2026-10-10T10:00:00.000Z', last: '2026-10-10T12:00:00.000Z' },
    ];
    const planned = await withClient(async (client) =>
      planOnTimescale(client, await detectServerMode(client), 'alpha', range, touched),
    );
    // What MetricPush runs on TimescaleDB: the staged keys deleted series by series. A decompressed batch
    // leaves the compressed chunk's batch table, so the batch rows gone from it are the rows decompressed.
    const compressedRows = async (client: pg.ClientBase) => {
      const chunks = await metricChunks(client, range);
      const batches = chunks.filter((c) => c.batches !== null);
      const { rows } = await client.query<{ n: number }>(
        `SELECT (${batches.map((c) => `(SELECT coalesce(sum(_ts_meta_count), 0) FROM ${c.batches!.table})`).join(' + ')})::float8 AS n`,
      );
      return Number(rows[0]!.n);
    };
    const { measured, deleted } = await withClient(async (client) => {
      await client.query('BEGIN');
      try {
        await client.query(
          `CREATE TEMP TABLE push_keys ON COMMIT DROP AS
           SELECT time, series_id, metric_name, 'changed' AS kind FROM dash.pipeline_metrics
           WHERE pipeline_id = 'alpha' AND ((metric_name = $1 AND series_id = $2 AND time BETWEEN $3 AND $4)
                                            OR (metric_name = $5 AND series_id = $6 AND time BETWEEN $7 AND $8))`,
          touched.flatMap((t) => [t.metricName, t.seriesId, t.first, t.last]),
        );
        const before = await compressedRows(client);
        const deleted = await deleteKeys(client, 'alpha', range, ['changed'], true);
        return { measured: before - (await compressedRows(client)), deleted };
      } finally {
        await client.query('ROLLBACK');
      }
    });
    expect(deleted.rows).toBe(13 + 9);
    const wholeRange = await decompressedBy('alpha', range);
    const label = `${planned.tuplesToDecompress} planned, ${measured} decompressed, ${wholeRange} for the whole range`;
    expect(measured, label).toBeLessThan(wholeRange / 10);
    expect(planned.tuplesToDecompress, label).toBeGreaterThanOrEqual(measured);
    expect(planned.tuplesToDecompress, label).toBeLessThan(wholeRange / 10);
  });

  it('plans a push completely, read-only: chunks, decompression against the limit, aggregates with their windows', async () => {
    const range = { start: '2026-10-06T03:00:00.000Z', end: '2026-10-09T09:00:00.000Z' };
    const plan = await planPush(connect, {
      pipelineId: 'alpha',
      definition: null,
      range,
      delta: {
        perDay: [
          { day: '2026-10-06', metricName: 'power', values: { added: 0, removed: 0, changed: 10, unchanged: 0 } },
        ],
        touched: [{ metricName: 'power', seriesId: 'dev-1', first: range.start, last: '2026-10-09T08:45:00.000Z' }],
        outsideRange: 0,
      },
    });
    expect(plan.mode).toBe('timescaledb');
    expect(plan.chunks.map((c) => [c.rangeStart.slice(0, 10), c.compression])).toEqual([
      ['2026-10-01', 'compressed'],
      ['2026-10-08', 'partial'],
    ]);
    expect(plan.chunks.every((c) => c.approximateRows > 0)).toBe(true);
    expect(plan.tuplesToDecompress).toBeGreaterThan(0);
    expect(plan.maxTuplesDecompressed).toBe(100_000);
    expect(plan.continuousAggregates.map((a) => [a.name, a.bucket, a.window, a.canRefresh])).toEqual([
      [
        'dash.metrics_berlin',
        '1 day (in Europe/Berlin)',
        { start: '2026-10-05T22:00:00.000Z', end: '2026-10-09T22:00:00.000Z' },
        true,
      ],
      ['dash.metrics_daily', '1 day', { start: '2026-10-06T00:00:00.000Z', end: '2026-10-10T00:00:00.000Z' }, true],
      [
        'dash.metrics_hourly',
        '01:00:00 (offset 00:15:00)',
        { start: '2026-10-06T02:15:00.000Z', end: '2026-10-09T09:15:00.000Z' },
        true,
      ],
      // Over metrics_daily, refreshed after it; 7-day buckets start on Mondays (time_bucket's origin 2000-01-03).
      ['dash.metrics_weekly', '7 days', { start: '2026-10-05T00:00:00.000Z', end: '2026-10-12T00:00:00.000Z' }, true],
    ]);

    // Over the server's limit (for the role planning): said before the push, with what to do.
    const limited = await withClient(async (client) => {
      await client.query('SET timescaledb.max_tuples_decompressed_per_dml_transaction = 100');
      return planOnTimescale(client, await detectServerMode(client), 'alpha', range);
    });
    expect(limited.maxTuplesDecompressed).toBe(100);
    expect(limited.warnings.join(' ')).toMatch(/over the server's limit of 100 per transaction/);
  });

  it('refreshes every aggregate exactly after pushes over ranges shorter than and unaligned to their buckets', async () => {
    const ranges: PushRange[] = [
      // Shorter than one bucket of three of the aggregates: TimescaleDB refuses such a window as it is.
      { start: '2026-10-06T03:00:00.000Z', end: '2026-10-06T09:00:00.000Z' },
      // Across compressed and partly compressed chunks, every edge unaligned.
      { start: '2026-10-07T05:10:00.000Z', end: '2026-10-09T17:20:00.000Z' },
    ];
    for (const range of ranges) {
      await emulatePush('alpha', range);
      for (const name of Object.keys(RAW_BUCKETS)) expect((await staleBuckets(name)).length).toBeGreaterThan(0);
      const refreshed = await refreshAfterPush(connect, range);
      expect(refreshed.map((r) => [r.name, r.refreshed, r.error])).toEqual([
        ['dash.metrics_berlin', true, null],
        ['dash.metrics_daily', true, null],
        ['dash.metrics_hourly', true, null],
        ['dash.metrics_weekly', true, null],
      ]);
      for (const name of Object.keys(RAW_BUCKETS)) expect(await staleBuckets(name), name).toEqual([]);
    }
  });

  it("refreshes an earlier push's aggregates again ('Refresh again'), from its audit row", async () => {
    const range = { start: '2026-10-16T10:30:00.000Z', end: '2026-10-16T13:00:00.000Z' };
    const pushId = randomUUID();
    await pool.query(
      `INSERT INTO dash.metric_pushes (push_id, pushed_by, pipeline_id, base_version, pipeline_version, range_start, range_end, checksum)
       VALUES ($1, 'tester', 'alpha', 1, 1, $2, $3, 'sha256:test')`,
      [pushId, range.start, range.end],
    );
    await emulatePush('alpha', range);
    expect((await staleBuckets('dash.metrics_daily')).length).toBeGreaterThan(0);
    const again = await new MetricPush(connect).refreshAggregatesOf(pushId);
    expect(again.every((r) => r.refreshed)).toBe(true);
    for (const name of Object.keys(RAW_BUCKETS)) expect(await staleBuckets(name), name).toEqual([]);
  });

  it('names, before the push, the aggregates a role may not refresh, and after it reports them without failing', async () => {
    const range = { start: '2026-10-12T01:00:00.000Z', end: '2026-10-12T02:00:00.000Z' };
    const asPusher = await withClient(async (client) => {
      await client.query(`SET ROLE ${client.escapeIdentifier(pusher.user)}`);
      const info = await detectServerMode(client);
      const plan = await planOnTimescale(client, info, 'alpha', range);
      const refreshed = await refreshAggregates(client, info.timescale!, await metricAggregates(client), range);
      return { plan, refreshed };
    });
    expect(asPusher.plan.continuousAggregates.every((a) => !a.canRefresh)).toBe(true);
    expect(asPusher.plan.continuousAggregates[0]!.reason).toContain(`GRANT postgres TO ${pusher.user};`);
    expect(asPusher.plan.warnings.join(' ')).toMatch(/4 continuous aggregates cannot be refreshed/);
    expect(asPusher.refreshed.every((r) => !r.refreshed && /must be owner/.test(r.error ?? ''))).toBe(true);

    const asBare = await withClient(async (client) => {
      await client.query(`SET ROLE ${client.escapeIdentifier(bare.user)}`);
      const info = await detectServerMode(client);
      return refreshChecks(client, info.timescale!, await metricAggregates(client));
    });
    expect(asBare[0]!.reason).toContain(`GRANT USAGE ON SCHEMA tsdb TO ${bare.user};`);
  });

  it('says how many rows the server refused to decompress, under which limit, and what to do', async () => {
    const err = await withClient(async (client) => {
      await client.query('SET timescaledb.max_tuples_decompressed_per_dml_transaction = 100');
      await client.query('BEGIN');
      try {
        await client.query(
          "DELETE FROM dash.pipeline_metrics WHERE pipeline_id = 'beta' AND time >= '2026-10-03 06:00Z' AND time < '2026-10-04Z'",
        );
        return null;
      } catch (e) {
        return e;
      } finally {
        await client.query('ROLLBACK');
      }
    });
    const explained = explainPushFailure(err, 'pusher');
    expect(explained).toBeInstanceOf(WorkbenchError);
    expect((explained as WorkbenchError).message).toMatch(/current limit: 100, tuples decompressed: \d+/);
    expect((explained as WorkbenchError).message).toContain('Nothing was written');
    expect((explained as WorkbenchError).hint).toMatch(/shorter range.*max_tuples_decompressed_per_dml_transaction/);
  });

  it('estimates filters the batches are not segmented by from the uncompressed chunks', async () => {
    await withClient(async (client) => {
      await client.query(
        `SELECT tsdb.decompress_chunk(c) FROM tsdb.show_chunks('dash.pipeline_metrics', older_than => '2026-10-15'::timestamptz) c`,
      );
      await client.query(`ALTER TABLE dash.pipeline_metrics SET (timescaledb.compress_segmentby = 'pipeline_id')`);
      await client.query(
        `SELECT tsdb.compress_chunk(c) FROM tsdb.show_chunks('dash.pipeline_metrics', older_than => '2026-10-15'::timestamptz) c`,
      );
      await client.query('ANALYZE dash.pipeline_metrics');
    });
    const truth = await count("pipeline_id = 'beta' AND metric_name = 'energy'");
    const estimate = await h.sync.estimate(SyncSelection.parse({ pipelines: ['beta'], metricNames: ['energy'] }));
    expect(estimate.note).toMatch(/not segmented by metric_name/);
    expect(Math.abs(estimate.rows - truth) / truth, `${estimate.rows} vs ${truth}`).toBeLessThan(0.25);
  });

  it('plans no decompression for batches a DELETE removes whole, once no row trigger needs their rows', async () => {
    await pool.query('DROP MATERIALIZED VIEW dash.metrics_weekly');
    for (const name of ['metrics_daily', 'metrics_berlin', 'metrics_hourly']) {
      await pool.query(`DROP MATERIALIZED VIEW dash.${name}`);
    }
    const ranges: PushRange[] = [
      { start: '2026-10-01T00:00:00.000Z', end: '2026-10-08T00:00:00.000Z' },
      { start: '2026-10-01T00:00:00.000Z', end: '2026-10-09T12:00:00.000Z' },
      { start: '2026-10-03T00:00:00.000Z', end: '2026-10-04T00:00:00.000Z' },
    ];
    for (const range of ranges) await expectPlannedAsDecompressed('alpha', range);
    expect(await decompressedBy('alpha', ranges[0]!)).toBe(0);
  });
});
