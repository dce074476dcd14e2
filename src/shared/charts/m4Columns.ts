/**
 * M4 pixel columns as data: what m4Sql answers on the warehouse and DuckDB-WASM,
 * and what the server's M4 (serverChartSql.ts) and continuous aggregates answer
 * in the same shape. Columns of one grid from different sources (cached days,
 * server rows, an aggregate) merge exactly: a column's first point is the
 * earliest of its parts' first points, its minimum the least of their minima.
 */
import { bucketWidthUs } from './m4Sql';

/** Where the pixel columns lie: column `px` covers [originUs + px·bucketUs, originUs + (px+1)·bucketUs). */
export interface ChartGrid {
  originUs: number;
  bucketUs: number;
}

export interface M4Column {
  k: string;
  px: number;
  n: number;
  t0: number;
  v0: number;
  t1: number;
  v1: number;
  tmin: number;
  vmin: number;
  tmax: number;
  vmax: number;
}

/** Rows as an engine returns them (numbers may come as bigint or text) as M4 columns. */
export function m4Columns(rows: readonly Record<string, unknown>[]): M4Column[] {
  return rows.map((r) => ({
    k: String(r.k),
    px: Number(r.px),
    n: Number(r.n),
    t0: Number(r.t0),
    v0: Number(r.v0),
    t1: Number(r.t1),
    v1: Number(r.v1),
    tmin: Number(r.tmin),
    vmin: Number(r.vmin),
    tmax: Number(r.tmax),
    vmax: Number(r.vmax),
  }));
}

function mergeInto(a: M4Column, b: M4Column): void {
  a.n += b.n;
  if (b.t0 < a.t0) {
    a.t0 = b.t0;
    a.v0 = b.v0;
  }
  if (b.t1 > a.t1) {
    a.t1 = b.t1;
    a.v1 = b.v1;
  }
  if (b.vmin < a.vmin || (b.vmin === a.vmin && b.tmin < a.tmin)) {
    a.vmin = b.vmin;
    a.tmin = b.tmin;
  }
  if (b.vmax > a.vmax || (b.vmax === a.vmax && b.tmax < a.tmax)) {
    a.vmax = b.vmax;
    a.tmax = b.tmax;
  }
}

/** One list of columns, ordered by series and column, from parts over the same grid. */
export function mergeM4Columns(parts: readonly (readonly M4Column[])[]): M4Column[] {
  if (parts.length === 1) return [...parts[0]!].sort(byColumn);
  const byKey = new Map<string, M4Column>();
  for (const part of parts) {
    for (const column of part) {
      const key = `${column.px}\u0000${column.k}`;
      const held = byKey.get(key);
      if (held) mergeInto(held, column);
      else byKey.set(key, { ...column });
    }
  }
  return [...byKey.values()].sort(byColumn);
}

function byColumn(a: M4Column, b: M4Column): number {
  return a.k < b.k ? -1 : a.k > b.k ? 1 : a.px - b.px;
}

/**
 * The grid for a window drawn `width` px wide: columns a pixel wide from the
 * window's start, or, given a continuous aggregate's buckets (`alignUs` wide,
 * from `alignOriginUs`), the widest whole number of its buckets that is at most
 * a pixel, starting on one of its bucket edges — so every aggregate bucket lies
 * in exactly one column. Null when the aggregate's buckets are wider than a pixel.
 */
export function chartGrid(
  window: { fromUs: number; toUs: number },
  width: number,
  align?: { alignUs: number; alignOriginUs: number },
): ChartGrid | null {
  const pixelUs = bucketWidthUs(window, width);
  if (!align) return { originUs: window.fromUs, bucketUs: pixelUs };
  const { alignUs, alignOriginUs } = align;
  if (!(alignUs > 0) || alignUs > pixelUs) return null;
  const bucketUs = Math.floor(pixelUs / alignUs) * alignUs;
  const originUs = alignOriginUs + Math.floor((window.fromUs - alignOriginUs) / alignUs) * alignUs;
  return { originUs, bucketUs };
}
