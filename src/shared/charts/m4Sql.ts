/**
 * The chart's SQL, written once for both engines (native DuckDB over the cache,
 * DuckDB-WASM over a working set). DuckDB-WASM has no ICU, so times are handled
 * as `epoch_us(ts)` and integer arithmetic only — never date_trunc/time_bucket.
 *
 * M4: per series and pixel column keep the first, last, min and max point, so
 * the line drawn from them is the line drawn from every raw point.
 */
import { quoteIdent } from '../sql';

export interface ChartSource {
  /** A relation: a quoted table/view name or a parenthesised subquery built from quoted parts. */
  relation: string;
  /** The time column (quoted by us). */
  timeColumn: string;
  /** SQL for the value, e.g. a quoted column. */
  valueSql: string;
  /** SQL naming the series each row belongs to (VARCHAR). */
  keySql: string;
  /** Extra predicates, already safe SQL. */
  where?: string[];
  /**
   * The time column's type, to add a literal range predicate the scan can prune
   * row groups with. 'timestamptz' needs ICU: use it on the native warehouse only.
   */
  pushdown?: 'timestamp' | 'timestamptz' | null;
}

export interface TimeWindow {
  fromUs: number;
  toUs: number;
}

/** Draw raw points below this many points per pixel column and series. */
export const RAW_POINTS_PER_PIXEL = 2;

/** Width of one pixel column in µs (at least 1) for a window drawn `width` px wide. */
export function bucketWidthUs(window: TimeWindow, width: number): number {
  const span = Math.max(1, Math.round(window.toUs - window.fromUs));
  return Math.max(1, Math.ceil(span / Math.max(1, Math.floor(width))));
}

function int(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`Not a finite number: ${n}`);
  return String(Math.trunc(n));
}

/** Epoch µs as `YYYY-MM-DD HH:MM:SS.ffffff` (UTC), for literals both engines and PostgreSQL read. */
export function isoUs(us: number): string {
  const ms = Math.floor(us / 1000);
  const micros = Math.trunc(us - ms * 1000);
  const base = new Date(ms).toISOString().slice(0, 23);
  return `${base.replace('T', ' ')}${String(micros).padStart(3, '0')}`;
}

/** The rows of `source` inside the window as (k, t, v): t in epoch µs. */
export function pointsSql(source: ChartSource, window: TimeWindow): string {
  const time = quoteIdent(source.timeColumn);
  const conds = [
    `${time} IS NOT NULL`,
    `${source.valueSql} IS NOT NULL`,
    `epoch_us(${time}) >= ${int(window.fromUs)}`,
    `epoch_us(${time}) < ${int(window.toUs)}`,
  ];
  if (source.pushdown === 'timestamp') {
    conds.push(`${time} >= TIMESTAMP '${isoUs(window.fromUs - 1)}'`, `${time} <= TIMESTAMP '${isoUs(window.toUs)}'`);
  } else if (source.pushdown === 'timestamptz') {
    conds.push(
      `${time} >= TIMESTAMPTZ '${isoUs(window.fromUs - 1)}+00'`,
      `${time} <= TIMESTAMPTZ '${isoUs(window.toUs)}+00'`,
    );
  }
  conds.push(...(source.where ?? []));
  return `SELECT CAST(${source.keySql} AS VARCHAR) AS k, epoch_us(${time}) AS t, CAST(${source.valueSql} AS DOUBLE) AS v
  FROM ${source.relation}
  WHERE ${conds.map((c) => `(${c})`).join(' AND ')}`;
}

/** Raw points in the window, ordered; `limit` caps what a mistaken call could return. */
export function rawSql(source: ChartSource, window: TimeWindow, limit: number): string {
  return `SELECT k, CAST(t AS DOUBLE) AS t_us, v FROM (${pointsSql(source, window)}) ORDER BY k, t, v LIMIT ${int(limit)}`;
}

/**
 * M4 over pixel columns of `bucketUs`: one row per series and column with its
 * point count and first, last, min and max point (times in epoch µs). The rows
 * are few (columns × series); m4Series (chartQuery.ts) turns them into the points to draw.
 * When a column holds its extreme value twice, either point may be kept (tie
 * breaking by time doubled the cost): the picture is the same. Null values are
 * left out (pointsSql): a stretch without values is a gap, drawn as one.
 * Columns start at `originUs` (the window's start unless the grid is aligned
 * to a continuous aggregate's buckets, see serverChartSql.ts).
 */
export function m4Sql(source: ChartSource, window: TimeWindow, bucketUs: number, originUs = window.fromUs): string {
  return `SELECT k, CAST((t - ${int(originUs)}) // ${int(bucketUs)} AS DOUBLE) AS px, CAST(count(*) AS DOUBLE) AS n,
    CAST(min(t) AS DOUBLE) AS t0, arg_min(v, t) AS v0, CAST(max(t) AS DOUBLE) AS t1, arg_max(v, t) AS v1,
    CAST(arg_min(t, v) AS DOUBLE) AS tmin, min(v) AS vmin, CAST(arg_max(t, v) AS DOUBLE) AS tmax, max(v) AS vmax
  FROM (${pointsSql(source, window)})
  GROUP BY k, px ORDER BY k, px`;
}

/**
 * Calendar buckets (hour/day/week in the workspace's zone): the edges come from
 * TypeScript (see calendar.ts, DST-correct), the SQL only compares integers.
 */
export function calendarSql(source: ChartSource, edgesUs: readonly number[]): string {
  if (edgesUs.length < 2) throw new Error('Calendar buckets need at least two edges');
  const lo = edgesUs.slice(0, -1).map(int).join(', ');
  const hi = edgesUs.slice(1).map(int).join(', ');
  const window = { fromUs: edgesUs[0]!, toUs: edgesUs[edgesUs.length - 1]! };
  return `WITH edges AS (SELECT unnest([${lo}]::BIGINT[]) AS lo, unnest([${hi}]::BIGINT[]) AS hi),
pts AS (${pointsSql(source, window)})
SELECT k, CAST(lo AS DOUBLE) AS t_us, CAST(hi AS DOUBLE) AS t_end_us, avg(v) AS v, min(v) AS vmin, max(v) AS vmax,
  CAST(count(*) AS DOUBLE) AS n
FROM pts JOIN edges ON pts.t >= edges.lo AND pts.t < edges.hi
GROUP BY k, lo, hi ORDER BY k, lo`;
}
