/**
 * Multi-resolution M4: per series, the first/last/min/max point of every
 * power-of-two time bucket (a "level"), built once per cached day so a zoom step
 * reads a few rows per pixel instead of every point in the window.
 *
 * A zoom step over a window W px wide reads the coarsest level whose buckets are
 * at most a pixel wide and puts each level bucket in the pixel column where it
 * starts. Where the level's buckets nest in the pixel columns the answer is M4
 * over the raw points; otherwise a column's first/last/min/max is at most one
 * level bucket off at its edges. The window's own edges, where a level bucket
 * would reach outside the window, are read from the raw points.
 * Same SQL on both engines (integer arithmetic and epoch_us only, no ICU).
 */
import { quoteIdent } from '../sql';
import type { ChartGrid } from './m4Columns';
import { bucketWidthUs, pointsSql, type ChartSource, type TimeWindow } from './m4Sql';

/** Level exponents: buckets of 2^e µs, from ~1 s (2^20) to ~19 h (2^36), ×4 apart. */
export const LEVEL_EXPONENTS: readonly number[] = [20, 22, 24, 26, 28, 30, 32, 34, 36];

/**
 * A level is kept only where it folds at least this many points into each of
 * its rows on average: finer levels would cost about what the raw points cost
 * to read, and disk (at 8, the levels of 1 point a second took a third of the
 * cache's size; at 32, about a tenth).
 */
export const MIN_POINTS_PER_LEVEL_ROW = 32;

/** The M4 columns every level row holds (times in epoch µs, values as DOUBLE). */
const M4_FIELDS = 'n, t0, v0, t1, v1, tmin, vmin, tmax, vmax';

function int(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`Not a finite number: ${n}`);
  return String(Math.trunc(n));
}

/** Start of the 2^e µs bucket holding `sqlUs` (floored, also for times before 1970). */
function bucketStartSql(sqlUs: string, exponent: number): string {
  const width = int(2 ** exponent);
  return `(${sqlUs} - (((${sqlUs}) % ${width}) + ${width}) % ${width})`;
}

/**
 * The levels of a source's points as rows (level, <keep columns>, b0, n, t0, v0,
 * t1, v1, tmin, vmin, tmax, vmax), ordered so a reader prunes by level and series.
 * `keep` are the columns that name a series (e.g. metric_name, series_id), as
 * SQL expressions with the name they are stored under. The finest level is
 * grouped from the points, each coarser one from the level below it; levels
 * that fold fewer than MIN_POINTS_PER_LEVEL_ROW points per row are left out.
 */
export function buildLevelsSql(
  source: Pick<ChartSource, 'relation' | 'timeColumn' | 'valueSql' | 'where'>,
  keep: readonly { name: string; sql: string }[],
): string {
  if (keep.length === 0) throw new Error('Levels need at least one column naming the series');
  const keepSelect = keep.map((c) => `${c.sql} AS ${quoteIdent(c.name)}`).join(', ');
  const keepNames = keep.map((c) => quoteIdent(c.name)).join(', ');
  const time = quoteIdent(source.timeColumn);
  const where = [`${time} IS NOT NULL`, `${source.valueSql} IS NOT NULL`, ...(source.where ?? [])];
  const [finest, ...coarser] = LEVEL_EXPONENTS;
  const ctes = [
    `pts AS (SELECT ${keepSelect}, epoch_us(${time}) AS t, CAST(${source.valueSql} AS DOUBLE) AS v
      FROM ${source.relation} WHERE ${where.map((c) => `(${c})`).join(' AND ')})`,
    `l${finest} AS MATERIALIZED (SELECT ${keepNames}, ${bucketStartSql('t', finest!)} AS b0, count(*) AS n,
      min(t) AS t0, arg_min(v, t) AS v0, max(t) AS t1, arg_max(v, t) AS v1,
      arg_min(t, v) AS tmin, min(v) AS vmin, arg_max(t, v) AS tmax, max(v) AS vmax
      FROM pts GROUP BY ALL)`,
  ];
  let below = finest!;
  for (const e of coarser) {
    ctes.push(`l${e} AS MATERIALIZED (SELECT ${keepNames}, ${bucketStartSql('b0', e)} AS b0, sum(n) AS n,
      min(t0) AS t0, arg_min(v0, t0) AS v0, max(t1) AS t1, arg_max(v1, t1) AS v1,
      arg_min(tmin, vmin) AS tmin, min(vmin) AS vmin, arg_max(tmax, vmax) AS tmax, max(vmax) AS vmax
      FROM l${below} GROUP BY ALL)`);
    below = e;
  }
  const all = LEVEL_EXPONENTS.map((e) => `SELECT ${int(e)} AS level, ${keepNames}, b0, ${M4_FIELDS} FROM l${e}`).join(
    '\n    UNION ALL ',
  );
  return `WITH ${ctes.join(',\n  ')},
  levels AS (${all}),
  sized AS (SELECT *, count(*) OVER (PARTITION BY level) AS level_rows, sum(n) OVER (PARTITION BY level) AS level_points FROM levels)
SELECT CAST(level AS TINYINT) AS level, ${keepNames}, CAST(b0 AS BIGINT) AS b0, CAST(n AS BIGINT) AS n,
  CAST(t0 AS BIGINT) AS t0, v0, CAST(t1 AS BIGINT) AS t1, v1, CAST(tmin AS BIGINT) AS tmin, vmin,
  CAST(tmax AS BIGINT) AS tmax, vmax
FROM sized WHERE level_rows * ${int(MIN_POINTS_PER_LEVEL_ROW)} <= level_points
ORDER BY level, ${keepNames}, b0`;
}

/** The level a window drawn `width` px wide reads: the coarsest whose buckets are at most a pixel, or null. */
export function pickLevel(window: TimeWindow, width: number): number | null {
  const pixelUs = bucketWidthUs(window, width);
  let picked: number | null = null;
  for (const e of LEVEL_EXPONENTS) if (2 ** e <= pixelUs) picked = e;
  return picked;
}

/**
 * Where a levelled zoom step reads what: the level, the pixel columns, the
 * interior (whole level buckets inside the window) whose level rows are read,
 * and the raw edges at each end of the window.
 */
export interface LevelPlan {
  level: number;
  grid: ChartGrid;
  interior: TimeWindow;
  edges: TimeWindow[];
}

export function planLevelRead(window: TimeWindow, width: number): LevelPlan | null {
  const level = pickLevel(window, width);
  if (level === null) return null;
  const levelUs = 2 ** level;
  const from = Math.ceil(window.fromUs / levelUs) * levelUs;
  const to = Math.floor(window.toUs / levelUs) * levelUs;
  if (!(to > from)) return null;
  const edges = [
    { fromUs: window.fromUs, toUs: from },
    { fromUs: to, toUs: window.toUs },
  ].filter((e) => e.toUs > e.fromUs);
  const grid = { originUs: window.fromUs, bucketUs: bucketWidthUs(window, width) };
  return { level, grid, interior: { fromUs: from, toUs: to }, edges };
}

/** Level rows to read: a relation of them, the SQL naming each row's series, and filters on it. */
export interface LevelSource {
  relation: string;
  keySql: string;
  where?: string[];
}

/**
 * M4 columns (k, px, n, t0, v0, t1, v1, tmin, vmin, tmax, vmax: m4Sql's shape)
 * on the plan's pixel columns from level rows inside the interior, each in the
 * column where its bucket starts, and raw points (`raw`: each a source and the
 * window it is read in: the edges, and days without levels, whose points are
 * placed as their level rows would be).
 */
export function levelledM4Sql(
  plan: LevelPlan,
  levels: readonly LevelSource[],
  raw: readonly { source: ChartSource; window: TimeWindow }[],
): string {
  const { originUs, bucketUs } = plan.grid;
  const parts = [
    ...levels.map((l) => {
      const conds = [
        `level = ${int(plan.level)}`,
        `b0 >= ${int(plan.interior.fromUs)}`,
        `b0 < ${int(plan.interior.toUs)}`,
        ...(l.where ?? []),
      ];
      return `SELECT CAST(${l.keySql} AS VARCHAR) AS k, b0, ${M4_FIELDS} FROM ${l.relation}
    WHERE ${conds.map((c) => `(${c})`).join(' AND ')}`;
    }),
    // Raw points inside the interior (days without levels) are placed like level rows, at their bucket's start.
    ...raw.map(
      (r) => `SELECT k, CASE WHEN t >= ${int(plan.interior.fromUs)} AND t < ${int(plan.interior.toUs)}
      THEN ${bucketStartSql('t', plan.level)} ELSE t END AS b0,
      1 AS n, t AS t0, v AS v0, t AS t1, v AS v1, t AS tmin, v AS vmin, t AS tmax, v AS vmax
    FROM (${pointsSql(r.source, r.window)})`,
    ),
  ];
  if (parts.length === 0) throw new Error('A levelled chart read needs level rows or raw points');
  return `SELECT k, CAST((b0 - ${int(originUs)}) // ${int(bucketUs)} AS DOUBLE) AS px, CAST(sum(n) AS DOUBLE) AS n,
    CAST(min(t0) AS DOUBLE) AS t0, arg_min(v0, t0) AS v0, CAST(max(t1) AS DOUBLE) AS t1, arg_max(v1, t1) AS v1,
    CAST(arg_min(tmin, vmin) AS DOUBLE) AS tmin, min(vmin) AS vmin, CAST(arg_max(tmax, vmax) AS DOUBLE) AS tmax, max(vmax) AS vmax
  FROM (${parts.join('\n  UNION ALL ')})
  GROUP BY k, px ORDER BY k, px`;
}
