/**
 * The result grid: TanStack Table for the column model (sizes, resizing, sort
 * state) and TanStack Virtual for rows, so only what is on screen is rendered.
 * Rows come page by page from the WASM engine; sorting runs there, over the
 * whole result.
 */
import {
  getCoreRowModel,
  useReactTable,
  type ColumnDef,
  type ColumnSizingState,
  type SortingState,
} from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { ColumnInfo } from '../../../shared/api/contract';
import type { SortKey } from '../../engine/pagingSql';
import type { CellValue, ColumnKind } from '../../engine/rows';
import type { WasmEngine } from '../../engine/WasmEngine';
import { formatCell, isNumericKind, shortType } from './format';
import { cycleSort } from './sorting';
import { fittedWidths, recalledPlace, rememberPlace } from './pageCaches';
import { usePagedRows } from './usePagedRows';

const ROW_HEIGHT = 24;

function gutterWidth(rowCount: number): number {
  return Math.max(44, String(rowCount).length * 8 + 18);
}

interface GridColumnMeta {
  name: string;
  type: string;
}

export interface ResultGridProps {
  gridKey: string;
  engine: WasmEngine | null;
  tableName: string;
  columns: ColumnInfo[];
  rowCount: number;
  sort: SortKey[];
  onSortChange: (sort: SortKey[]) => void;
}

/** A width from the type until the first page arrives and the content can be measured. */
function typeWidth(column: ColumnInfo): number {
  const type = shortType(column.type);
  const byType = type.startsWith('timestamp') ? 170 : type === 'date' ? 110 : type === 'text' ? 160 : 110;
  return Math.min(360, Math.max(byType, column.name.length * 8 + 48));
}

function kindFromType(type: string): ColumnKind {
  const t = shortType(type);
  if (['int', 'bigint', 'smallint', 'tinyint', 'uint', 'ubigint', 'hugeint'].includes(t)) return 'integer';
  if (t === 'double' || t === 'float' || t.startsWith('decimal')) return 'float';
  if (t.startsWith('timestamp')) return 'timestamp';
  if (t === 'date') return 'date';
  if (t === 'bool') return 'boolean';
  return 'text';
}

function Cell({ value, kind, name, width }: { value: CellValue; kind: ColumnKind; name: string; width: number }) {
  const numeric = isNumericKind(kind);
  const text = formatCell(value, kind);
  return (
    <div
      className={`grid-cell${numeric ? ' num' : ''}`}
      data-testid="result-cell"
      data-column={name}
      style={{ width }}
      title={value === null || text.length < 24 ? undefined : text}
    >
      {value === null ? <span className="null">NULL</span> : text}
    </div>
  );
}

export function ResultGrid({ gridKey, engine, tableName, columns, rowCount, sort, onSortChange }: ResultGridProps) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const [columnSizing, setColumnSizing] = useState<ColumnSizingState>(() => recalledPlace(tableName)?.sizing ?? {});
  const GUTTER_WIDTH = gutterWidth(rowCount);

  const widths = fittedWidths(tableName);
  const columnDefs = useMemo<ColumnDef<CellValue[]>[]>(
    () =>
      columns.map((column, index) => ({
        // Positions, not names, identify columns: a result may repeat a name.
        id: `c${index}`,
        header: column.name,
        size: widths?.[index] ?? typeWidth(column),
        minSize: 48,
        maxSize: 1200,
        meta: { name: column.name, type: column.type } satisfies GridColumnMeta,
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

  const table = useReactTable<CellValue[]>({
    data: [],
    columns: columnDefs,
    getCoreRowModel: getCoreRowModel(),
    manualSorting: true,
    enableColumnResizing: true,
    columnResizeMode: 'onChange',
    state: { sorting, columnSizing },
    onColumnSizingChange: setColumnSizing,
  });

  const virtualizer = useVirtualizer({
    count: rowCount,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 16,
    useFlushSync: false,
  });
  useLayoutEffect(() => {
    const el = scrollRef.current;
    const saved = recalledPlace(tableName);
    if (el && saved) {
      el.scrollTop = saved.top;
      el.scrollLeft = saved.left;
    }
  }, [tableName]);
  // Tracked while scrolling: by the time an unmount cleanup runs, the element is detached and reads 0.
  const place = useRef({ top: recalledPlace(tableName)?.top ?? 0, left: recalledPlace(tableName)?.left ?? 0 });
  const sizingRef = useRef(columnSizing);
  sizingRef.current = columnSizing;
  useEffect(() => () => rememberPlace(tableName, { ...place.current, sizing: sizingRef.current }), [tableName]);

  const items = virtualizer.getVirtualItems();
  const range = items.length ? { first: items[0]!.index, last: items[items.length - 1]!.index } : null;
  const { cache, error } = usePagedRows(engine, gridKey, tableName, sort, rowCount, range);

  const leafColumns = table.getVisibleLeafColumns();
  const kinds: ColumnKind[] = columns.map((c, i) => cache.columns?.[i]?.kind ?? kindFromType(c.type));
  const totalWidth = GUTTER_WIDTH + table.getTotalSize();

  return (
    <div
      className="grid-scroll"
      data-testid="result-grid"
      ref={scrollRef}
      role="grid"
      aria-rowcount={rowCount}
      onScroll={(e) => {
        place.current = { top: e.currentTarget.scrollTop, left: e.currentTarget.scrollLeft };
      }}
    >
      <div className="grid-header" style={{ width: totalWidth }} role="row">
        <div className="grid-gutter grid-header-cell" style={{ width: GUTTER_WIDTH }}>
          #
        </div>
        {table.getHeaderGroups()[0]?.headers.map((header, index) => {
          const meta = header.column.columnDef.meta as GridColumnMeta;
          const sorted = header.column.getIsSorted();
          const numeric = isNumericKind(kinds[index] ?? 'text');
          return (
            <div
              key={header.id}
              className={`grid-header-cell${numeric ? ' num' : ''}${sorted ? ' sorted' : ''}`}
              style={{ width: header.getSize() }}
              role="columnheader"
              aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : 'none'}
              data-column={meta.name}
              title={`${meta.name} — ${meta.type}\nClick to sort; Shift+click to add to the sort`}
              onClick={(e) => onSortChange(cycleSort(sort, meta.name, e.shiftKey))}
            >
              <span className="grid-header-name">{meta.name}</span>
              <span className="grid-header-type">{shortType(meta.type)}</span>
              <span className="grid-sort" aria-hidden>
                {sorted === 'asc' ? '▲' : sorted === 'desc' ? '▼' : ''}
              </span>
              <span
                className={`grid-resizer${header.column.getIsResizing() ? ' active' : ''}`}
                onMouseDown={header.getResizeHandler()}
                onTouchStart={header.getResizeHandler()}
                onClick={(e) => e.stopPropagation()}
                onDoubleClick={() => header.column.resetSize()}
              />
            </div>
          );
        })}
      </div>
      {error ? <div className="grid-error">{error}</div> : null}
      <div className="grid-body" style={{ height: virtualizer.getTotalSize(), width: totalWidth }}>
        {items.map((item) => {
          const row = cache.row(item.index);
          return (
            <div
              key={item.key}
              className={`grid-row${item.index % 2 ? ' odd' : ''}${row ? '' : ' loading'}`}
              data-testid={row ? 'result-row' : 'result-row-loading'}
              data-index={item.index}
              role="row"
              style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}
            >
              <div className="grid-gutter" style={{ width: GUTTER_WIDTH }}>
                {item.index + 1}
              </div>
              {leafColumns.map((column, c) =>
                row ? (
                  <Cell
                    key={column.id}
                    value={row[c] ?? null}
                    kind={kinds[c] ?? 'text'}
                    name={columns[c]?.name ?? ''}
                    width={column.getSize()}
                  />
                ) : (
                  <div key={column.id} className="grid-cell placeholder" style={{ width: column.getSize() }}>
                    <span />
                  </div>
                ),
              )}
            </div>
          );
        })}
      </div>
    </div>
  );
}
