/**
 * The only SQL the interactive engine runs for the grid. Table and column
 * names are quoted. Sorting covers the whole result: a sorted copy is made
 * once per sort order (the original load order, rowid, breaks ties), so every
 * page after that is a cheap scan instead of a fresh sort.
 */
import { quoteIdent } from '../../shared/sql';
import { orderBy, type SortKey } from '../../shared/gridView';

export type { SortKey };

/** The sort, then the original load order (rowid) for ties. */
export function orderByClause(sort: readonly SortKey[]): string {
  return orderBy(sort, ['rowid']);
}

/** Rows [offset, offset + limit) in the table's own order (load order, or sorted for a sorted copy). */
export function pageSql(table: string, offset: number, limit: number): string {
  if (!Number.isSafeInteger(offset) || offset < 0) throw new Error(`Bad page offset: ${offset}`);
  if (!Number.isSafeInteger(limit) || limit < 0) throw new Error(`Bad page size: ${limit}`);
  return `SELECT * FROM ${quoteIdent(table)} LIMIT ${limit} OFFSET ${offset}`;
}

/** A copy of `source` in sort order; DuckDB keeps insertion order, so plain pages of it come out sorted. */
export function sortedCopySql(source: string, target: string, sort: readonly SortKey[], where = ''): string {
  const body = [`SELECT * FROM ${quoteIdent(source)}`, where, orderByClause(sort)].filter(Boolean).join(' ');
  return `CREATE OR REPLACE TABLE ${quoteIdent(target)} AS ${body}`;
}

export function countSql(table: string): string {
  // A DOUBLE comes back as a plain number, never a BigInt.
  return `SELECT count(*)::DOUBLE AS n FROM ${quoteIdent(table)}`;
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
