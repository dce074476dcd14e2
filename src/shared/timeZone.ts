/**
 * Wall-clock time in an IANA time zone (the workspace's `timeZone`), with the
 * platform's Intl data: no library, works the same in Node and the browser.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** How far the zone's wall clock is ahead of UTC at `epochMs`, in ms. */
export function zoneOffsetMs(epochMs: number, timeZone: string): number {
  if (timeZone === 'UTC' || !Number.isFinite(epochMs)) return 0;
  const parts: Record<string, number> = {};
  for (const p of formatterFor(timeZone).formatToParts(new Date(epochMs))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return wall - (epochMs - (((epochMs % 1000) + 1000) % 1000));
}

/** The instant whose wall-clock time in `timeZone` is `wallMs` (a Date.UTC of the wall fields). */
export function wallTimeToEpochMs(wallMs: number, timeZone: string): number {
  const first = wallMs - zoneOffsetMs(wallMs, timeZone);
  // Once more at the guess: the offset there may differ across a DST change.
  return wallMs - zoneOffsetMs(first, timeZone);
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * `YYYY-MM-DD HH:MM:SS[.fff]` of a wall-clock time given as epoch ms (a
 * Date.UTC of its fields): milliseconds only when there are some, trailing
 * zeros dropped, as DuckDB and PostgreSQL print a time.
 */
export function formatWallTime(wallMs: number): string {
  if (!Number.isFinite(wallMs)) return String(wallMs);
  const d = new Date(Math.floor(wallMs));
  if (Number.isNaN(d.getTime())) return String(wallMs);
  const year = d.getUTCFullYear();
  const yyyy = year < 0 ? `-${pad(-year, 4)}` : pad(year, 4);
  const base = `${yyyy}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  const ms = d.getUTCMilliseconds();
  return ms ? `${base}.${pad(ms, 3).replace(/0+$/, '')}` : base;
}

/** A UTC offset as DuckDB and PostgreSQL print it: `+00`, `+01`, `+05:30`, `-02:30`. */
export function formatOffset(offsetMs: number): string {
  const minutes = Math.round(Math.abs(offsetMs) / 60_000);
  const text = `${offsetMs < 0 ? '-' : '+'}${pad(Math.floor(minutes / 60))}`;
  return minutes % 60 ? `${text}:${pad(minutes % 60)}` : text;
}

/**
 * The one way the workbench shows an instant (grid, inspector, chart
 * tooltips, exports): wall-clock time in `timeZone` (the workspace's) with
 * its offset, `2026-03-08 14:05:00.123+01`. It is how DuckDB and PostgreSQL
 * print a TIMESTAMPTZ, so a CSV export (written with the session's TimeZone
 * set to the workspace's) holds the same text as the grid, and the text
 * pastes back into SQL as `TIMESTAMPTZ '…'`.
 */
export function formatInstant(epochMs: number, timeZone: string): string {
  if (!Number.isFinite(epochMs)) return String(epochMs);
  const offset = zoneOffsetMs(epochMs, timeZone);
  return `${formatWallTime(epochMs + offset)}${formatOffset(offset)}`;
}

/**
 * A time typed into a "(UTC)" field — `YYYY-MM-DD HH:MM[:SS[.fff]]`, a `T`
 * accepted for the space — read as UTC, as epoch ms; null when it is not one.
 * (A browser's datetime-local input would show and take it in the locale's format.)
 */
export function parseUtcInput(value: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/.exec(value.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0));
  return Number.isNaN(ms) ? null : ms + Number((frac ?? '').padEnd(3, '0') || 0);
}

/** Epoch ms as a "(UTC)" field shows it: `YYYY-MM-DD HH:MM`, or with `seconds` `YYYY-MM-DD HH:MM:SS`. */
export function utcInputValue(epochMs: number, seconds = false): string {
  if (!Number.isFinite(epochMs)) return '';
  return new Date(epochMs)
    .toISOString()
    .slice(0, seconds ? 19 : 16)
    .replace('T', ' ');
}
