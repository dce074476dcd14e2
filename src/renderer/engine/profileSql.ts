/**
 * The column profile's SQL: counts, min/max and a histogram of one column over
 * the whole (filtered) result, run in the WASM engine. Times go through
 * epoch_us (no ICU in DuckDB-WASM) and come back as numbers.
 */
import { quoteIdent } from '../../shared/sql';
import type { ColumnKind } from './rows';

export const HISTOGRAM_BINS = 24;
const TOP_VALUES = 12;

export type ProfileShape = 'numeric' | 'time' | 'values';

export function profileShape(kind: ColumnKind): ProfileShape {
  if (kind === 'integer' || kind === 'float') return 'numeric';
  if (kind === 'timestamp' || kind === 'date') return 'time';
  return 'values';
}

/** The column as a DOUBLE to bin and compare: epoch microseconds for times. */
function numericExpr(column: string, kind: ColumnKind): string {
  const col = quoteIdent(column);
  if (kind === 'timestamp') return `epoch_us(${col})::DOUBLE`;
  if (kind === 'date') return `(epoch_us(${col}::TIMESTAMP))::DOUBLE`;
  return `${col}::DOUBLE`;
}

export function statsSql(table: string, where: string, column: string, kind: ColumnKind): string {
  const col = quoteIdent(column);
  const shape = profileShape(kind);
  const minMax =
    shape === 'values'
      ? `min(CAST(${col} AS VARCHAR)) AS min_text, max(CAST(${col} AS VARCHAR)) AS max_text, NULL::DOUBLE AS lo, NULL::DOUBLE AS hi`
      : `NULL::VARCHAR AS min_text, NULL::VARCHAR AS max_text, min(${numericExpr(column, kind)}) AS lo, max(${numericExpr(column, kind)}) AS hi`;
  return `SELECT count(*)::DOUBLE AS total, (count(*) - count(${col}))::DOUBLE AS nulls, approx_count_distinct(${col})::DOUBLE AS distinct_values, ${minMax} FROM ${quoteIdent(table)} ${where}`;
}

function andNotNull(where: string, column: string): string {
  const notNull = `${quoteIdent(column)} IS NOT NULL`;
  return where ? `${where} AND ${notNull}` : `WHERE ${notNull}`;
}

/** Equal-width bins between lo and hi (numbers already checked finite). */
export function histogramSql(
  table: string,
  where: string,
  column: string,
  kind: ColumnKind,
  lo: number,
  hi: number,
): string {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) throw new Error('Histogram bounds must be finite');
  const width = hi > lo ? (hi - lo) / HISTOGRAM_BINS : 1;
  const x = numericExpr(column, kind);
  return `SELECT least(${HISTOGRAM_BINS - 1}, floor((${x} - ${lo}) / ${width}))::INTEGER AS bin, count(*)::DOUBLE AS n FROM ${quoteIdent(table)} ${andNotNull(where, column)} GROUP BY 1 ORDER BY 1`;
}

export function topValuesSql(table: string, where: string, column: string): string {
  const col = quoteIdent(column);
  return `SELECT CAST(${col} AS VARCHAR) AS value, count(*)::DOUBLE AS n FROM ${quoteIdent(table)} ${andNotNull(where, column)} GROUP BY 1 ORDER BY n DESC, value LIMIT ${TOP_VALUES}`;
}
