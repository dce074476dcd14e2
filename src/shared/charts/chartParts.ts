/**
 * How a server chart's window splits between where its points are read: the
 * cached days (the local warehouse), a continuous aggregate's whole buckets up
 * to what it has materialised, and raw server rows for the rest. Pure: the
 * service asks the cache and the server which days and buckets there are.
 */
import type { UsRange } from './serverChartSql';

export const DAY_US = 86_400_000_000;

/** Epoch µs of a UTC day's midnight, `YYYY-MM-DD`. */
export function dayStartUs(day: string): number {
  return Date.parse(`${day}T00:00:00Z`) * 1000;
}

/** The UTC day holding epoch µs `us`, `YYYY-MM-DD`. */
export function utcDay(us: number): string {
  return new Date(Math.floor(us / 1000)).toISOString().slice(0, 10);
}

/** Ranges in order with touching ones joined. */
export function joinRanges(ranges: readonly UsRange[]): UsRange[] {
  const sorted = ranges.filter((r) => r.toUs > r.fromUs).sort((a, b) => a.fromUs - b.fromUs);
  const out: UsRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.fromUs <= last.toUs) last.toUs = Math.max(last.toUs, r.toUs);
    else out.push({ ...r });
  }
  return out;
}

/** `window` minus `taken` (both in µs), in order. */
export function subtractRanges(window: UsRange, taken: readonly UsRange[]): UsRange[] {
  const out: UsRange[] = [];
  let at = window.fromUs;
  for (const r of joinRanges(taken)) {
    if (r.toUs <= at || r.fromUs >= window.toUs) continue;
    if (r.fromUs > at) out.push({ fromUs: at, toUs: r.fromUs });
    at = Math.max(at, r.toUs);
  }
  if (at < window.toUs) out.push({ fromUs: at, toUs: window.toUs });
  return out;
}

/** The window's stretches on cached days and the rest, each clipped to the window. */
export function splitByCachedDays(
  window: UsRange,
  cachedDays: readonly string[],
): { cache: UsRange[]; server: UsRange[] } {
  const days = cachedDays.map((day) => ({ fromUs: dayStartUs(day), toUs: dayStartUs(day) + DAY_US }));
  const cache = joinRanges(days)
    .map((r) => ({ fromUs: Math.max(r.fromUs, window.fromUs), toUs: Math.min(r.toUs, window.toUs) }))
    .filter((r) => r.toUs > r.fromUs);
  return { cache, server: subtractRanges(window, cache) };
}

/**
 * Of `ranges`, the whole buckets (`bucketUs` wide from `originUs`) that end by
 * `untilUs` — what an aggregate can answer exactly — and the rest, for raw rows.
 */
export function wholeBuckets(
  ranges: readonly UsRange[],
  bucket: { bucketUs: number; originUs: number },
  untilUs: number,
): { whole: UsRange[]; rest: UsRange[] } {
  const { bucketUs, originUs } = bucket;
  const up = (us: number) => originUs + Math.ceil((us - originUs) / bucketUs) * bucketUs;
  const down = (us: number) => originUs + Math.floor((us - originUs) / bucketUs) * bucketUs;
  const whole: UsRange[] = [];
  for (const r of ranges) {
    const fromUs = up(r.fromUs);
    const toUs = down(Math.min(r.toUs, untilUs));
    if (toUs > fromUs) whole.push({ fromUs, toUs });
  }
  const rest = joinRanges(ranges).flatMap((r) => subtractRanges(r, whole));
  return { whole, rest };
}

/** Calendar bucket rows of one part: bucket index `i`, count, sum and extremes per series. */
export interface CalendarCell {
  k: string;
  i: number;
  n: number;
  s: number;
  v: number;
  vmin: number;
  vmax: number;
}

/** Calendar buckets of several parts as one: averages re-weighted by count (exact when one part holds a bucket). */
export function mergeCalendarCells(parts: readonly (readonly CalendarCell[])[]): CalendarCell[] {
  const byKey = new Map<string, CalendarCell & { parts: number }>();
  for (const part of parts) {
    for (const c of part) {
      const key = `${c.i}\u0000${c.k}`;
      const held = byKey.get(key);
      if (!held) {
        byKey.set(key, { ...c, parts: 1 });
        continue;
      }
      held.parts += 1;
      held.n += c.n;
      held.s += c.s;
      held.vmin = Math.min(held.vmin, c.vmin);
      held.vmax = Math.max(held.vmax, c.vmax);
    }
  }
  return [...byKey.values()]
    .map(({ parts: count, ...c }) => (count > 1 ? { ...c, v: c.s / c.n } : c))
    .sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : a.i - b.i));
}
