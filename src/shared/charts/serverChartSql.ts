/**
 * A metric chart's SQL for the Dash server (TimescaleDB or plain PostgreSQL),
 * answering in exactly the shapes the cached chart's SQL (m4Sql.ts) answers:
 * M4 columns (k, px, n, t0, v0, t1, v1, tmin, vmin, tmax, vmax; times in epoch
 * µs), raw points (k, t_us, v) and calendar buckets. Columns are cut by
 * time_bucket / date_bin with the grid's origin, which puts every point in the
 * same column as `(t - origin) // bucket` does on DuckDB, so the two can be
 * merged and compared column by column.
 *
 * Every name and value is a literal (pgLiteral: safe with either setting of
 * standard_conforming_strings); numbers are checked integers.
 */
import { pgLiteral, pgRelation, timeBucketSql, timescaleFunction, type ServerKind } from '../serverSql';
import { SERIES_KEY_SEPARATOR } from './chartQuery';
import type { ChartGrid } from './m4Columns';
import { isoUs } from './m4Sql';

export const METRICS_TABLE_SQL = pgRelation('dash', 'pipeline_metrics');

/** What a metric chart draws: one pipeline, some metrics, some series (none: every series). */
export interface MetricSelection {
  pipelineId: string;
  metrics: readonly string[];
  seriesIds: readonly string[];
}

/** [fromUs, toUs) in epoch µs. */
export interface UsRange {
  fromUs: number;
  toUs: number;
}

function int(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`Not a finite number: ${n}`);
  return String(Math.trunc(n));
}

/** A timestamptz literal for epoch µs, whatever the session's TimeZone. */
export function timestamptzSql(us: number): string {
  return `TIMESTAMPTZ '${isoUs(Math.trunc(us))}+00'`;
}

/** A timestamptz as exact epoch µs (extract gives numeric seconds with 6 decimals). */
export function epochUsSql(expr: string): string {
  return `(extract(epoch FROM ${expr}) * 1000000)::float8`;
}

/** The chart's series key, as ChartService builds it on the warehouse: `<metric> · <series_id>`. */
export const SERVER_KEY_SQL = `metric_name || ${pgLiteral(SERIES_KEY_SEPARATOR)} || series_id`;

function inList(values: readonly string[]): string {
  return values.map(pgLiteral).join(', ');
}

/** The rows of `selection` with a value inside any of `ranges` (at least one). */
export function selectionWhereSql(selection: MetricSelection, ranges: readonly UsRange[]): string {
  if (ranges.length === 0) throw new Error('A server chart part needs at least one time range');
  if (selection.metrics.length === 0) throw new Error('A chart needs at least one metric');
  const conds = [`pipeline_id = ${pgLiteral(selection.pipelineId)}`, `metric_name IN (${inList(selection.metrics)})`];
  if (selection.seriesIds.length) conds.push(`series_id IN (${inList(selection.seriesIds)})`);
  conds.push('value IS NOT NULL');
  const times = ranges.map((r) => `(time >= ${timestamptzSql(r.fromUs)} AND time < ${timestamptzSql(r.toUs)})`);
  conds.push(times.length === 1 ? times[0]! : `(${times.join(' OR ')})`);
  return conds.join(' AND ');
}

/**
 * M4 per series and pixel column on the server, one scan, built from
 * aggregates with combine functions so the server splits the scan across its
 * parallel workers. The corners: on TimescaleDB its first/last(value, time), which
 * carry the two values without building anything per row; on plain
 * PostgreSQL, min/max over [key, other] float8 arrays (they order by the
 * first element, then the second), which build four arrays a row: slower than
 * first/last when both were timed by hand over the same rows on Debian's
 * TimescaleDB (no bench figure compares them). When a column holds its
 * extreme value twice either time may come back, as on the cache (m4Sql.ts).
 */
export function serverM4Sql(
  server: ServerKind,
  selection: MetricSelection,
  ranges: readonly UsRange[],
  grid: ChartGrid,
): string {
  const bucket = timeBucketSql(
    server,
    `INTERVAL '${int(grid.bucketUs)} microseconds'`,
    'time',
    timestamptzSql(grid.originUs),
  );
  const px = `round((${epochUsSql('b')} - ${int(grid.originUs)}) / ${int(grid.bucketUs)})::float8`;
  let corners: string;
  let select: string;
  if (server.mode === 'timescaledb' && server.timescaleSchema !== null) {
    const first = timescaleFunction(server, 'first');
    const last = timescaleFunction(server, 'last');
    corners = `${first}(value, time) AS v0, ${last}(value, time) AS v1, min(value) AS vmin, max(value) AS vmax,
      ${first}(time, value) AS tlo, ${last}(time, value) AS thi`;
    select = `v0, ${epochUsSql('t1')} AS t1, v1,
    ${epochUsSql('tlo')} AS tmin, vmin, ${epochUsSql('thi')} AS tmax, vmax`;
  } else {
    // date_part gives float8 seconds: distinct µs stay distinct and in order (its
    // step near 2026 is 0.24 µs), and round(s · 10⁶) is the exact µs again.
    const seconds = `date_part('epoch', time)`;
    const us = (e: string) => `round(${e} * 1000000)::float8`;
    corners = `min(ARRAY[${seconds}, value]) AS f, max(ARRAY[${seconds}, value]) AS l,
      min(ARRAY[value, ${seconds}]) AS lo, max(ARRAY[value, ${seconds}]) AS hi`;
    select = `f[2] AS v0, ${epochUsSql('t1')} AS t1, l[2] AS v1,
    ${us('lo[2]')} AS tmin, lo[1] AS vmin, ${us('hi[2]')} AS tmax, hi[1] AS vmax`;
  }
  return `SELECT ${SERVER_KEY_SQL} AS k, ${px} AS px, n::float8 AS n, ${epochUsSql('t0')} AS t0, ${select}
  FROM (SELECT metric_name, series_id, ${bucket} AS b, count(value) AS n, min(time) AS t0, max(time) AS t1,
      ${corners}
    FROM ${METRICS_TABLE_SQL} WHERE ${selectionWhereSql(selection, ranges)}
    GROUP BY metric_name, series_id, b) AS c
  ORDER BY k, px`;
}

/** Raw points (k, t_us, v) in time order per series; `limit` caps what a mistaken call could return. */
export function serverRawSql(selection: MetricSelection, ranges: readonly UsRange[], limit: number): string {
  return `SELECT ${SERVER_KEY_SQL} AS k, ${epochUsSql('time')} AS t_us, value AS v
  FROM ${METRICS_TABLE_SQL} WHERE ${selectionWhereSql(selection, ranges)}
  ORDER BY k, time, value LIMIT ${int(limit)}`;
}

/**
 * Calendar buckets between `edgesUs` (computed in TypeScript in the workspace's
 * zone, DST-correct, as for the cache): width_bucket numbers them 1…n−1.
 * Answers (k, i, v, vmin, vmax, n, s) with i the 0-based bucket and s the sum,
 * so buckets from several parts can be merged.
 */
export function serverCalendarSql(
  selection: MetricSelection,
  ranges: readonly UsRange[],
  edgesUs: readonly number[],
): string {
  if (edgesUs.length < 2) throw new Error('Calendar buckets need at least two edges');
  const edges = `ARRAY[${edgesUs.map(timestamptzSql).join(', ')}]::timestamptz[]`;
  return `SELECT k, (i - 1)::float8 AS i, avg(value) AS v, min(value) AS vmin, max(value) AS vmax,
    count(value)::float8 AS n, sum(value) AS s
  FROM (SELECT ${SERVER_KEY_SQL} AS k, width_bucket(time, ${edges}) AS i, value
    FROM ${METRICS_TABLE_SQL} WHERE ${selectionWhereSql(selection, ranges)}) AS p
  WHERE i BETWEEN 1 AND ${int(edgesUs.length - 1)}
  GROUP BY k, i ORDER BY k, i`;
}
