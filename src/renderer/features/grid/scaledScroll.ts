/**
 * Virtual rows for results of any size. Browsers cap an element's height (about
 * 33 million px in Chromium), so 10 million rows × 24 px cannot be laid out one
 * to one. Below the cap a row sits at index × rowHeight; above it the scroll
 * range is compressed and the scroll position maps proportionally to a row,
 * which is then laid out around the viewport.
 */
export const MAX_SCROLL_PX = 15_000_000;

export interface ScrollLayout {
  /** Height of the scrollable body. */
  totalHeight: number;
  /** Rows to render, with their top within the body. */
  rows: { index: number; top: number }[];
  first: number;
  last: number;
}

export function scrollLayout(
  rowCount: number,
  rowHeight: number,
  scrollTop: number,
  viewportHeight: number,
  overscan = 10,
): ScrollLayout {
  const natural = rowCount * rowHeight;
  const totalHeight = Math.min(natural, MAX_SCROLL_PX);
  if (rowCount === 0) return { totalHeight: 0, rows: [], first: 0, last: -1 };
  const visible = Math.ceil(viewportHeight / rowHeight) + 1;
  // Exact row at the top of the viewport (fractional), and the px offset of the body that shows it.
  let exactTop: number;
  if (natural <= MAX_SCROLL_PX) {
    exactTop = scrollTop / rowHeight;
  } else {
    const maxScroll = Math.max(1, totalHeight - viewportHeight);
    const maxTopRow = Math.max(0, rowCount - viewportHeight / rowHeight);
    exactTop = (Math.min(Math.max(scrollTop, 0), maxScroll) / maxScroll) * maxTopRow;
  }
  const topRow = Math.floor(exactTop);
  const first = Math.max(0, topRow - overscan);
  const last = Math.min(rowCount - 1, topRow + visible + overscan);
  const rows: { index: number; top: number }[] = [];
  for (let i = first; i <= last; i++) rows.push({ index: i, top: scrollTop + (i - exactTop) * rowHeight });
  return { totalHeight, rows, first, last };
}

/** The scrollTop that shows `index` at the top of the viewport. */
export function scrollTopFor(index: number, rowCount: number, rowHeight: number, viewportHeight: number): number {
  const natural = rowCount * rowHeight;
  if (natural <= MAX_SCROLL_PX) return index * rowHeight;
  const maxScroll = Math.max(1, MAX_SCROLL_PX - viewportHeight);
  const maxTopRow = Math.max(1, rowCount - viewportHeight / rowHeight);
  return (Math.min(index, maxTopRow) / maxTopRow) * maxScroll;
}
