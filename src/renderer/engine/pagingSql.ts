/**
 * The only SQL the interactive engine runs for the grid. Table and column
 * names are quoted. A sort or filter never copies the result. A view's first
 * rows are read from the result with top-N; a page past them builds the view's
 * row order — the result's row ids (rowid: load order), filtered and sorted,
 * load order breaking ties — once per view, then reads its slice of that order
 * and fetches just those rows. Result tables are only ever
 * appended to, so a row's rowid is its place in load order and a rowid range
 * is a page that DuckDB reads without scanning the rest.
 */
import { quoteIdent } from '../../shared/sql';
import { orderBy, type SortKey } from '../../shared/gridView';

export type { SortKey };

/** The row-order table's one column: a row id of the result. */
export const ORDER_COLUMN = 'result_row';

/** The sort, then the original load order (rowid) for ties. */
export function orderByClause(sort: readonly SortKey[]): string {
  return orderBy(sort, ['rowid']);
}

function checkRange(offset: number, limit: number): void {
  if (!Number.isSafeInteger(offset) || offset < 0) throw new Error(`Bad page offset: ${offset}`);
  if (!Number.isSafeInteger(limit) || limit < 0) throw new Error(`Bad page size: ${limit}`);
}

/** Rows [offset, offset + limit) in load order (of a result, or of a view's row order). */
export function pageSql(table: string, offset: number, limit: number): string {
  checkRange(offset, limit);
  if (limit === 0) return `SELECT * FROM ${quoteIdent(table)} LIMIT 0`;
  return `SELECT * FROM ${quoteIdent(table)} WHERE rowid BETWEEN ${offset} AND ${offset + limit - 1} ORDER BY rowid`;
}

/** A view's row order: the result's row ids that pass `where`, in sort order (load order for ties). */
export function rowOrderSql(source: string, target: string, sort: readonly SortKey[], where = ''): string {
  const keys = [...new Set(sort.map((s) => s.column))];
  if (keys.length === 0 || keys.includes(ORDER_COLUMN)) {
    const body = [`SELECT rowid AS ${ORDER_COLUMN} FROM ${quoteIdent(source)}`, where, orderByClause(sort)];
    return `CREATE OR REPLACE TABLE ${quoteIdent(target)} AS ${body.filter(Boolean).join(' ')}`;
  }
  // Sorting the row ids with just the sort columns beside them: DuckDB-WASM does this
  // in about 60% of the time it takes ordering by the table's own rowid (measured on 10M rows).
  const inner = [
    `SELECT rowid AS ${ORDER_COLUMN}, ${keys.map(quoteIdent).join(', ')} FROM ${quoteIdent(source)}`,
    where,
  ]
    .filter(Boolean)
    .join(' ');
  return `CREATE OR REPLACE TABLE ${quoteIdent(target)} AS SELECT ${ORDER_COLUMN} FROM (${inner}) ${orderBy(sort, [ORDER_COLUMN])}`;
}

/**
 * Rows [offset, offset + limit) of a view, read from the result itself: DuckDB keeps
 * only the best offset + limit rows as it scans (top-N), instead of sorting them all.
 * The same order as the view's row order (rowOrderSql), so the same page.
 */
export function topRowsSql(
  source: string,
  sort: readonly SortKey[],
  where: string,
  offset: number,
  limit: number,
): string {
  checkRange(offset, limit);
  const body = [`SELECT * FROM ${quoteIdent(source)}`, where, orderByClause(sort), `LIMIT ${limit} OFFSET ${offset}`];
  return body.filter(Boolean).join(' ');
}

/** The rows of `source` with these row ids, in the order given (a page of a view's row order). */
export function rowsByIdSql(source: string, rowIds: readonly number[]): string {
  if (rowIds.length === 0) return `SELECT * FROM ${quoteIdent(source)} LIMIT 0`;
  for (const id of rowIds) if (!Number.isSafeInteger(id) || id < 0) throw new Error(`Bad row id: ${id}`);
  const list = rowIds.join(', ');
  // The range lets DuckDB skip the row groups outside it; the list picks the rows.
  const lo = Math.min(...rowIds);
  const hi = Math.max(...rowIds);
  return `SELECT * FROM ${quoteIdent(source)} WHERE rowid BETWEEN ${lo} AND ${hi} AND rowid IN (${list}) ORDER BY list_position([${list}], rowid)`;
}

/** The rows of `table` (that pass `where`, a compiled WHERE clause). */
export function countSql(table: string, where = ''): string {
  // A DOUBLE comes back as a plain number, never a BigInt.
  return `SELECT count(*)::DOUBLE AS n FROM ${quoteIdent(table)}${where ? ` ${where}` : ''}`;
}

export function dropSql(table: string): string {
  return `DROP TABLE IF EXISTS ${quoteIdent(table)}`;
}

const TABLE_NAME = /^[a-z_][a-z0-9_]*$/;

/** Our own table names are plain identifiers; anything else is a bug. */
export function checkTableName(name: string): string {
  if (!TABLE_NAME.test(name)) throw new Error(`Not an engine table name: ${name}`);
  return name;
}
