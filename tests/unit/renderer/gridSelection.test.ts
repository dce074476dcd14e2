import { describe, expect, it } from 'vitest';
import {
  allRows,
  clickSelection,
  gutterSelection,
  moveSelection,
  selectionBounds,
  type Selection,
} from '../../../src/renderer/features/grid/selection';

const at = (row: number, col: number): Selection => ({ anchor: { row, col }, focus: { row, col }, rows: false });

describe('grid selection', () => {
  it('arrow keys move the focus within the rows and shown columns', () => {
    expect(moveSelection(at(0, 0), 'ArrowUp', false, 10, 3)).toEqual(at(0, 0));
    expect(moveSelection(at(0, 0), 'ArrowDown', false, 10, 3)).toEqual(at(1, 0));
    expect(moveSelection(at(9, 2), 'ArrowRight', false, 10, 3)).toEqual(at(9, 2));
    expect(moveSelection(at(4, 1), 'ArrowLeft', false, 10, 3)).toEqual(at(4, 0));
  });

  it('Shift extends from the anchor', () => {
    const extended = moveSelection(at(4, 1), 'ArrowDown', true, 10, 3);
    expect(extended).toEqual({ anchor: { row: 4, col: 1 }, focus: { row: 5, col: 1 }, rows: false });
    expect(selectionBounds(moveSelection(extended, 'ArrowLeft', true, 10, 3))).toEqual({ r0: 4, r1: 5, c0: 0, c1: 1 });
  });

  it('clicks select a cell, Shift+click a block, the gutter whole rows', () => {
    expect(clickSelection(null, { row: 3, col: 1 }, true)).toEqual(at(3, 1));
    expect(selectionBounds(clickSelection(at(3, 1), { row: 1, col: 2 }, true))).toEqual({ r0: 1, r1: 3, c0: 1, c1: 2 });
    expect(gutterSelection(at(3, 1), 6, true, 4)).toEqual({
      anchor: { row: 3, col: 0 },
      focus: { row: 6, col: 3 },
      rows: true,
    });
    expect(gutterSelection(at(3, 1), 6, false, 4)).toEqual({
      anchor: { row: 6, col: 0 },
      focus: { row: 6, col: 3 },
      rows: true,
    });
    expect(allRows(100, 4)).toEqual({ anchor: { row: 0, col: 0 }, focus: { row: 99, col: 3 }, rows: true });
  });
});
