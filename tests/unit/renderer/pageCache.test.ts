import { describe, expect, it } from 'vitest';
import { PageCache } from '../../../src/renderer/features/grid/PageCache';
import { cycleSort, sortSignature } from '../../../src/renderer/features/grid/sorting';

const rows = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);

describe('PageCache', () => {
  it('finds the pages a visible range still needs, skipping loaded and pending ones', () => {
    const cache = new PageCache<number>(100, 10);
    expect(cache.missingPages(0, 250, 1000)).toEqual([0, 1, 2]);
    cache.markPending([0, 1]);
    expect(cache.missingPages(0, 250, 1000)).toEqual([2]);
    cache.store(0, rows(0, 200));
    expect(cache.missingPages(0, 250, 1000)).toEqual([2]);
    expect(cache.row(150)).toBe(150);
    expect(cache.row(250)).toBeUndefined();
  });

  it('never asks for pages past the last row', () => {
    const cache = new PageCache<number>(100, 10);
    expect(cache.missingPages(150, 5000, 180)).toEqual([1]);
    expect(cache.missingPages(0, 10, 0)).toEqual([]);
  });

  it('keeps only the pages near what the grid shows, and not rows that arrive after it scrolled away', () => {
    const cache = new PageCache<number>(100, 50);
    cache.store(0, rows(0, 1000)); // pages 0–9
    expect(cache.loadedPages).toBe(10);
    // The grid shows rows 450–520 (pages 4–5): pages 2–7 stay.
    cache.keepNear(450, 520, 2);
    expect(cache.loadedPages).toBe(6);
    expect(cache.row(150)).toBeUndefined();
    expect(cache.row(250)).toBe(250);
    expect(cache.row(799)).toBe(799);
    expect(cache.row(800)).toBeUndefined();
    // Pages 10–11 were asked for earlier and arrive after the scroll: not kept.
    cache.markPending([10, 11]);
    cache.store(10, rows(1000, 200));
    expect(cache.loadedPages).toBe(6);
    expect(cache.missingPages(1000, 1199, 5000)).toEqual([10, 11]);
    // Scrolled to the end of a huge result: only pages there are held.
    cache.keepNear(9_999_900, 9_999_950, 2);
    expect(cache.loadedPages).toBe(0);
    cache.store(99_999, rows(9_999_900, 100));
    expect(cache.row(9_999_950)).toBe(9_999_950);
    expect(cache.loadedPages).toBe(1);
  });

  it('lets a superseded request be asked again', () => {
    const cache = new PageCache<number>(100, 10);
    cache.markPending([3]);
    cache.clearPending([3]);
    expect(cache.missingPages(300, 310, 1000)).toEqual([3]);
  });

  it('evicts the least recently used pages beyond its capacity', () => {
    const cache = new PageCache<number>(10, 3);
    cache.store(0, rows(0, 10));
    cache.store(1, rows(10, 10));
    cache.store(2, rows(20, 10));
    cache.missingPages(0, 5, 100); // touches page 0
    cache.store(3, rows(30, 10));
    expect(cache.hasPage(0)).toBe(true);
    expect(cache.hasPage(1)).toBe(false);
    expect(cache.loadedPages).toBe(3);
  });

  it('stores a short last page', () => {
    const cache = new PageCache<number>(100, 10);
    cache.store(2, rows(200, 30));
    expect(cache.row(229)).toBe(229);
    expect(cache.row(230)).toBeUndefined();
    expect(cache.missingPages(200, 229, 230)).toEqual([]);
  });
});

describe('header sorting', () => {
  it('cycles a column through ascending, descending and unsorted', () => {
    const asc = cycleSort([], 'value');
    expect(asc).toEqual([{ column: 'value', desc: false }]);
    const desc = cycleSort(asc, 'value');
    expect(desc).toEqual([{ column: 'value', desc: true }]);
    expect(cycleSort(desc, 'value')).toEqual([]);
  });

  it('replaces the sort on a plain click and extends it on shift-click', () => {
    const byTime = [{ column: 'time', desc: true }];
    expect(cycleSort(byTime, 'value')).toEqual([{ column: 'value', desc: false }]);
    expect(cycleSort(byTime, 'value', true)).toEqual([
      { column: 'time', desc: true },
      { column: 'value', desc: false },
    ]);
    expect(cycleSort(byTime, 'time', true)).toEqual([]);
  });

  it('gives different sorts different cache keys', () => {
    expect(sortSignature([{ column: 'a', desc: false }])).not.toBe(sortSignature([{ column: 'a', desc: true }]));
    expect(sortSignature([])).toBe('');
  });
});
