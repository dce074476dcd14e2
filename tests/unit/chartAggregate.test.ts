/**
 * Which continuous aggregates a chart may read instead of raw rows, recognised
 * from their query as PostgreSQL deparses it (the texts below are what PGlite's
 * TimescaleDB 2.23 gives, and the same with qualified columns, as PostgreSQL
 * before 16 and real-time views write them), and the SQL reading them: names
 * quoted, numbers checked.
 */
import { describe, expect, it } from 'vitest';
import {
  aggregateM4Sql,
  aggregateSplit,
  pickChartAggregate,
  recognizeChartAggregate,
  type ChartAggregate,
  type ChartAggregateInput,
} from '../../src/shared/charts/chartAggregate';
import type { ServerKind } from '../../src/shared/serverSql';

const HOUR_US = 3_600_000_000;
const BUCKET = { widthUs: HOUR_US, originUs: Date.UTC(2000, 0, 3) * 1000 };

/** As timescaledb_information.continuous_aggregates.view_definition has it (PGlite, TimescaleDB 2.23). */
const FULL = ` SELECT tsdb.time_bucket('01:00:00'::interval, "time") AS bucket,
    pipeline_id,
    series_id,
    metric_name,
    count(value) AS n,
    min("time") AS t0,
    tsdb.first(value, "time") AS v0,
    max("time") AS t1,
    tsdb.last(value, "time") AS v1,
    tsdb.first("time", value) AS tmin,
    min(value) AS vmin,
    tsdb.last("time", value) AS tmax,
    max(value) AS vmax
   FROM dash.pipeline_metrics
  GROUP BY (tsdb.time_bucket('01:00:00'::interval, "time")), pipeline_id, series_id, metric_name;`;

/** Required columns only, qualified and aliased, first/last unqualified, a column that plays no role. */
const MINIMAL = ` SELECT public.time_bucket('00:15:00'::interval, pipeline_metrics."time", origin => '2026-01-01 00:05:00+00'::timestamp with time zone) AS "Bucket start",
    pipeline_metrics.pipeline_id AS p,
    pipeline_metrics.metric_name AS m,
    pipeline_metrics.series_id AS s,
    max(pipeline_metrics.value) AS hi,
    min(pipeline_metrics.value) AS lo,
    sum(pipeline_metrics.value) AS total,
    count(pipeline_metrics.value) AS "count",
    first(pipeline_metrics.value, pipeline_metrics."time") AS first,
    last(pipeline_metrics.value, pipeline_metrics."time") AS last
   FROM dash.pipeline_metrics
  GROUP BY (public.time_bucket('00:15:00'::interval, pipeline_metrics."time", origin => '2026-01-01 00:05:00+00'::timestamp with time zone)), pipeline_metrics.pipeline_id, pipeline_metrics.metric_name, pipeline_metrics.series_id;`;

const input = (viewDefinition: string, over: Partial<ChartAggregateInput> = {}): ChartAggregateInput => ({
  nameSql: 'dash.metrics_hourly',
  label: 'metrics_hourly',
  viewDefinition,
  bucket: BUCKET,
  timezone: null,
  ...over,
});

function recognized(def: string, over: Partial<ChartAggregateInput> = {}): ChartAggregate {
  const result = recognizeChartAggregate(input(def, over));
  if ('reason' in result) throw new Error(result.reason);
  return result.aggregate;
}

function refusal(def: string, over: Partial<ChartAggregateInput> = {}): string {
  const result = recognizeChartAggregate(input(def, over));
  if ('aggregate' in result) throw new Error(`recognised ${JSON.stringify(result.aggregate.columns)}`);
  return result.reason;
}

describe('recognizeChartAggregate', () => {
  it('maps every column of a full definition to its role', () => {
    expect(recognized(FULL)).toEqual({
      nameSql: 'dash.metrics_hourly',
      label: 'metrics_hourly',
      bucketUs: HOUR_US,
      originUs: BUCKET.originUs,
      nullValuesExcluded: false,
      columns: {
        bucket: 'bucket',
        pipelineId: 'pipeline_id',
        metricName: 'metric_name',
        seriesId: 'series_id',
        n: 'n',
        vmin: 'vmin',
        vmax: 'vmax',
        v0: 'v0',
        v1: 'v1',
        t0: 't0',
        t1: 't1',
        tmin: 'tmin',
        tmax: 'tmax',
      },
    });
  });

  it('reads the same definition with qualified columns and odd spacing', () => {
    const qualified = FULL.replaceAll('"time"', 'pipeline_metrics."time"')
      .replace(/\b(value|pipeline_id|series_id|metric_name)\b(?!")/g, 'pipeline_metrics.$1')
      .replaceAll('\n    ', '\n\t  ');
    expect(recognized(qualified).columns).toEqual(recognized(FULL).columns);
  });

  it('maps a minimal definition (required columns only), with aliases and quoted names', () => {
    expect(recognized(MINIMAL).columns).toEqual({
      bucket: 'Bucket start',
      pipelineId: 'p',
      metricName: 'm',
      seriesId: 's',
      n: 'count',
      vmin: 'lo',
      vmax: 'hi',
      v0: 'first',
      v1: 'last',
      t0: null,
      t1: null,
      tmin: null,
      tmax: null,
    });
  });

  it('takes the one filter that keeps every drawn point: WHERE value IS NOT NULL', () => {
    const notNull = (where: string) =>
      FULL.replace('FROM dash.pipeline_metrics', `FROM dash.pipeline_metrics\n  WHERE ${where}`);
    for (const where of ['(value IS NOT NULL)', '((pipeline_metrics.value IS NOT NULL))', 'value is not null']) {
      expect(recognized(notNull(where)), where).toMatchObject({ nullValuesExcluded: true });
    }
    expect(refusal(notNull('(value IS NULL)'))).toMatch(/filters rows with WHERE/);
    expect(refusal(notNull("((value IS NOT NULL) AND (series_id <> 'x'::text))"))).toMatch(/filters rows with WHERE/);
  });

  it('refuses, saying why', () => {
    const where = FULL.replace(
      'FROM dash.pipeline_metrics',
      'FROM dash.pipeline_metrics WHERE (value > (0)::double precision)',
    );
    expect(refusal(where)).toBe(
      'metrics_hourly cannot serve charts: it filters rows with WHERE, so its buckets do not hold every point',
    );
    const having = FULL.replace(/;$/, ' HAVING (count(value) > 1);');
    expect(refusal(having)).toMatch(/filters buckets with HAVING/);
    const join = FULL.replace(
      'FROM dash.pipeline_metrics',
      'FROM (dash.pipeline_metrics JOIN dash.pipelines ON ((pipelines.id = pipeline_metrics.pipeline_id)))',
    );
    expect(refusal(join)).toMatch(/joins other tables/);
    expect(refusal(FULL.replace('FROM dash.pipeline_metrics', 'FROM dash.pipeline_metrics, dash.pipelines'))).toMatch(
      /joins other tables/,
    );
    expect(refusal(FULL.replace('FROM dash.pipeline_metrics', 'FROM dash.metrics_daily'))).toBe(
      'metrics_hourly cannot serve charts: it does not read dash.pipeline_metrics alone',
    );
    expect(
      recognized(FULL.replace('FROM dash.pipeline_metrics', 'FROM ONLY dash.pipeline_metrics pm')).columns,
    ).toEqual(recognized(FULL).columns);
    expect(refusal(FULL.replace('SELECT', 'SELECT DISTINCT'))).toMatch(/selects DISTINCT rows/);
    const zoned = FULL.replaceAll(`::interval, "time")`, `::interval, "time", 'Europe/Berlin'::text)`);
    expect(refusal(zoned)).toMatch(/cut in a time zone/);
    expect(refusal(FULL, { timezone: 'Europe/Berlin' })).toMatch(/cut in the time zone Europe\/Berlin/);
    const named = FULL.replaceAll(`::interval, "time")`, `::interval, "time", timezone => 'Europe/Berlin'::text)`);
    expect(refusal(named)).toMatch(/cut in a time zone/);
    expect(refusal(FULL.replaceAll("'01:00:00'", "'1 mon'"))).toMatch(/calendar months or years \('1 mon'\)/);
    expect(refusal(FULL, { bucket: null })).toMatch(/bucket width is not known/);
    expect(refusal(FULL, { bucket: { widthUs: 0.5, originUs: 0 } })).toMatch(/not a whole number of microseconds/);
    expect(refusal(FULL.replace('    tsdb.last(value, "time") AS v1,\n', ''))).toBe(
      'metrics_hourly cannot serve charts: it lacks last(value, time)',
    );
    const fewer = FULL.replace('    series_id,\n', '').replace('count(value)', 'count(*)');
    expect(refusal(fewer)).toBe('metrics_hourly cannot serve charts: it lacks series_id, count(value)');
    expect(
      refusal(FULL.replace(/tsdb\.time_bucket\('01:00:00'::interval, "time"\) AS bucket/, 'pipeline_id AS b')),
    ).toMatch(/no time_bucket column over time/);
  });
});

const TSDB: ServerKind = { mode: 'timescaledb', timescaleSchema: 'ts db' };
const SELECTION = { pipelineId: "o'brien", metrics: ['power', "it's"], seriesIds: ['dev"1'] };

describe('aggregateM4Sql', () => {
  it('quotes every name and value, and reads the extension schema', () => {
    const agg = recognized(MINIMAL);
    const sql = aggregateM4Sql(TSDB, agg, SELECTION, [{ fromUs: 0, toUs: HOUR_US }], {
      originUs: 0,
      bucketUs: HOUR_US,
    });
    expect(sql).toContain("p = 'o''brien'");
    expect(sql).toContain("m IN ('power', 'it''s')");
    expect(sql).toContain(`s IN ('dev"1')`);
    expect(sql).toContain('"Bucket start" >= ');
    expect(sql).toContain('count > 0');
    expect(sql).toContain('"ts db".first(');
    expect(sql).toContain('"ts db".last(');
    // Without time columns, the bucket's own times stand in.
    expect(sql).toContain(`("Bucket start" + INTERVAL '${HOUR_US - 1} microseconds')`);
  });

  it('refuses numbers that are not finite, plain PostgreSQL, and empty selections', () => {
    const agg = recognized(FULL);
    const grid = { originUs: 0, bucketUs: HOUR_US };
    const range = [{ fromUs: 0, toUs: HOUR_US }];
    expect(() => aggregateM4Sql(TSDB, agg, SELECTION, [{ fromUs: 0, toUs: Number.NaN }], grid)).toThrow(/finite/);
    expect(() => aggregateM4Sql(TSDB, agg, SELECTION, range, { originUs: Infinity, bucketUs: HOUR_US })).toThrow(
      /finite/,
    );
    expect(() => aggregateM4Sql(TSDB, agg, SELECTION, range, { originUs: 0, bucketUs: Number.NaN })).toThrow();
    expect(() => aggregateM4Sql(TSDB, { ...agg, bucketUs: Infinity }, SELECTION, range, grid)).toThrow(/finite/);
    expect(() => aggregateM4Sql({ mode: 'plain', timescaleSchema: null }, agg, SELECTION, range, grid)).toThrow(
      /TimescaleDB/,
    );
    expect(() => aggregateM4Sql(TSDB, agg, { ...SELECTION, metrics: [] }, range, grid)).toThrow(/metric/);
    expect(() => aggregateM4Sql(TSDB, agg, SELECTION, [], grid)).toThrow(/range/);
  });
});

describe('aggregateSplit and pickChartAggregate', () => {
  const T = Date.UTC(2026, 2, 1) * 1000;
  const hourly = { label: 'hourly', bucketUs: HOUR_US, originUs: 0, watermarkUs: T + 48 * HOUR_US };

  it('reads whole buckets below the watermark from the aggregate, the edges and the newest stretch raw', () => {
    const window = { fromUs: T + 20 * 60_000_000, toUs: T + 72 * HOUR_US + 1 };
    expect(aggregateSplit(hourly, window)).toEqual({
      aggregate: { fromUs: T + HOUR_US, toUs: T + 48 * HOUR_US },
      raw: [
        { fromUs: window.fromUs, toUs: T + HOUR_US },
        { fromUs: T + 48 * HOUR_US, toUs: window.toUs },
      ],
    });
    // On bucket edges and all materialised: nothing raw.
    expect(aggregateSplit(hourly, { fromUs: T, toUs: T + 5 * HOUR_US })).toEqual({
      aggregate: { fromUs: T, toUs: T + 5 * HOUR_US },
      raw: [],
    });
    // Nothing materialised, or no whole bucket: all raw.
    const all = { fromUs: T, toUs: T + 5 * HOUR_US };
    expect(aggregateSplit({ ...hourly, watermarkUs: null }, all)).toEqual({ aggregate: null, raw: [all] });
    const inside = { fromUs: T + 60_000_000, toUs: T + HOUR_US + 60_000_000 };
    expect(aggregateSplit(hourly, inside)).toEqual({ aggregate: null, raw: [inside] });
  });

  it('picks the aggregate covering most of the window, then the widest buckets; none wider than a pixel', () => {
    const quarter = { label: 'quarter', bucketUs: HOUR_US / 4, originUs: 0, watermarkUs: T + 60 * HOUR_US };
    const twoHours = { label: 'twoHours', bucketUs: 2 * HOUR_US, originUs: 0, watermarkUs: T + 48 * HOUR_US };
    const window = { fromUs: T, toUs: T + 96 * HOUR_US };
    expect(pickChartAggregate([hourly, quarter, twoHours], window, 40)?.label).toBe('quarter');
    expect(pickChartAggregate([hourly, twoHours], window, 40)?.label).toBe('twoHours');
    // 96 h over 60 px: 1.6 h a pixel, too narrow for two-hour buckets.
    expect(pickChartAggregate([hourly, twoHours], window, 60)?.label).toBe('hourly');
    expect(pickChartAggregate([hourly, twoHours], window, 1000)).toBeNull();
    expect(pickChartAggregate([{ ...hourly, watermarkUs: null }], window, 40)).toBeNull();
  });
});
