/** Times on the chart's axis and tooltip, in the workspace's time zone. */
import { zoneOffsetMs } from '../../../shared/timeZone';
import { formatTimestamp } from '../../workbench/format';

const cache = new Map<string, Intl.DateTimeFormat>();

function fmt(timeZone: string, kind: 'day' | 'minute' | 'second'): Intl.DateTimeFormat {
  const key = `${timeZone}|${kind}`;
  let f = cache.get(key);
  if (!f) {
    const base: Intl.DateTimeFormatOptions = { timeZone, hourCycle: 'h23' };
    const opts: Record<typeof kind, Intl.DateTimeFormatOptions> = {
      day: { ...base, month: 'short', day: 'numeric' },
      minute: { ...base, month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' },
      second: { ...base, hour: '2-digit', minute: '2-digit', second: '2-digit' },
    };
    f = new Intl.DateTimeFormat('en-GB', opts[kind]);
    cache.set(key, f);
  }
  return f;
}

/** An axis tick: days when the view spans days, minutes or seconds when zoomed in. */
export function formatTick(ms: number, spanMs: number, timeZone: string): string {
  if (spanMs > 4 * 86_400_000) return fmt(timeZone, 'day').format(ms);
  if (spanMs > 10 * 60_000) return fmt(timeZone, 'minute').format(ms);
  return fmt(timeZone, 'second').format(ms);
}

/** A point's time in tooltips and the brushed range: the workbench's one time format. */
export { formatInstant } from '../../../shared/timeZone';

/** "2 h", "15 min", "30 s", "250 ms": the width of one pixel column. */
export function formatSpan(ms: number): string {
  const units: [number, string][] = [
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'min'],
    [1000, 's'],
  ];
  for (const [size, unit] of units) {
    if (ms >= size) {
      const n = ms / size;
      return `${n >= 10 ? Math.round(n) : Math.round(n * 10) / 10} ${unit}`;
    }
  }
  return `${Math.max(1, Math.round(ms))} ms`;
}

/**
 * Wall-clock text "YYYY-MM-DD HH:MM:SS.ffffff" in a zone (for grid filters and SQL literals).
 * Per point in a CSV export, so it reuses the cached zone offset instead of building an Intl formatter per call.
 */
export function wallText(ms: number, timeZone: string): string {
  const seconds = formatTimestamp(ms + zoneOffsetMs(ms, timeZone)).split('.')[0];
  const micros = String(Math.round((((ms % 1000) + 1000) % 1000) * 1000)).padStart(6, '0');
  return `${seconds}.${micros}`;
}
