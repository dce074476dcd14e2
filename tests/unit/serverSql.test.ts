import { describe, expect, it } from 'vitest';
import {
  TIME_BUCKET_ORIGIN_SQL,
  bucketPreviewSql,
  liveSelectSql,
  PLAIN_POSTGRES,
  pgName,
  timeBucketSql,
  type BucketInterval,
} from '../../src/shared/serverSql';
import { leadingKeyword } from '../../src/main/services/postgres/LiveQuery';
import { parsePgTimestampMicros } from '../../src/main/services/postgres/pgArrow';
import { timescaleSql } from '../../src/main/services/postgres/ServerCatalog';

const TS_PUBLIC = { mode: 'timescaledb', timescaleSchema: 'public' } as const;

describe('time buckets on the server', () => {
  it("qualifies TimescaleDB's functions by the extension's schema, which need not be on the search_path", () => {
    expect(timeBucketSql({ mode: 'timescaledb', timescaleSchema: 'My TS' }, "'1 day'::interval", 'time')).toBe(
      `"My TS".time_bucket('1 day'::interval, time)`,
    );
    expect(bucketPreviewSql({ mode: 'timescaledb', timescaleSchema: 'tsdb' }, 'dash', 'm', 'time')).toContain(
      'tsdb.time_bucket(',
    );
  });

  it('is time_bucket on TimescaleDB and date_bin with its origin on plain PostgreSQL', () => {
    expect(timeBucketSql(TS_PUBLIC, "'1 hour'::interval", 'time')).toBe("public.time_bucket('1 hour'::interval, time)");
    expect(timeBucketSql(PLAIN_POSTGRES, "'1 hour'::interval", 'time')).toBe(
      `date_bin('1 hour'::interval, time, ${TIME_BUCKET_ORIGIN_SQL})`,
    );
  });

  it('builds a bucket preview with quoted names and a fixed set of intervals', () => {
    expect(bucketPreviewSql(TS_PUBLIC, 'dash', 'pipeline_metrics', 'time', '15 minutes')).toBe(
      `SELECT public.time_bucket('15 minutes'::interval, "time") AS bucket, count(*) AS points\n` +
        'FROM dash.pipeline_metrics\nGROUP BY 1\nORDER BY 1 DESC\nLIMIT 1000;\n',
    );
    expect(bucketPreviewSql(PLAIN_POSTGRES, 'My Schema', 'order', 'ts')).toContain(
      `date_bin('1 hour'::interval, ts, ${TIME_BUCKET_ORIGIN_SQL})`,
    );
    expect(bucketPreviewSql(PLAIN_POSTGRES, 'My Schema', 'order', 'ts')).toContain('FROM "My Schema"."order"');
    expect(() =>
      bucketPreviewSql(PLAIN_POSTGRES, 'a', 'b', 'c', "1 hour'); DROP TABLE x; --" as BucketInterval),
    ).toThrow(/Unsupported/);
  });

  it('quotes identifiers only when needed', () => {
    expect(pgName('pipeline_metrics')).toBe('pipeline_metrics');
    expect(pgName('select')).toBe('"select"');
    expect(pgName('Mixed')).toBe('"Mixed"');
    expect(pgName('we"ird')).toBe('"we""ird"');
    expect(liveSelectSql('dash', 'pipeline_metrics')).toBe('SELECT * FROM dash.pipeline_metrics LIMIT 1000;\n');
  });
});

describe('TimescaleDB catalog SQL', () => {
  const sql = timescaleSql('"public"');

  it('reads the documented timescaledb_information views and qualifies the extension functions', () => {
    expect(sql.hypertables).toContain('FROM timescaledb_information.hypertables h');
    expect(sql.hypertables).toContain('timescaledb_information.dimensions');
    expect(sql.hypertables).toContain('"public".hypertable_detailed_size(');
    expect(sql.hypertables).toContain('"public".approximate_row_count(');
    expect(sql.chunks).toContain('FROM timescaledb_information.chunks c');
    expect(sql.chunks).toContain('"public".chunk_compression_stats(h.rel)');
    // A chunk that took rows after compression is partly compressed (status bits 2 or 8), not compressed.
    expect(sql.chunks).toContain("WHEN (coalesce(cat.status, 0) & (2 | 8)) <> 0 THEN 'partial'");
    expect(sql.chunks).toMatch(/WHERE h\.compression_enabled/);
    expect(sql.chunks).toContain('WHERE r.n <= $1');
    expect(sql.continuousAggregates).toContain('FROM timescaledb_information.continuous_aggregates');
    expect(sql.jobs).toContain('FROM timescaledb_information.jobs j');
    expect(sql.jobs).toContain('timescaledb_information.job_stats');
  });

  it("leaves out what needs the extension's functions when the role may not use its schema", () => {
    const without = timescaleSql(null);
    for (const text of Object.values(without)) expect(text).not.toMatch(/"public"\.|approximate_row_count|_size\(h/);
    expect(without.hypertables).toContain('NULL::float8 AS bytes');
  });

  it('reads the hypertable name as a regclass built with format(%I), never by concatenation', () => {
    expect(sql.hypertables).toContain("format('%I.%I', h.hypertable_schema, h.hypertable_name)::regclass");
  });
});

describe('live query helpers', () => {
  it('finds the first key word past comments and parentheses', () => {
    expect(leadingKeyword('  select 1')).toBe('select');
    expect(leadingKeyword('-- note\n/* block */ (SELECT 1)')).toBe('select');
    expect(leadingKeyword('/* x */ INSERT INTO t VALUES (1)')).toBe('insert');
    expect(leadingKeyword('-- only a comment')).toBe('');
  });

  it('reads PostgreSQL timestamps to microseconds, any offset, BC and beyond 9999', () => {
    expect(parsePgTimestampMicros('2026-01-02 03:04:05.123456+00')).toBe(
      BigInt(Date.parse('2026-01-02T03:04:05Z')) * 1000n + 123_456n,
    );
    expect(parsePgTimestampMicros('2026-01-02 05:34:05.5+05:30')).toBe(
      BigInt(Date.parse('2026-01-02T00:04:05Z')) * 1000n + 500_000n,
    );
    expect(parsePgTimestampMicros('1969-12-31 23:59:59.999999')).toBe(-1n);
    const year44 = new Date(0);
    year44.setUTCFullYear(44, 2, 15);
    expect(parsePgTimestampMicros('0044-03-15 00:00:00')).toBe(BigInt(year44.getTime()) * 1000n);
    year44.setUTCFullYear(-43, 2, 15); // 44 BC is year -43
    expect(parsePgTimestampMicros('0044-03-15 00:00:00 BC')).toBe(BigInt(year44.getTime()) * 1000n);
    expect(parsePgTimestampMicros('infinity')).toBeNull();
  });
});
