/**
 * What a result grid shows of a query's result — its sort, its filters and
 * its visible columns — as SQL. The grid's engine (DuckDB-WASM) pages through
 * it and the warehouse exports the same view, so both read one definition.
 * Every column name is quoted and every value is either validated (numbers,
 * times) or quoted as a literal, so nothing typed in a filter box can become SQL.
 */
import { quoteIdent, quoteLiteral } from './sql';
import { wallTimeToEpochMs } from './timeZone';

/** How the grid shows and filters a column's values. */
export type ColumnKind = 'integer' | 'float' | 'timestamp' | 'date' | 'boolean' | 'text' | 'other';

export interface SortKey {
  column: string;
  desc: boolean;
}

/** `ORDER BY` the sort keys, then `tieBreak` (e.g. the engine's `rowid`, for a stable load order). */
export function orderBy(sort: readonly SortKey[], tieBreak: readonly string[] = []): string {
  const keys = sort.map((s) => `${quoteIdent(s.column)} ${s.desc ? 'DESC' : 'ASC'} NULLS LAST`);
  const all = [...keys, ...tieBreak];
  return all.length ? `ORDER BY ${all.join(', ')}` : '';
}

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
/** A date, a time on it, and an offset as the grid shows it (`+01`, `+05:30`, `Z`); without one the filter's zone applies. */
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?\s*(Z|UTC|[+-]\d{2}(?::?\d{2})?)?)?$/i;

/** `+01`, `-02:30`, `+0530`, `Z` or `UTC` as ms ahead of UTC. */
function offsetMs(text: string): number {
  if (/^(z|utc)$/i.test(text)) return 0;
  const sign = text.startsWith('-') ? -1 : 1;
  const digits = text.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || 0)) * 60_000;
}

function numberLiteral(value: string, column: string): string {
  const text = value.trim();
  if (!NUMBER.test(text)) throw new FilterValueError(`“${value}” is not a number (column ${column})`);
  return text;
}

/** Microseconds since the epoch for a wall-clock time typed in `timeZone`. */
export function parseTimeInZone(value: string, timeZone: string): bigint | null {
  const m = DATE_TIME.exec(value.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac, offset] = m;
  const wall = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h ?? 0), Number(mi ?? 0), Number(s ?? 0));
  if (Number.isNaN(wall)) return null;
  const epochMs = offset === undefined ? wallTimeToEpochMs(wall, timeZone) : wall - offsetMs(offset);
  const micros = BigInt(epochMs) * 1000n;
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
      if (!m || m[4] !== undefined || m[8] !== undefined)
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

/** A grid's view of a result: sort, filters and the visible columns in display order. */
export interface GridViewSpec {
  sort: SortKey[];
  filters: ColumnFilter[];
  columns: string[];
}

/**
 * `SELECT <columns> FROM (<query>) WHERE … ORDER BY …`: the view over a query
 * (one statement, no trailing semicolon). The caller has checked the names
 * against the query's columns; `select` may replace a column's expression
 * (e.g. to format it), keyed by name, and is trusted SQL.
 */
export function viewSql(
  query: string,
  view: GridViewSpec,
  ctx: FilterContext,
  select: ReadonlyMap<string, string> = new Map(),
): string {
  const columns = view.columns.map((c) => select.get(c) ?? quoteIdent(c)).join(', ');
  // New lines around the query so a trailing `-- comment` cannot swallow the closing parenthesis.
  return [`SELECT ${columns} FROM (\n${query}\n) AS result`, whereClause(view.filters, ctx), orderBy(view.sort)]
    .filter(Boolean)
    .join(' ');
}

/** What an export of the view holds, in a few words: `sorted by ts ↓, 2 filters, 5 of 8 columns`; '' for everything as the query returns it. */
export function viewSummary(view: GridViewSpec, totalColumns: number): string {
  const parts: string[] = [];
  if (view.sort.length) parts.push(`sorted by ${view.sort.map((s) => `${s.column} ${s.desc ? '↓' : '↑'}`).join(', ')}`);
  if (view.filters.length) parts.push(`${view.filters.length} ${view.filters.length === 1 ? 'filter' : 'filters'}`);
  if (view.columns.length < totalColumns) parts.push(`${view.columns.length} of ${totalColumns} columns`);
  return parts.join(', ');
}
