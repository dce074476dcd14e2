/**
 * First column widths from the header and the first page of values, so a
 * 16-digit id or a timestamp is readable without dragging. The user's own
 * resizing always wins over these.
 */
import type { CellValue, ColumnKind } from '../../engine/rows';
import { formatCell } from '../../workbench/format';

const CHAR_PX = 7.2;
const CELL_PADDING = 18;
// Header names are bold and share the cell with the sort arrow.
const HEADER_CHAR_PX = 8;
const HEADER_PADDING = 38;
export const MIN_WIDTH = 60;
export const MAX_AUTO_WIDTH = 420;

/**
 * A time is shown in the workspace's zone with its offset (`+00`, or `+05:30` in some zones): measure
 * the longest form, so no column of times opens cut off, whether it is zoned or not.
 */
function shownLength(value: CellValue, kind: ColumnKind): number {
  return kind === 'timestamp' ? formatCell(value, kind, 'UTC').length + 3 : formatCell(value, kind).length;
}

export function autoWidths(
  names: readonly string[],
  kinds: readonly ColumnKind[],
  rows: readonly (readonly CellValue[])[],
): number[] {
  return names.map((name, c) => {
    let longest = 0;
    for (const row of rows) {
      const value = row[c] ?? null;
      const length = value === null ? 4 : shownLength(value, kinds[c] ?? 'text');
      if (length > longest) longest = length;
      if (longest * CHAR_PX > MAX_AUTO_WIDTH) break;
    }
    const cell = longest * CHAR_PX + CELL_PADDING;
    const header = name.length * HEADER_CHAR_PX + HEADER_PADDING;
    return Math.round(Math.min(MAX_AUTO_WIDTH, Math.max(MIN_WIDTH, cell, header)));
  });
}
