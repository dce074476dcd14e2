/**
 * The view the grid shows: the layout's filters as a WHERE clause and the sort,
 * and how many rows pass the filters (counted by the engine over the whole result).
 */
import { useEffect, useMemo, useState } from 'react';
import { errorMessage } from '../../../shared/errors';
import { whereClause, type ColumnFilter, type SortKey } from '../../../shared/gridView';
import type { GridView, WasmEngine } from '../../engine/WasmEngine';

export interface ShownView {
  where: string;
  view: GridView;
  /** The filtered rows are still being counted. */
  filtering: boolean;
  /** Rows the grid shows: every row, or those that pass the filters. */
  shownRows: number;
  viewError: string | null;
}

export function useGridView(
  engine: WasmEngine | null,
  tableName: string,
  rowCount: number,
  /** Columns whose times are shown in the workspace's zone: their filters are read in it. */
  zonedSet: ReadonlySet<string>,
  filters: ColumnFilter[],
  sort: SortKey[],
  timeZone: string,
): ShownView {
  const where = useMemo(() => {
    try {
      return whereClause(filters, { timeZone, zoned: zonedSet });
    } catch {
      return ''; // filters are checked when applied; a changed time zone cannot make one invalid
    }
  }, [filters, timeZone, zonedSet]);
  const view = useMemo<GridView>(() => ({ sort, where }), [sort, where]);
  const [viewRows, setViewRows] = useState<{ where: string; rows: number } | null>(null);
  const [viewError, setViewError] = useState<string | null>(null);
  useEffect(() => {
    if (!engine || where === '') return;
    let live = true;
    setViewError(null);
    engine.viewRowCount(tableName, view).then(
      (rows) => live && setViewRows({ where, rows }),
      (err: unknown) => live && setViewError(`Could not filter: ${errorMessage(err)}`),
    );
    return () => {
      live = false;
    };
  }, [engine, tableName, view, where, rowCount]);
  const filtering = where !== '' && viewRows?.where !== where;
  const shownRows = where === '' ? rowCount : filtering ? 0 : (viewRows?.rows ?? 0);
  return { where, view, filtering, shownRows, viewError };
}
