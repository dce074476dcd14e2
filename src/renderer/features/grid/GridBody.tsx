/**
 * The rows on screen (see scaledScroll): the row number gutter, each shown
 * cell as the grid formats it, and the selection by click, Shift+click and
 * the gutter. Rows not loaded yet show as placeholders.
 */
import type { MouseEvent } from 'react';
import { formatCell, isNumericKind } from '../../workbench/format';
import type { GridModel } from './gridActions';
import { openPopup, select, useGridStore } from './gridStore';
import type { ScrollLayout } from './scaledScroll';
import { cellSelection, clickSelection, gutterSelection, selectionBounds } from './selection';
import type { GridColumn } from './useGridColumns';

export function GridBody({
  grid,
  lay,
  visible,
  decimals,
  rowHeight,
  gutterWidth,
  totalWidth,
}: {
  grid: GridModel;
  lay: ScrollLayout;
  visible: GridColumn[];
  /** Per column index: the decimals every float of the column is shown with. */
  decimals: (number | undefined)[] | undefined;
  rowHeight: number;
  gutterWidth: number;
  totalWidth: number;
}) {
  const { gridKey, cache, names, kinds, zoned, timeZone, visibleIndex } = grid;
  const selection = useGridStore((s) => s.selections[gridKey]) ?? null;
  const sel = selection ? selectionBounds(selection) : null;

  const clickCell = (e: MouseEvent, row: number, col: number) => {
    if (e.button !== 0) return;
    select(gridKey, clickSelection(selection, { row, col }, e.shiftKey));
  };
  const clickGutter = (e: MouseEvent, row: number) =>
    select(gridKey, gutterSelection(selection, row, e.shiftKey, visibleIndex.length));

  return (
    <div className="grid-body" style={{ height: lay.totalHeight, width: totalWidth }}>
      {lay.rows.map(({ index: r, top }) => {
        const row = cache.row(r);
        const rowSelected = sel !== null && r >= sel.r0 && r <= sel.r1;
        return (
          <div
            key={r}
            className={`grid-row${r % 2 ? ' odd' : ''}${row ? '' : ' loading'}${rowSelected && selection?.rows ? ' selected' : ''}`}
            data-testid={row ? 'result-row' : 'result-row-loading'}
            data-index={r}
            role="row"
            style={{ transform: `translateY(${top}px)`, height: rowHeight }}
          >
            <div className="grid-gutter" style={{ width: gutterWidth }} onMouseDown={(e) => clickGutter(e, r)}>
              {r + 1}
            </div>
            {visible.map((column, p) => {
              const index = visibleIndex[p]!;
              const width = column.getSize();
              if (!row)
                return (
                  <div key={column.id} className="grid-cell placeholder" style={{ width }}>
                    <span />
                  </div>
                );
              const value = row[index] ?? null;
              const kind = kinds[index] ?? 'text';
              const text = formatCell(value, kind, zoned[index] ? timeZone : undefined, decimals?.[index]);
              const selected = rowSelected && sel !== null && p >= sel.c0 && p <= sel.c1;
              return (
                <div
                  key={column.id}
                  className={`grid-cell${isNumericKind(kind) ? ' num' : ''}${selected ? ' selected' : ''}`}
                  data-testid="result-cell"
                  data-column={names[index]}
                  style={{ width }}
                  role="gridcell"
                  aria-selected={selected}
                  title={value === null || text.length < 24 ? undefined : text}
                  onMouseDown={(e) => clickCell(e, r, p)}
                  onContextMenu={(e) => {
                    e.preventDefault();
                    if (!selected) select(gridKey, cellSelection({ row: r, col: p }));
                    openPopup(gridKey, { kind: 'context', x: e.clientX, y: e.clientY, row: r, col: p });
                  }}
                >
                  {value === null ? <span className="null">NULL</span> : text}
                </div>
              );
            })}
          </div>
        );
      })}
    </div>
  );
}
