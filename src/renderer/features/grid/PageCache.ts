/**
 * Pages of grid rows fetched from the engine: which are loaded, which are on
 * their way, and which the visible range still needs. The cache keeps only the
 * pages on screen and a few either side (`keepNear`); the least recently used
 * go first past its capacity, so a long scroll never holds the result twice.
 */
export class PageCache<Row> {
  private readonly pages = new Map<number, Row[]>();
  private readonly pending = new Set<number>();
  /** The pages worth keeping, around what the grid last showed; null until it shows something. */
  private near: { from: number; to: number } | null = null;

  constructor(
    readonly pageSize: number,
    private readonly maxPages: number,
  ) {
    if (pageSize <= 0 || maxPages <= 0) throw new Error('PageCache needs a positive page size and capacity');
  }

  get loadedPages(): number {
    return this.pages.size;
  }

  pageOf(rowIndex: number): number {
    return Math.floor(rowIndex / this.pageSize);
  }

  row(rowIndex: number): Row | undefined {
    const page = this.pages.get(this.pageOf(rowIndex));
    return page?.[rowIndex % this.pageSize];
  }

  hasPage(page: number): boolean {
    return this.pages.has(page);
  }

  /** Pages covering rows [first, last] that are neither loaded nor on their way. */
  missingPages(firstRow: number, lastRow: number, rowCount: number): number[] {
    if (rowCount <= 0 || lastRow < firstRow) return [];
    const from = this.pageOf(Math.max(0, firstRow));
    const to = this.pageOf(Math.min(rowCount - 1, lastRow));
    const missing: number[] = [];
    for (let p = from; p <= to; p++) {
      if (this.pages.has(p)) this.touch(p);
      else if (!this.pending.has(p)) missing.push(p);
    }
    return missing;
  }

  /**
   * Forgets the loaded pages more than `margin` pages away from rows [firstRow, lastRow]
   * (what the grid shows), and keeps only such pages from now on.
   */
  keepNear(firstRow: number, lastRow: number, margin: number): void {
    const from = this.pageOf(Math.max(0, firstRow)) - margin;
    const to = this.pageOf(Math.max(0, lastRow, firstRow)) + margin;
    this.near = { from, to };
    for (const page of [...this.pages.keys()]) if (page < from || page > to) this.pages.delete(page);
  }

  markPending(pages: readonly number[]): void {
    for (const p of pages) this.pending.add(p);
  }

  /** Forget that pages were requested (the request failed or was superseded). */
  clearPending(pages: readonly number[]): void {
    for (const p of pages) this.pending.delete(p);
  }

  /** Stores rows fetched from `firstPage` on, split into pages. */
  store(firstPage: number, rows: readonly Row[]): void {
    const count = Math.max(1, Math.ceil(rows.length / this.pageSize));
    for (let i = 0; i < count; i++) {
      const page = firstPage + i;
      this.pending.delete(page);
      this.pages.delete(page);
      // Rows that arrive after the grid scrolled away from them are not kept.
      if (this.near && (page < this.near.from || page > this.near.to)) continue;
      this.pages.set(page, rows.slice(i * this.pageSize, (i + 1) * this.pageSize));
    }
    while (this.pages.size > this.maxPages) {
      const oldest = this.pages.keys().next().value;
      if (oldest === undefined) break;
      this.pages.delete(oldest);
    }
  }

  /** Forgets pages shorter than a page: more rows arrived after them (a result still loading). */
  dropIncomplete(): void {
    for (const [page, rows] of this.pages) if (rows.length < this.pageSize) this.pages.delete(page);
  }

  clear(): void {
    this.pages.clear();
    this.pending.clear();
    this.near = null;
  }

  private touch(page: number): void {
    const rows = this.pages.get(page);
    if (rows) {
      // Map keeps insertion order: re-inserting marks the page as recently used.
      this.pages.delete(page);
      this.pages.set(page, rows);
    }
  }
}

/** Groups sorted page numbers into runs of consecutive pages, one engine query per run. */
export function consecutiveRuns(pages: readonly number[]): Array<{ first: number; count: number }> {
  const runs: Array<{ first: number; count: number }> = [];
  for (const p of [...pages].sort((a, b) => a - b)) {
    const last = runs[runs.length - 1];
    if (last && last.first + last.count === p) last.count++;
    else runs.push({ first: p, count: 1 });
  }
  return runs;
}
