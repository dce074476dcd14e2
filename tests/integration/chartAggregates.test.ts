/**
 * Cagg-backed chart views equal raw views on PGlite's TimescaleDB 2.23: the
 * whole buckets below a continuous aggregate's watermark read from the
 * aggregate (aggregateM4Sql), the window's ragged edges and the newest, not yet
 * materialised stretch read from raw rows (serverM4Sql), merged column by
 * column (mergeM4Columns) — and that equals serverM4Sql over the raw rows of
 * the whole window on the same grid, every field. The data has spikes, a gap,
 * NULL values (a whole hour of them in one series) and no ties, so every
 * extreme's time is unique. An aggregate without the corners' times gives the
 * same counts and values, with times inside the right bucket. Aggregates that
 * cannot serve (a WHERE clause) and roles that cannot use them are refused,
 * with the reason. Debian's TimescaleDB 2.19 (Apache edition, no aggregates)
 * lists none, without error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { aggregateM4Sql, aggregateSplit, pickChartAggregate } from '../../src/shared/charts/chartAggregate';
import { chartGrid, m4Columns, mergeM4Columns, type ChartGrid, type M4Column } from '../../src/shared/charts/m4Columns';
import { serverM4Sql, type MetricSelection, type UsRange } from '../../src/shared/charts/serverChartSql';
import type { ServerKind } from '../../src/shared/serverSql';
import { chartAggregates, type ChartAggregateSource } from '../../src/main/services/charts/ChartAggregates';
import { applyMigrations } from '../../src/main/services/postgres/Migrations';
import { detectServerMode, type TimescaleExtension } from '../../src/main/services/postgres/ServerMode';
import { createDocumentedRoles, type RoleLogin } from '../support/contractRoles';
import { startPgliteTimescale, type PgliteTimescale } from '../support/pgliteTimescale';
import { createTimescaleDatabase, describeTimescale } from '../support/timescale';

const MINUTE_US = 60_000_000;
const HOUR_US = 60 * MINUTE_US;
const us = (iso: string) => Date.parse(iso) * 1000;
const SERVER: ServerKind = { mode: 'timescaledb', timescaleSchema: 'tsdb' };
const PIPELINE = "o'brien meters";

/** Every M4 corner over the rows with a value (what a chart draws), materialised only. */
const HOURLY = (name: string, where: string) =>
  `CREATE MATERIALIZED VIEW dash.${name} WITH (timescaledb.continuous) AS
     SELECT tsdb.time_bucket('1 hour', time) AS bucket, pipeline_id, series_id, metric_name, count(value) AS n,
            min(time) AS t0, tsdb.first(value, time) AS v0, max(time) AS t1, tsdb.last(value, time) AS v1,
            tsdb.first(time, value) AS tmin, min(value) AS vmin, tsdb.last(time, value) AS tmax, max(value) AS vmax
     FROM dash.pipeline_metrics ${where} GROUP BY 1, 2, 3, 4 WITH NO DATA`;

const AGGREGATES = [
  HOURLY('metrics_hourly', 'WHERE value IS NOT NULL'),
  // The same over every row: a bucket whose first row has a NULL value has a NULL first(value, time).
  HOURLY('metrics_hourly_all', ''),
  // The required columns only, other names, buckets from :05 past, real-time.
  `CREATE MATERIALIZED VIEW dash.metrics_quarter WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
     SELECT tsdb.time_bucket('15 minutes', time, origin => '2026-01-01 00:05:00+00') AS "Quarter", pipeline_id AS p,
            metric_name AS m, series_id AS s, max(value) AS hi, min(value) AS lo, count(value) AS points,
            tsdb.last(value, time) AS closing, tsdb.first(value, time) AS opening, sum(value) AS total
     FROM dash.pipeline_metrics WHERE (pipeline_metrics.value IS NOT NULL) GROUP BY 1, 2, 3, 4 WITH NO DATA`,
  // Hours from a quarter past.
  `CREATE MATERIALIZED VIEW dash.metrics_offset WITH (timescaledb.continuous) AS
     SELECT tsdb.time_bucket('1 hour', time, "offset" => '15 minutes'::interval) AS bucket, pipeline_id, series_id,
            metric_name, count(value) AS n, min(time) AS t0, tsdb.first(value, time) AS v0, max(time) AS t1,
            tsdb.last(value, time) AS v1, tsdb.first(time, value) AS tmin, min(value) AS vmin,
            tsdb.last(time, value) AS tmax, max(value) AS vmax
     FROM dash.pipeline_metrics WHERE value IS NOT NULL GROUP BY 1, 2, 3, 4 WITH NO DATA`,
  // Not every point: refused.
  `CREATE MATERIALIZED VIEW dash.metrics_positive WITH (timescaledb.continuous) AS
     SELECT tsdb.time_bucket('1 hour', time) AS bucket, pipeline_id, series_id, metric_name, count(value) AS n,
            tsdb.first(value, time) AS v0, tsdb.last(value, time) AS v1, min(value) AS vmin, max(value) AS vmax
     FROM dash.pipeline_metrics WHERE value > 0 GROUP BY 1, 2, 3, 4 WITH NO DATA`,
];

describe('continuous aggregates behind server charts (PGlite TimescaleDB 2.23)', () => {
  let ts: PgliteTimescale;
  let pool: pg.Pool;
  let ext: TimescaleExtension;
  let bare: RoleLogin;

  async function m4(sql: string): Promise<M4Column[]> {
    return m4Columns((await pool.query(sql)).rows);
  }

  async function views(
    agg: ChartAggregateSource,
    selection: MetricSelection,
    window: UsRange,
    width: number,
  ): Promise<{ grid: ChartGrid; fromAggregate: M4Column[]; merged: M4Column[]; raw: M4Column[] }> {
    const grid = chartGrid(window, width, { alignUs: agg.bucketUs, alignOriginUs: agg.originUs });
    if (!grid) throw new Error(`${agg.label}'s buckets are wider than a pixel`);
    const parts = aggregateSplit(agg, window);
    expect(parts.aggregate, 'the window reads some of the aggregate').not.toBeNull();
    const fromAggregate = await m4(aggregateM4Sql(SERVER, agg, selection, [parts.aggregate!], grid));
    const edges = parts.raw.length ? await m4(serverM4Sql(SERVER, selection, parts.raw, grid)) : [];
    const raw = await m4(serverM4Sql(SERVER, selection, [window], grid));
    return { grid, fromAggregate, merged: mergeM4Columns([fromAggregate, edges]), raw };
  }

  beforeAll(async () => {
    ts = await startPgliteTimescale({ extensionSchema: 'tsdb' });
    pool = ts.pool();
    const client = await pool.connect();
    try {
      await applyMigrations(client);
      await client.query(
        `INSERT INTO dash.pipelines (id, name, version, definition, updated_by)
         SELECT id, id, 1, '{"source": "", "filter": null, "metrics": []}', 'seed' FROM unnest($1::text[]) id`,
        [[PIPELINE, 'other']],
      );
      // Every 7 minutes (so some points lie on hour edges), each series shifted by its own seconds; the
      // tiny rising term (< 0.0001 over the data) leaves no two values of a series equal.
      await client.query(
        `INSERT INTO dash.pipeline_metrics (time, pipeline_id, series_id, metric_name, value)
         SELECT t + s * interval '13 seconds', p, 'dev-' || s, m,
                sin(extract(epoch FROM t) / 5400 + s * 1.7 + length(m)) * 100 + extract(epoch FROM t) / 1e10
         FROM generate_series('2026-03-01 00:00+00'::timestamptz, '2026-03-08 00:00+00', interval '7 minutes') t,
              unnest($1::text[]) p, generate_series(1, 3) s, unnest(ARRAY['power', 'energy']) m`,
        [[PIPELINE, 'other']],
      );
      // Spikes, a gap of a day and a half in dev-2, NULLs inside hours and first in hours (dev-1), a whole hour
      // of them (dev-3).
      await client.query(`UPDATE dash.pipeline_metrics SET value = 1000 + extract(epoch FROM time) / 1e10
        WHERE series_id = 'dev-1' AND (time >= '2026-03-02 10:30+00' AND time < '2026-03-02 10:40+00'
                                    OR time >= '2026-03-06 04:30+00' AND time < '2026-03-06 04:40+00')`);
      await client.query(`UPDATE dash.pipeline_metrics SET value = -1000 - extract(epoch FROM time) / 1e10
        WHERE series_id = 'dev-3' AND time >= '2026-03-03 17:00+00' AND time < '2026-03-03 17:10+00'`);
      await client.query(`DELETE FROM dash.pipeline_metrics
        WHERE series_id = 'dev-2' AND time >= '2026-03-03 09:00+00' AND time < '2026-03-04 21:00+00'`);
      await client.query(`UPDATE dash.pipeline_metrics SET value = NULL
        WHERE (series_id = 'dev-3' AND time >= '2026-03-02 05:00+00' AND time < '2026-03-02 06:00+00')
           OR (series_id = 'dev-1' AND (extract(minute FROM time) = 49
                                        OR extract(minute FROM time) < 7 AND extract(hour FROM time)::int % 5 = 0))`);
      for (const sql of AGGREGATES) await client.query(sql);
      // Materialised up to 03-05 and 03-06: the days after come from raw rows.
      await client.query(`CALL tsdb.refresh_continuous_aggregate('dash.metrics_hourly', NULL, '2026-03-05 00:00+00')`);
      await client.query(
        `CALL tsdb.refresh_continuous_aggregate('dash.metrics_hourly_all', NULL, '2026-03-05 00:00+00')`,
      );
      await client.query(`CALL tsdb.refresh_continuous_aggregate('dash.metrics_quarter', NULL, '2026-03-06 00:05+00')`);
      await client.query(`CALL tsdb.refresh_continuous_aggregate('dash.metrics_positive', NULL, NULL)`);
      await client.query(`CALL tsdb.refresh_continuous_aggregate('dash.metrics_offset', NULL, '2026-03-04 12:15+00')`);
      ({ reader: bare } = await createDocumentedRoles(client, null));
      ext = (await detectServerMode(client)).timescale!;
    } finally {
      client.release();
    }
  });
  afterAll(async () => {
    await ts?.stop();
  });

  async function listed() {
    const client = await pool.connect();
    try {
      return await chartAggregates(client, ext);
    } finally {
      client.release();
    }
  }

  it('lists the aggregates a chart can read, with their watermarks, and refuses the one with a WHERE', async () => {
    const { usable, refused } = await listed();
    const hourly = usable.find((a) => a.label === 'metrics_hourly')!;
    expect(hourly).toMatchObject({
      nameSql: 'dash.metrics_hourly',
      bucketUs: HOUR_US,
      originUs: us('2000-01-03T00:00:00Z'),
      watermarkUs: us('2026-03-05T00:00:00Z'),
      materializedOnly: true,
      nullValuesExcluded: true,
      columns: { bucket: 'bucket', n: 'n', t0: 't0', tmin: 'tmin', tmax: 'tmax', t1: 't1' },
    });
    const quarter = usable.find((a) => a.label === 'metrics_quarter')!;
    expect(quarter).toMatchObject({
      nameSql: 'dash.metrics_quarter',
      bucketUs: 15 * MINUTE_US,
      originUs: us('2026-01-01T00:05:00Z'),
      watermarkUs: us('2026-03-06T00:05:00Z'),
      materializedOnly: false,
      nullValuesExcluded: true,
      columns: { bucket: 'Quarter', n: 'points', v0: 'opening', v1: 'closing', t0: null, tmin: null },
    });
    expect(usable.find((a) => a.label === 'metrics_hourly_all')).toMatchObject({ nullValuesExcluded: false });
    expect(usable.find((a) => a.label === 'metrics_offset')).toMatchObject({
      originUs: us('2000-01-03T00:15:00Z'),
      watermarkUs: us('2026-03-04T12:15:00Z'),
    });
    expect(usable).toHaveLength(4);
    // A week at 150 px reads the aggregate materialised furthest; at 2000 px (5 min a pixel), none.
    const week = { fromUs: us('2026-03-01T03:20:00Z'), toUs: us('2026-03-07T17:45:00Z') };
    expect(pickChartAggregate(usable, week, 150)?.label).toBe('metrics_quarter');
    expect(pickChartAggregate(usable, week, 2000)).toBeNull();
    expect(refused).toEqual([
      {
        name: 'dash.metrics_positive',
        reason:
          'metrics_positive cannot serve charts: it filters rows with WHERE, so its buckets do not hold every point',
      },
    ]);
  });

  it('cagg-backed views equal raw views, every field (window edges and the unmaterialised days from raw rows)', async () => {
    const { usable } = await listed();
    for (const name of ['metrics_hourly', 'metrics_offset'])
      await expectEqualViews(usable.find((a) => a.label === name)!);
  });

  async function expectEqualViews(hourly: ChartAggregateSource): Promise<void> {
    const selections: MetricSelection[] = [
      { pipelineId: PIPELINE, metrics: ['power', 'energy'], seriesIds: [] },
      { pipelineId: PIPELINE, metrics: ['power'], seriesIds: ['dev-1', 'dev-3'] },
    ];
    // Windows not on hour edges; 40 px: 3-hour columns, 150 px: 1-hour columns.
    const cases: [UsRange, number][] = [
      [{ fromUs: us('2026-03-01T03:20:00Z'), toUs: us('2026-03-07T17:45:00Z') }, 40],
      [{ fromUs: us('2026-03-01T03:20:00Z'), toUs: us('2026-03-07T17:45:00Z') }, 150],
      [{ fromUs: us('2026-03-02T00:10:00Z'), toUs: us('2026-03-04T23:30:00Z') }, 60],
    ];
    for (const selection of selections) {
      for (const [window, width] of cases) {
        const label = `${hourly.label} ${JSON.stringify(selection)} ${width} px`;
        const { grid, fromAggregate, merged, raw } = await views(hourly, selection, window, width);
        expect(grid.bucketUs % HOUR_US, label).toBe(0);
        expect(fromAggregate.length, label).toBeGreaterThan(10);
        expect(raw.length, label).toBeGreaterThan(fromAggregate.length);
        expect(merged, label).toEqual(raw);
      }
    }
  }

  it('reads spikes from the aggregate, and no column for an hour of only NULLs (count 0) from one over every row', async () => {
    const { usable } = await listed();
    const read = async (label: string) =>
      (
        await views(
          usable.find((a) => a.label === label)!,
          { pipelineId: PIPELINE, metrics: ['power'], seriesIds: [] },
          { fromUs: us('2026-03-01T00:00:00Z'), toUs: us('2026-03-05T00:00:00Z') },
          96,
        )
      ).fromAggregate;
    const hourly = await read('metrics_hourly');
    expect(hourly.find((c) => c.k === 'power · dev-1' && c.vmax > 999)?.tmax).toBe(us('2026-03-02T10:39:13Z'));
    expect(hourly.find((c) => c.k === 'power · dev-3' && c.vmin < -999)?.tmin).toBe(us('2026-03-03T17:06:39Z'));
    const { rows } = await pool.query(
      `SELECT n FROM dash.metrics_hourly_all WHERE series_id = 'dev-3' AND metric_name = 'power' AND bucket = '2026-03-02 05:00+00'
       AND pipeline_id = $1`,
      [PIPELINE],
    );
    expect(rows.map((r) => Number(r.n))).toEqual([0]);
    const dev3 = (await read('metrics_hourly_all')).filter((c) => c.k === 'power · dev-3').map((c) => c.px);
    expect(dev3).not.toContain(29); // 03-02 05:00
    expect(dev3).toContain(28);
  });

  it('an aggregate without the corners’ times: same counts and values, times inside the right bucket', async () => {
    const quarter = (await listed()).usable.find((a) => a.label === 'metrics_quarter')!;
    const selection = { pipelineId: PIPELINE, metrics: ['power', 'energy'], seriesIds: ['dev-1', 'dev-2', 'dev-3'] };
    const window = { fromUs: us('2026-03-02T21:00:00Z'), toUs: us('2026-03-06T09:00:00Z') };
    const { merged, raw } = await views(quarter, selection, window, 200);
    const strip = (c: M4Column) => ({ k: c.k, px: c.px, n: c.n, v0: c.v0, v1: c.v1, vmin: c.vmin, vmax: c.vmax });
    expect(merged.map(strip)).toEqual(raw.map(strip));
    const bucketOf = (t: number) => Math.floor((t - quarter.originUs) / quarter.bucketUs);
    const times = (c: M4Column) => [c.t0, c.t1, c.tmin, c.tmax].map(bucketOf);
    expect(merged.map(times)).toEqual(raw.map(times));
    // And the stand-ins really were used: some times differ from the raw points'.
    expect(merged.some((c, i) => c.t0 !== raw[i]!.t0)).toBe(true);
  });

  it('an aggregate over NULL values too: same counts and extremes; its first and last points are real points of the column', async () => {
    const all = (await listed()).usable.find((a) => a.label === 'metrics_hourly_all')!;
    const selection = { pipelineId: PIPELINE, metrics: ['power', 'energy'], seriesIds: [] };
    const window = { fromUs: us('2026-03-01T03:20:00Z'), toUs: us('2026-03-07T17:45:00Z') };
    const { grid, merged, raw } = await views(all, selection, window, 150);
    const extremes = (c: M4Column) => ({
      k: c.k,
      px: c.px,
      n: c.n,
      tmin: c.tmin,
      vmin: c.vmin,
      tmax: c.tmax,
      vmax: c.vmax,
    });
    expect(merged.map(extremes)).toEqual(raw.map(extremes));
    const { rows } = await pool.query<{ k: string; t: number; v: number }>(
      `SELECT metric_name || ' · ' || series_id AS k, (extract(epoch FROM time) * 1000000)::float8 AS t, value AS v
       FROM dash.pipeline_metrics WHERE pipeline_id = $1 AND value IS NOT NULL`,
      [PIPELINE],
    );
    const points = new Set(rows.map((r) => `${r.k}|${r.t}|${r.v}`));
    const inColumn = (c: M4Column, t: number) => Math.floor((t - grid.originUs) / grid.bucketUs) === c.px;
    const differing = merged.filter((c, i) => c.t0 !== raw[i]!.t0 || c.t1 !== raw[i]!.t1);
    // dev-1's NULLs in the first minutes of every fifth hour are that hour's first row.
    expect(differing.length).toBeGreaterThan(0);
    for (const c of merged) {
      expect(points.has(`${c.k}|${c.t0}|${c.v0}`), `${c.k} ${c.px} first`).toBe(true);
      expect(points.has(`${c.k}|${c.t1}|${c.v1}`), `${c.k} ${c.px} last`).toBe(true);
      expect(inColumn(c, c.t0) && inColumn(c, c.t1)).toBe(true);
    }
    expect(merged.filter((c, i) => c.v0 !== raw[i]!.v0).every((c) => c.k.endsWith('dev-1'))).toBe(true);
  });

  it("refuses every aggregate, with the grant, for a role that may not use TimescaleDB's schema", async () => {
    const client = await pool.connect();
    try {
      await client.query(`SET ROLE ${client.escapeIdentifier(bare.user)}`);
      const { usable, refused } = await chartAggregates(client, (await detectServerMode(client)).timescale!);
      expect(usable).toEqual([]);
      expect(refused.map((r) => r.name).sort()).toEqual([
        'dash.metrics_hourly',
        'dash.metrics_hourly_all',
        'dash.metrics_offset',
        'dash.metrics_positive',
        'dash.metrics_quarter',
      ]);
      expect(refused[0]!.reason).toContain(`GRANT USAGE ON SCHEMA tsdb TO ${bare.user};`);
    } finally {
      await client.query('RESET ROLE');
      client.release();
    }
  });

  it("refuses them all, with the reason, for a role that may not read TimescaleDB's catalog (and does not throw)", async () => {
    const client = await pool.connect();
    try {
      await client.query('REVOKE USAGE ON SCHEMA _timescaledb_catalog FROM PUBLIC');
      await client.query(`SET ROLE ${client.escapeIdentifier(bare.user)}`);
      const { usable, refused } = await chartAggregates(client, ext);
      expect(usable).toEqual([]);
      expect(refused).toEqual([
        {
          name: '*',
          reason: expect.stringMatching(
            /^The continuous aggregates could not be read from TimescaleDB's catalog: permission denied for schema _timescaledb_catalog/,
          ),
        },
      ]);
    } finally {
      await client.query('RESET ROLE');
      await client.query('GRANT USAGE ON SCHEMA _timescaledb_catalog TO PUBLIC');
      client.release();
    }
  });
});

describeTimescale('continuous aggregates behind server charts (Debian TimescaleDB 2.19, Apache edition)', () => {
  it('finds none, and says nothing is refused, where the edition has no continuous aggregates', async () => {
    const client = new pg.Client(await createTimescaleDatabase('chart_aggs', { extensionSchema: 'tsdb' }));
    await client.connect();
    try {
      await applyMigrations(client);
      await expect(
        client.query(`CREATE MATERIALIZED VIEW dash.metrics_hourly WITH (timescaledb.continuous) AS
          SELECT tsdb.time_bucket('1 hour', time) AS bucket, count(value) FROM dash.pipeline_metrics GROUP BY 1`),
      ).rejects.toThrow(/functionality not supported under the current "apache" license/);
      const info = await detectServerMode(client);
      expect(await chartAggregates(client, info.timescale!)).toEqual({ usable: [], refused: [] });
    } finally {
      await client.end();
    }
  });
});
