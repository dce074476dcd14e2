/** What the user selected in the grid: a block of cells by display position, or whole rows. */

export interface Cell {
  row: number;
  col: number;
}

export interface Selection {
  anchor: Cell;
  focus: Cell;
  /** Whole rows (gutter clicks, Ctrl+A): copied with a header. */
  rows: boolean;
}

export interface SelectionBounds {
  r0: number;
  r1: number;
  c0: number;
  c1: number;
}

export function selectionBounds(sel: Selection): SelectionBounds {
  return {
    r0: Math.min(sel.anchor.row, sel.focus.row),
    r1: Math.max(sel.anchor.row, sel.focus.row),
    c0: Math.min(sel.anchor.col, sel.focus.col),
    c1: Math.max(sel.anchor.col, sel.focus.col),
  };
}

export function cellSelection(at: Cell): Selection {
  return { anchor: at, focus: at, rows: false };
}

export const ARROW_KEYS = ['ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight'];

/**
 * The selection after an arrow key over `rowCount` rows and `colCount` shown columns:
 * Shift extends it from its anchor, otherwise the moved focus becomes a single cell.
 */
export function moveSelection(
  selection: Selection,
  key: string,
  extend: boolean,
  rowCount: number,
  colCount: number,
): Selection {
  const f = selection.focus;
  const row = Math.max(0, Math.min(rowCount - 1, f.row + (key === 'ArrowDown' ? 1 : key === 'ArrowUp' ? -1 : 0)));
  const col = Math.max(0, Math.min(colCount - 1, f.col + (key === 'ArrowRight' ? 1 : key === 'ArrowLeft' ? -1 : 0)));
  return extend ? { ...selection, focus: { row, col } } : cellSelection({ row, col });
}

/** Every row and shown column (Ctrl+A). */
export function allRows(rowCount: number, colCount: number): Selection {
  return { anchor: { row: 0, col: 0 }, focus: { row: rowCount - 1, col: colCount - 1 }, rows: true };
}

/** A gutter click selects the row; with Shift, the rows from the anchor's. */
export function gutterSelection(current: Selection | null, row: number, extend: boolean, colCount: number): Selection {
  const last = colCount - 1;
  return extend && current
    ? { anchor: { row: current.anchor.row, col: 0 }, focus: { row, col: last }, rows: true }
    : { anchor: { row, col: 0 }, focus: { row, col: last }, rows: true };
}

/** A cell click selects the cell; with Shift, the block from the anchor to it. */
export function clickSelection(current: Selection | null, at: Cell, extend: boolean): Selection {
  return extend && current ? { ...current, focus: at } : cellSelection(at);
}
