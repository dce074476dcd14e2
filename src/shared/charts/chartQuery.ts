/**
 * One zoom step of a chart, engine-agnostic: count the window, then draw raw
 * points when there are few per pixel, else M4 per pixel column (or calendar
 * buckets when the user asked for them). `exec` runs SQL on whichever engine
 * holds the data and returns plain rows.
 */
import { calendarEdges, type CalendarUnit } from './calendar';
import { m4Columns, type ChartGrid, type M4Column } from './m4Columns';
import { planLevelRead, type LevelPlan } from './m4Levels';
import { RAW_POINTS_PER_PIXEL, bucketWidthUs, calendarSql, m4Sql, rawSql, type ChartSource } from './m4Sql';

export type ChartBucket = 'auto' | CalendarUnit;

/** A metric chart's series key is `<metric> · <series_id>` (ChartService builds it in SQL). */
export const SERIES_KEY_SEPARATOR = ' · ';

export interface ChartSeriesData {
  key: string;
  /** Epoch ms. */
  t: number[];
  v: number[];
}

export interface ChartData {
  mode: 'raw' | 'm4' | 'calendar';
  /** Width of one pixel column (M4) or the calendar unit's nominal length, ms; 0 for raw. */
  bucketMs: number;
  /** Points in the window before aggregation. */
  rawPoints: number;
  series: ChartSeriesData[];
  /** Server charts: where each stretch came from, rows over the wire, or why nothing was drawn. */
  parts?: { fromMs: number; toMs: number; from: 'cache' | 'server' | 'aggregate'; name: string | null }[];
  serverRows?: number;
  heavy?: { rows: number; note: string; fromDay: string; toDay: string } | null;
}

export interface ChartRequest {
  fromMs: number;
  toMs: number;
  /** The plot's width in pixels. */
  width: number;
  bucket: ChartBucket;
  timeZone: string;
}

export type Exec = (sql: string) => Promise<Record<string, unknown>[]>;

/** A calendar unit's nominal length, for the chart's labels. */
export const NOMINAL_MS: Record<CalendarUnit, number> = { hour: 3_600_000, day: 86_400_000, week: 604_800_000 };

/** The chart's series by key, in the order their keys first come; rows come grouped by key, so the last one is kept at hand. */
class SeriesByKey {
  private readonly byKey = new Map<string, ChartSeriesData>();
  private last: ChartSeriesData | undefined;

  of(key: string): ChartSeriesData {
    if (this.last?.key === key) return this.last;
    let series = this.byKey.get(key);
    if (!series) this.byKey.set(key, (series = { key, t: [], v: [] }));
    return (this.last = series);
  }

  all(): ChartSeriesData[] {
    return [...this.byKey.values()];
  }
}

/** Rows of (k, t_us, v), ordered by series and time, as the chart's series (times in ms). */
export function groupRows(rows: readonly Record<string, unknown>[]): ChartSeriesData[] {
  const series = new SeriesByKey();
  for (const row of rows) {
    const s = series.of(String(row.k));
    s.t.push(Number(row.t_us) / 1000);
    s.v.push(Number(row.v));
  }
  return series.all();
}

/**
 * M4 columns (ordered by series) as the chart's series: each column's first, min, max and last
 * point in time order (ties by value), a point shared by two corners once. A zoom step's few
 * thousand columns go straight into the series' arrays, with no object per point.
 */
export function m4Series(columns: readonly M4Column[]): ChartSeriesData[] {
  const series = new SeriesByKey();
  const t = [0, 0, 0, 0];
  const v = [0, 0, 0, 0];
  for (const c of columns) {
    const s = series.of(c.k);
    t[0] = c.t0;
    v[0] = c.v0;
    t[1] = c.tmin;
    v[1] = c.vmin;
    t[2] = c.tmax;
    v[2] = c.vmax;
    t[3] = c.t1;
    v[3] = c.v1;
    // Four corners: an insertion sort by time, then value.
    for (let i = 1; i < 4; i++) {
      const ti = t[i]!;
      const vi = v[i]!;
      let j = i - 1;
      while (j >= 0 && (t[j]! > ti || (t[j] === ti && v[j]! > vi))) {
        t[j + 1] = t[j]!;
        v[j + 1] = v[j]!;
        j--;
      }
      t[j + 1] = ti;
      v[j + 1] = vi;
    }
    for (let i = 0; i < 4; i++) {
      if (i > 0 && t[i] === t[i - 1] && v[i] === v[i - 1]) continue;
      s.t.push(t[i]! / 1000);
      s.v.push(v[i]!);
    }
  }
  return series.all();
}

/**
 * How to read a zoom step from M4 levels (m4Levels.ts): given the level plan,
 * the SQL of its M4 columns, or null where no levels can serve it.
 */
export type LevelledRead = (plan: LevelPlan) => Promise<string | null>;

export async function chartData(
  exec: Exec,
  source: ChartSource,
  req: ChartRequest,
  levelled?: LevelledRead,
): Promise<ChartData> {
  const window = { fromUs: Math.floor(req.fromMs * 1000), toUs: Math.ceil(req.toMs * 1000) };
  if (req.bucket !== 'auto') {
    const edges = calendarEdges(req.fromMs, req.toMs, req.bucket, req.timeZone).map((ms) => ms * 1000);
    const rows = await exec(calendarSql(source, edges));
    const rawPoints = rows.reduce((sum, r) => sum + Number(r.n), 0);
    return { mode: 'calendar', bucketMs: NOMINAL_MS[req.bucket], rawPoints, series: groupRows(rows) };
  }
  // One read: the M4 columns also say how many points the window holds.
  const plan = levelled ? planLevelRead(window, req.width) : null;
  const levelSql = plan && levelled ? await levelled(plan) : null;
  const grid: ChartGrid =
    plan && levelSql ? plan.grid : { originUs: window.fromUs, bucketUs: bucketWidthUs(window, req.width) };
  const columns = m4Columns(await exec(levelSql ?? m4Sql(source, window, grid.bucketUs)));
  const rawPoints = columns.reduce((sum, c) => sum + c.n, 0);
  const seriesCount = Math.max(1, new Set(columns.map((c) => c.k)).size);
  if (rawPoints <= RAW_POINTS_PER_PIXEL * req.width * seriesCount) {
    return {
      mode: 'raw',
      bucketMs: 0,
      rawPoints,
      series: groupRows(await exec(rawSql(source, window, rawPoints + 1))),
    };
  }
  return { mode: 'm4', bucketMs: grid.bucketUs / 1000, rawPoints, series: m4Series(columns) };
}
