/**
 * How values look in the grid. Pure functions so they are tested in Node and
 * used the same way by the grid and by copy/export later.
 */
import { formatInstant, formatWallTime } from '../../shared/timeZone';
import type { CellValue, ColumnKind } from '../engine/rows';

/** `YYYY-MM-DD HH:mm:ss` of a time with no zone (milliseconds only when there are some). */
export const formatTimestamp = formatWallTime;

export function formatDate(epochMs: number): string {
  const text = formatTimestamp(epochMs);
  const space = text.indexOf(' ');
  return space > 0 ? text.slice(0, space) : text;
}

/** Doubles: up to 6 decimals with trailing zeros dropped; exponent for the very large or small. */
export function formatFloat(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 1e15 || abs < 1e-6) return value.toExponential(6).replace(/\.?0+e/, 'e');
  const fixed = value.toFixed(6);
  const trimmed = fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
  return trimmed === '-0' ? '0' : trimmed;
}

export function formatInteger(value: number | bigint): string {
  if (typeof value === 'bigint') return value.toString();
  return Number.isInteger(value) ? String(value) : formatFloat(value);
}

/** A zone-aware timestamp in `timeZone`, with its offset (see formatInstant); a plain TIMESTAMP has no zone. */
function formatTimestampIn(epochMs: number, timeZone: string | undefined): string {
  return timeZone ? formatInstant(epochMs, timeZone) : formatWallTime(epochMs);
}

/** Decimals that show every value of a sample exactly (up to 6), so a column lines up. */
export function decimalsFor(values: readonly CellValue[]): number {
  let decimals = 0;
  for (const v of values) {
    if (typeof v !== 'number' || !Number.isFinite(v)) continue;
    const abs = Math.abs(v);
    if (abs >= 1e15 || (abs > 0 && abs < 1e-6)) continue;
    const text = formatFloat(v);
    const dot = text.indexOf('.');
    if (dot >= 0) decimals = Math.max(decimals, text.length - dot - 1);
    if (decimals >= 6) return 6;
  }
  return decimals;
}

/** A float with a column's fixed decimals (exponent form for the very large or small stays as it is). */
export function formatFixed(value: number, decimals: number): string {
  const abs = Math.abs(value);
  if (!Number.isFinite(value) || abs >= 1e15 || (abs > 0 && abs < 1e-6)) return formatFloat(value);
  const text = value.toFixed(decimals);
  return /^-0(\.0*)?$/.test(text) ? text.slice(1) : text;
}

export function formatCell(value: CellValue, kind: ColumnKind, timeZone?: string, decimals?: number): string {
  if (value === null) return 'NULL';
  switch (kind) {
    case 'integer':
      return typeof value === 'number' || typeof value === 'bigint' ? formatInteger(value) : String(value);
    case 'float':
      if (typeof value !== 'number') return String(value);
      return decimals === undefined ? formatFloat(value) : formatFixed(value, decimals);
    case 'timestamp':
      return typeof value === 'number' ? formatTimestampIn(value, timeZone) : String(value);
    case 'date':
      return typeof value === 'number' ? formatDate(value) : String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      return String(value);
  }
}

export function isNumericKind(kind: ColumnKind): boolean {
  return kind === 'integer' || kind === 'float';
}

const SHORT_TYPES: Record<string, string> = {
  'TIMESTAMP WITH TIME ZONE': 'timestamptz',
  TIMESTAMPTZ: 'timestamptz',
  TIMESTAMP: 'timestamp',
  TIMESTAMP_S: 'timestamp',
  TIMESTAMP_MS: 'timestamp',
  TIMESTAMP_NS: 'timestamp',
  'TIME WITH TIME ZONE': 'timetz',
  DOUBLE: 'double',
  FLOAT: 'float',
  REAL: 'float',
  BIGINT: 'bigint',
  INTEGER: 'int',
  SMALLINT: 'smallint',
  TINYINT: 'tinyint',
  HUGEINT: 'hugeint',
  UBIGINT: 'ubigint',
  UINTEGER: 'uint',
  VARCHAR: 'text',
  BOOLEAN: 'bool',
  DATE: 'date',
  INTERVAL: 'interval',
  BLOB: 'blob',
  UUID: 'uuid',
  JSON: 'json',
};

/** A short lowercase type for column headers: `TIMESTAMP WITH TIME ZONE` → `timestamptz`. */
export function shortType(duckdbType: string): string {
  const upper = duckdbType.trim().toUpperCase();
  const known = SHORT_TYPES[upper];
  if (known) return known;
  if (upper.startsWith('DECIMAL')) return upper.toLowerCase().replace(/\s+/g, '');
  if (upper.startsWith('VARCHAR')) return 'text';
  if (upper.endsWith('[]')) return `${shortType(upper.slice(0, -2))}[]`;
  if (upper.startsWith('STRUCT')) return 'struct';
  if (upper.startsWith('MAP')) return 'map';
  if (upper.startsWith('UNION')) return 'union';
  const compact = upper.toLowerCase();
  return compact.length > 16 ? `${compact.slice(0, 15)}…` : compact;
}

/** A count with thousands separators: 12,345. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

const compactCount = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

/** A count where its size matters more than its digits (estimates, sidebar totals): 12K, 3.4M. */
export function formatCompactCount(n: number): string {
  return compactCount.format(n);
}

export function formatRowCount(rows: number): string {
  return `${formatCount(rows)} ${rows === 1 ? 'row' : 'rows'}`;
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1) return '<1 ms';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return `${minutes} min ${seconds} s`;
}
