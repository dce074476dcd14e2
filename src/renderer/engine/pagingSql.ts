/**
 * The only SQL the interactive engine runs for the grid. Table and column
 * names are quoted; sorting covers the whole table, with the insertion order
 * (rowid) as tie-breaker so pages never overlap or skip rows.
 */
import { quoteIdent } from '../../shared/sql';

export interface SortKey {
  column: string;
  desc: boolean;
}

export function pageSql(table: string, offset: number, limit: number, sort: readonly SortKey[] = []): string {
  if (!Number.isSafeInteger(offset) || offset < 0) throw new Error(`Bad page offset: ${offset}`);
  if (!Number.isSafeInteger(limit) || limit < 0) throw new Error(`Bad page size: ${limit}`);
  const order = sort.length
    ? ` ORDER BY ${sort.map((s) => `${quoteIdent(s.column)} ${s.desc ? 'DESC' : 'ASC'} NULLS LAST`).join(', ')}, rowid`
    : '';
  return `SELECT * FROM ${quoteIdent(table)}${order} LIMIT ${limit} OFFSET ${offset}`;
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
