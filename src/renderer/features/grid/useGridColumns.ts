/**
 * The grid's column model in TanStack Table: sizes (fitted to the first page,
 * then the user's resizing), the layout's order and hidden columns, and the sort.
 */
import {
  getCoreRowModel,
  useReactTable,
  type Column,
  type ColumnDef,
  type ColumnSizingState,
  type SortingState,
  type Table,
} from '@tanstack/react-table';
import { useMemo, useState } from 'react';
import type { ColumnInfo } from '../../../shared/api/contract';
import type { SortKey } from '../../../shared/gridView';
import type { CellValue, ColumnKind } from '../../engine/rows';
import { shortType } from '../../workbench/format';
import type { GridLayout } from './gridStore';
import { columnFit, recalledPlace, type ColumnFit } from './pageCaches';

export type GridTable = Table<CellValue[]>;
export type GridColumn = Column<CellValue[]>;

/** A width from the type until the first page arrives and the content can be measured. */
function typeWidth(column: ColumnInfo): number {
  const type = shortType(column.type);
  const byType = type.startsWith('timestamp') ? 170 : type === 'date' ? 110 : type === 'text' ? 160 : 110;
  return Math.min(360, Math.max(byType, column.name.length * 8 + 48));
}

/** A column's kind from its SQL type, until the engine reports it with the first page. */
export function kindFromType(type: string): ColumnKind {
  const t = shortType(type);
  if (['int', 'bigint', 'smallint', 'tinyint', 'uint', 'ubigint', 'hugeint'].includes(t)) return 'integer';
  if (t === 'double' || t === 'float' || t.startsWith('decimal')) return 'float';
  if (t.startsWith('timestamp')) return 'timestamp';
  if (t === 'date') return 'date';
  if (t === 'bool') return 'boolean';
  return 'text';
}

export interface GridColumns {
  table: GridTable;
  /** The shown columns, in display order. */
  visible: GridColumn[];
  /** Display position → column index. */
  visibleIndex: number[];
  columnSizing: ColumnSizingState;
  fit: ColumnFit | undefined;
}

export function useGridColumns(
  tableName: string,
  columns: ColumnInfo[],
  sort: SortKey[],
  layout: GridLayout,
): GridColumns {
  const [columnSizing, setColumnSizing] = useState<ColumnSizingState>(() => recalledPlace(tableName)?.sizing ?? {});
  const fit = columnFit(tableName);
  const widths = fit?.widths;
  const columnDefs = useMemo<ColumnDef<CellValue[]>[]>(
    () =>
      columns.map((column, index) => ({
        // Positions, not names, identify columns: a result may repeat a name.
        id: `c${index}`,
        header: column.name,
        size: widths?.[index] ?? typeWidth(column),
        minSize: 48,
        maxSize: 1200,
      })),
    [columns, widths],
  );
  const sorting = useMemo<SortingState>(
    () =>
      sort.flatMap((s) => {
        const index = columns.findIndex((c) => c.name === s.column);
        return index >= 0 ? [{ id: `c${index}`, desc: s.desc }] : [];
      }),
    [sort, columns],
  );
  const columnOrder = useMemo(() => layout.order.map((i) => `c${i}`), [layout.order]);
  const columnVisibility = useMemo(
    () => Object.fromEntries(layout.hidden.map((i) => [`c${i}`, false])),
    [layout.hidden],
  );
  const table = useReactTable<CellValue[]>({
    data: [],
    columns: columnDefs,
    getCoreRowModel: getCoreRowModel(),
    manualSorting: true,
    enableColumnResizing: true,
    columnResizeMode: 'onChange',
    state: { sorting, columnSizing, columnOrder, columnVisibility },
    onColumnSizingChange: setColumnSizing,
  });
  const visible = table.getVisibleLeafColumns();
  // The same array while the shown columns stay: the grid's model (and its memoized header) keep still on scroll.
  const shown = visible.map((c) => c.id).join(',');
  const visibleIndex = useMemo(() => (shown ? shown.split(',').map((id) => Number(id.slice(1))) : []), [shown]);
  return { table, visible, visibleIndex, columnSizing, fit };
}
