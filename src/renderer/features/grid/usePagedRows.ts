/**
 * Keeps the rows the grid is showing loaded, and only those (and a few pages
 * either side): on every change of the visible range (and already from the
 * scroll event, `prefetch`) it lets far pages go and asks the engine for the
 * missing ones in one query. A newer range supersedes
 * a queued older one, so fast scrolling does not build a backlog.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { errorMessage } from '../../../shared/errors';
import { SupersededError } from '../../engine/SerialQueue';
import type { GridView, WasmEngine } from '../../engine/WasmEngine';
import { autoWidths } from './columnWidths';
import { decimalsFor } from '../../workbench/format';
import { fitColumnsOnce, pageCacheFor, PAGES_NEAR, viewKey, type GridPages } from './pageCaches';

export interface VisibleRange {
  first: number;
  last: number;
}

export interface PagedRows {
  cache: GridPages;
  error: string | null;
  /**
   * Asks for rows [first, last] now: the grid calls it from the scroll event, so
   * the engine reads them while the grid renders their placeholders, instead of
   * after that render. grid.load_10m_browser's page times stayed within its
   * run-to-run noise (30–117 ms in four runs, 38–103 ms before).
   */
  prefetch: (range: VisibleRange) => void;
}

export function usePagedRows(
  engine: WasmEngine | null,
  gridKey: string,
  tableName: string,
  view: GridView,
  rowCount: number,
  range: VisibleRange | null,
): PagedRows {
  const key = viewKey(view.sort, view.where);
  const cache = pageCacheFor(tableName, key);
  const [, setVersion] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const first = range?.first ?? 0;
  const last = range?.last ?? -1;

  // A result still loading grows: its last, short page has more rows now.
  useEffect(() => cache.dropIncomplete(), [cache, rowCount]);

  const fetchMissing = (first: number, last: number) => {
    if (!engine || last < first) return;
    // The grid keeps only what it shows: pages far from the screen are let go.
    cache.keepNear(first, last, PAGES_NEAR);
    const missing = cache.missingPages(first, last, rowCount);
    if (missing.length === 0) return;
    const from = Math.min(...missing);
    const to = Math.max(...missing);
    cache.markPending(missing);
    engine.page(tableName, from * cache.pageSize, (to - from + 1) * cache.pageSize, view, gridKey).then(
      (result) => {
        cache.columns ??= result.columns;
        const sample = result.rows.slice(0, 500);
        fitColumnsOnce(tableName, () => ({
          widths: autoWidths(
            result.columns.map((c) => c.name),
            result.columns.map((c) => c.kind),
            sample,
          ),
          decimals: result.columns.map((c, i) =>
            c.kind === 'float' ? decimalsFor(sample.map((r) => r[i] ?? null)) : undefined,
          ),
        }));
        cache.store(from, result.rows);
        setError(null);
        setVersion((v) => v + 1);
      },
      (err: unknown) => {
        cache.clearPending(missing);
        if (err instanceof SupersededError) return;
        setError(`Could not read rows from the engine: ${errorMessage(err)}`);
      },
    );
  };
  // The scroll handler calls the latest render's fetch (its engine, view and row count).
  const latestFetch = useRef(fetchMissing);
  latestFetch.current = fetchMissing;
  const prefetch = useCallback((range: VisibleRange) => latestFetch.current(range.first, range.last), []);

  // `view` is covered by `key`; the fetch reads the rest from this render.
  useEffect(() => fetchMissing(first, last), [engine, gridKey, tableName, cache, key, rowCount, first, last]);

  return { cache, error, prefetch };
}
