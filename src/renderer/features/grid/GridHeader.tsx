/**
 * The grid's header row: click to sort (Shift adds to the sort), drag to move a
 * column, drag an edge to resize it (double-click resets), and the column menu.
 */
import type { ColumnSizingInfoState, ColumnSizingState } from '@tanstack/react-table';
import { memo, useState } from 'react';
import { isNumericKind, shortType } from '../../workbench/format';
import type { GridActions, GridModel } from './gridActions';
import { moveColumn } from './columnOrder';
import { openPopup } from './gridStore';
import type { GridTable } from './useGridColumns';

/**
 * Memoized: a scroll frame redraws the rows, not the header. The table instance
 * stays the same object, so its column state comes as props (`sizing`, `resizing`)
 * for a resize to redraw the header.
 */
export const GridHeader = memo(function GridHeader({
  grid,
  actions,
  table,
  gutterWidth,
  totalWidth,
}: {
  grid: GridModel;
  actions: GridActions;
  table: GridTable;
  sizing: ColumnSizingState;
  resizing: ColumnSizingInfoState;
  gutterWidth: number;
  totalWidth: number;
}) {
  const { gridKey, columns, names, kinds, zoned, timeZone, layout, setLayout, visibleIndex, loading, pointer } = grid;
  /** Display position of the column being dragged. */
  const [dragFrom, setDragFrom] = useState<number | null>(null);
  const openMenu = (x: number, y: number, col: number) => {
    pointer.current = { x, y };
    openPopup(gridKey, { kind: 'header', x, y, col });
  };

  return (
    <div className="grid-header" style={{ width: totalWidth }} role="row">
      <div className="grid-gutter grid-header-cell" style={{ width: gutterWidth }} title="Ctrl+A selects every row">
        #
      </div>
      {table.getHeaderGroups()[0]?.headers.map((header, position) => {
        const index = Number(header.column.id.slice(1));
        const name = names[index] ?? '';
        const sorted = header.column.getIsSorted();
        const filtered = layout.filters.some((f) => f.column === name);
        const numeric = isNumericKind(kinds[index] ?? 'text');
        return (
          <div
            key={header.id}
            className={`grid-header-cell${numeric ? ' num' : ''}${sorted ? ' sorted' : ''}${filtered ? ' filtered' : ''}${dragFrom === position ? ' dragging' : ''}`}
            style={{ width: header.getSize() }}
            role="columnheader"
            aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : 'none'}
            data-column={name}
            draggable
            title={`${name} — ${columns[index]?.type ?? ''}${zoned[index] ? `, shown in ${timeZone}` : ''}\n${grid.waitTitle ?? 'Click to sort; Shift+click to add to the sort; drag to move'}`}
            onDragStart={(e) => {
              setDragFrom(position);
              e.dataTransfer.effectAllowed = 'move';
              e.dataTransfer.setData('text/plain', name);
            }}
            onDragOver={(e) => e.preventDefault()}
            onDragEnd={() => setDragFrom(null)}
            onDrop={(e) => {
              e.preventDefault();
              if (dragFrom === null || dragFrom === position) return;
              const displayed = moveColumn(visibleIndex, dragFrom, position);
              // Hidden columns keep their place after the visible ones.
              setLayout({ order: [...displayed, ...layout.order.filter((i) => !displayed.includes(i))] });
              setDragFrom(null);
            }}
            onClick={(e) => !loading && actions.sortBy(index, null, e.shiftKey)}
            onContextMenu={(e) => {
              e.preventDefault();
              openMenu(e.clientX, e.clientY, index);
            }}
          >
            <span className="grid-header-name">{name}</span>
            <span className="grid-header-type">{shortType(columns[index]?.type ?? '')}</span>
            <span className="grid-sort" aria-hidden>
              {sorted === 'asc' ? '▲' : sorted === 'desc' ? '▼' : ''}
            </span>
            <button
              type="button"
              className="grid-header-menu"
              data-testid="column-menu-button"
              aria-label={`Column menu for ${name}`}
              onClick={(e) => {
                e.stopPropagation();
                const r = e.currentTarget.getBoundingClientRect();
                openMenu(r.left, r.bottom + 2, index);
              }}
            >
              ▾
            </button>
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
  );
});
