/**
 * What the grid's pieces share for one render (the result, its view, the
 * columns as shown) and what the user can do with it from the toolbar, the
 * header, the keyboard and the menus: filter, hide, sort and copy.
 */
import type { RefObject } from 'react';
import type { ColumnInfo } from '../../../shared/api/contract';
import type { ExportFormat, ResultExportStarted } from '../../../shared/api/export';
import { errorMessage } from '../../../shared/errors';
import type { ColumnFilter, GridViewSpec, SortKey } from '../../../shared/gridView';
import type { CellValue, ColumnKind } from '../../engine/rows';
import type { GridView, WasmEngine } from '../../engine/WasmEngine';
import { workbench } from '../../state/workbench';
import { formatCell, formatRowCount } from '../../workbench/format';
import { writeClipboard } from '../common/clipboard';
import { rowsToTsv, rowToJson, type CopyColumn } from './copyFormat';
import { say, useGridStore, type GridLayout } from './gridStore';
import type { GridPages } from './pageCaches';
import { selectionBounds } from './selection';
import { cycleSort } from './sorting';

/** Copying more than this goes through Export instead: the clipboard is not a file. */
const COPY_LIMIT = 100_000;

/** A point in the viewport. */
export interface Pointer {
  x: number;
  y: number;
}

export interface GridModel {
  gridKey: string;
  engine: WasmEngine | null;
  tableName: string;
  columns: ColumnInfo[];
  names: string[];
  /** Per column index: its kind, and whether its times are shown in the workspace's zone. */
  kinds: ColumnKind[];
  zoned: boolean[];
  timeZone: string;
  view: GridView;
  cache: GridPages;
  layout: GridLayout;
  setLayout: (patch: Partial<GridLayout>) => void;
  /** Display position → column index. */
  visibleIndex: number[];
  sort: SortKey[];
  onSortChange: (sort: SortKey[]) => void;
  /** Rows are still arriving: sort, filter and profile wait. */
  loading: boolean;
  /** Why sort, filter and profile are off, while `loading`. */
  waitTitle: string | undefined;
  /** Where the user last pressed in the toolbar or opened a column menu: a filter editor opens there. */
  pointer: RefObject<Pointer>;
}

export type GridActions = ReturnType<typeof gridActions>;

export function gridActions(grid: GridModel) {
  const { gridKey, engine, tableName, columns, names, kinds, zoned, timeZone, view, cache, layout, setLayout } = grid;

  /** A value as the grid shows it. */
  const shown = (value: CellValue, index: number): string =>
    value === null ? '' : formatCell(value, kinds[index] ?? 'text', zoned[index] ? timeZone : undefined);

  const copyColumn = (index: number): CopyColumn => ({
    name: names[index] ?? '',
    kind: kinds[index] ?? 'text',
    ...(zoned[index] ? { timeZone } : {}),
  });
  /** Rows [r0, r1] of the view: from the loaded pages when they hold them all, else from the engine. */
  const rowsBetween = async (r0: number, r1: number): Promise<CellValue[][]> => {
    const cached: CellValue[][] = [];
    for (let r = r0; r <= r1; r++) {
      const row = cache.row(r);
      if (!row) break;
      cached.push(row);
    }
    if (cached.length === r1 - r0 + 1) return cached;
    if (!engine) throw new Error('The grid engine is not ready');
    return (await engine.page(tableName, r0, r1 - r0 + 1, view)).rows;
  };
  const copy = async (what: () => Promise<string>, done: string) => {
    try {
      await writeClipboard(await what());
      say(gridKey, done);
    } catch (err) {
      say(gridKey, `Could not copy: ${errorMessage(err)}`);
    }
  };

  const setFilter = (index: number, filter: ColumnFilter | null) => {
    const name = names[index];
    const others = layout.filters.filter((f) => f.column !== name);
    setLayout({ filters: filter ? [...others, filter] : others });
  };

  return {
    setFilter,
    /** A filter on the column equal to this value (or null). */
    filterEqual: (index: number, value: CellValue) =>
      setFilter(index, {
        column: names[index]!,
        kind: kinds[index] ?? 'text',
        op: value === null ? 'is_null' : 'eq',
        value: shown(value, index),
      }),
    hideColumn: (index: number) => {
      if (layout.hidden.length + 1 >= columns.length) return say(gridKey, 'At least one column stays visible.');
      setLayout({ hidden: [...layout.hidden, index] });
    },
    /** `desc` null cycles the column's sort, as a header click does. */
    sortBy: (index: number, desc: boolean | null, additive = false) => {
      const name = names[index]!;
      if (desc === null) grid.onSortChange(cycleSort(grid.sort, name, additive));
      else grid.onSortChange([{ column: name, desc }]);
    },

    copyValue: (value: CellValue, index: number) => void copy(async () => shown(value, index), 'Copied the value'),
    copyName: (index: number) => void copy(async () => names[index] ?? '', 'Copied the column name'),
    copyRowJson: (row: number) =>
      void copy(async () => {
        const r = (await rowsBetween(row, row))[0] ?? [];
        return rowToJson(
          columns.map((_, i) => copyColumn(i)),
          r,
        );
      }, 'Copied the row as JSON'),
    /** Ctrl/Cmd+C: the selected cells as TSV, whole rows with a header. */
    copySelection: () => {
      const selection = useGridStore.getState().selections[gridKey];
      if (!selection) return;
      const { r0, r1, c0, c1 } = selectionBounds(selection);
      const count = r1 - r0 + 1;
      if (count > COPY_LIMIT) {
        say(
          gridKey,
          `${count.toLocaleString('en-US')} rows are too many to copy (limit ${COPY_LIMIT.toLocaleString('en-US')}): use Export for the full result.`,
        );
        return;
      }
      const cols = selection.rows ? grid.visibleIndex : grid.visibleIndex.slice(c0, c1 + 1);
      void copy(
        async () => {
          const rows = await rowsBetween(r0, r1);
          return rowsToTsv(
            cols.map(copyColumn),
            rows.map((row) => cols.map((i) => row[i] ?? null)),
            selection.rows,
          );
        },
        count === 1 && cols.length === 1 ? 'Copied the value' : `Copied ${formatRowCount(count)} as TSV`,
      );
    },
  };
}

/**
 * Exports a result as a job: the query re-run in full by the warehouse, shaped by
 * `view` (the grid's sort, filters and columns), or as the query returns it when null.
 */
export function startExport(
  sql: string,
  format: ExportFormat,
  view: GridViewSpec | null,
): Promise<ResultExportStarted> {
  return workbench().call('results.export', { sql, format, ...(view ? { view } : {}) });
}
