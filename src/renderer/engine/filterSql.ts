/**
 * Grid filters compiled to a WHERE over the engine table. Every column name is
 * quoted and every value is either validated (numbers, times) or quoted as a
 * literal, so nothing typed in a filter box can become SQL.
 */
import { quoteIdent, quoteLiteral } from '../../shared/sql';
import { wallTimeToEpochMs } from '../../shared/timeZone';
import type { ColumnKind } from './rows';

export type FilterOp = 'contains' | 'eq' | 'lt' | 'gt' | 'is_null' | 'not_null';

export interface ColumnFilter {
  column: string;
  kind: ColumnKind;
  op: FilterOp;
  /** As typed; ignored for is_null / not_null. */
  value: string;
}

export const FILTER_OPS: Record<FilterOp, string> = {
  contains: 'contains',
  eq: '=',
  lt: '<',
  gt: '>',
  is_null: 'is null',
  not_null: 'is not null',
};

/** Which operators make sense for a column's kind. */
export function opsFor(kind: ColumnKind): FilterOp[] {
  switch (kind) {
    case 'integer':
    case 'float':
    case 'timestamp':
    case 'date':
      return ['eq', 'lt', 'gt', 'contains', 'is_null', 'not_null'];
    case 'boolean':
      return ['eq', 'is_null', 'not_null'];
    default:
      return ['contains', 'eq', 'lt', 'gt', 'is_null', 'not_null'];
  }
}

/** A value the user typed that does not fit the column: said in their words. */
export class FilterValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FilterValueError';
  }
}

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?$/;

function numberLiteral(value: string, column: string): string {
  const text = value.trim();
  if (!NUMBER.test(text)) throw new FilterValueError(`“${value}” is not a number (column ${column})`);
  return text;
}

/** Microseconds since the epoch for a wall-clock time typed in `timeZone`. */
export function parseTimeInZone(value: string, timeZone: string): bigint | null {
  const m = DATE_TIME.exec(value.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac] = m;
  const wall = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h ?? 0), Number(mi ?? 0), Number(s ?? 0));
  if (Number.isNaN(wall)) return null;
  const micros = BigInt(wallTimeToEpochMs(wall, timeZone)) * 1000n;
  return micros + BigInt((frac ?? '').padEnd(6, '0') || '0');
}

function timeLiteral(value: string, column: string, timeZone: string): string {
  const micros = parseTimeInZone(value, timeZone);
  if (micros === null) {
    throw new FilterValueError(
      `“${value}” is not a time: write it as 2024-05-01 or 2024-05-01 13:30 (column ${column})`,
    );
  }
  return micros.toString();
}

export interface FilterContext {
  /** Timestamps typed in filters are read in this zone (only for zone-aware columns). */
  timeZone: string;
  /** Columns whose type is TIMESTAMP WITH TIME ZONE. */
  zoned?: ReadonlySet<string>;
}

export function filterCondition(f: ColumnFilter, ctx: FilterContext = { timeZone: 'UTC' }): string {
  const col = quoteIdent(f.column);
  if (f.op === 'is_null') return `${col} IS NULL`;
  if (f.op === 'not_null') return `${col} IS NOT NULL`;
  if (f.op === 'contains') {
    // Case-insensitive, on the text the grid shows; no LIKE, so % and _ are plain characters.
    return `contains(lower(CAST(${col} AS VARCHAR)), lower(${quoteLiteral(f.value)}))`;
  }
  const cmp = f.op === 'eq' ? '=' : f.op === 'lt' ? '<' : '>';
  switch (f.kind) {
    case 'integer':
    case 'float':
      return `${col} ${cmp} ${numberLiteral(f.value, f.column)}`;
    case 'timestamp': {
      // epoch_us works without ICU, which DuckDB-WASM lacks.
      const zone = ctx.zoned?.has(f.column) ? ctx.timeZone : 'UTC';
      return `epoch_us(${col}) ${cmp} ${timeLiteral(f.value, f.column, zone)}`;
    }
    case 'date': {
      const m = DATE_TIME.exec(f.value.trim());
      if (!m || m[4] !== undefined)
        throw new FilterValueError(`“${f.value}” is not a date like 2024-05-01 (column ${f.column})`);
      return `${col} ${cmp} DATE ${quoteLiteral(f.value.trim())}`;
    }
    case 'boolean': {
      const v = f.value.trim().toLowerCase();
      if (v !== 'true' && v !== 'false') throw new FilterValueError(`Type true or false (column ${f.column})`);
      return `${col} ${cmp} ${v}`;
    }
    default:
      return `CAST(${col} AS VARCHAR) ${cmp} ${quoteLiteral(f.value)}`;
  }
}

/** `WHERE a AND b`, or '' without filters. */
export function whereClause(filters: readonly ColumnFilter[], ctx?: FilterContext): string {
  if (filters.length === 0) return '';
  return `WHERE ${filters.map((f) => `(${filterCondition(f, ctx)})`).join(' AND ')}`;
}
