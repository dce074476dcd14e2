/**
 * Calendar buckets in a time zone: the edges are computed here (DST-correct —
 * a day in Europe/Berlin on the last Sunday of March is 23 hours), so the SQL
 * only compares epoch integers and runs without ICU.
 */
import { wallTimeToEpochMs, zoneOffsetMs } from '../timeZone';

export type CalendarUnit = 'hour' | 'day' | 'week';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The start of the calendar unit containing `epochMs`, in `timeZone` (weeks start on Monday). */
export function calendarFloor(epochMs: number, unit: CalendarUnit, timeZone: string): number {
  if (unit === 'hour') {
    // Offsets are whole hours almost everywhere; half-hour zones get hours at :30 UTC.
    const offset = zoneOffsetMs(epochMs, timeZone);
    return Math.floor((epochMs + offset) / HOUR) * HOUR - offset;
  }
  const wall = epochMs + zoneOffsetMs(epochMs, timeZone);
  let dayStart = Math.floor(wall / DAY) * DAY;
  if (unit === 'week') dayStart -= ((new Date(dayStart).getUTCDay() + 6) % 7) * DAY;
  return wallTimeToEpochMs(dayStart, timeZone);
}

/** The start of the next unit after the one starting at `startMs` (itself an edge). */
export function calendarNext(startMs: number, unit: CalendarUnit, timeZone: string): number {
  if (unit === 'hour') return startMs + HOUR;
  const wall = startMs + zoneOffsetMs(startMs, timeZone);
  return wallTimeToEpochMs(wall + (unit === 'week' ? 7 : 1) * DAY, timeZone);
}

/** Edges (epoch ms) of the units covering [fromMs, toMs): first ≤ fromMs, last ≥ toMs. */
export function calendarEdges(
  fromMs: number,
  toMs: number,
  unit: CalendarUnit,
  timeZone: string,
  maxBuckets = 5000,
): number[] {
  const edges = [calendarFloor(fromMs, unit, timeZone)];
  while (edges[edges.length - 1]! < toMs) {
    if (edges.length > maxBuckets) {
      throw new Error(`More than ${maxBuckets} ${unit} buckets: zoom in or pick a larger bucket`);
    }
    edges.push(calendarNext(edges[edges.length - 1]!, unit, timeZone));
  }
  if (edges.length === 1) edges.push(calendarNext(edges[0]!, unit, timeZone));
  return edges;
}

/**
 * Period comparison: the previous period of the same calendar length ("last
 * week" for a week), and how far to shift its points onto this one.
 */
export function previousPeriod(
  fromMs: number,
  toMs: number,
  unit: 'day' | 'week',
  timeZone: string,
): { fromMs: number; toMs: number; shiftMs: number } {
  const start = calendarFloor(fromMs, unit, timeZone);
  const wall = start + zoneOffsetMs(start, timeZone);
  const previousStart = wallTimeToEpochMs(wall - (unit === 'week' ? 7 : 1) * DAY, timeZone);
  const shiftMs = start - previousStart;
  return { fromMs: fromMs - shiftMs, toMs: toMs - shiftMs, shiftMs };
}
