/**
 * Keeps the rows the grid is showing loaded, and only those (and a few pages
 * either side): on every change of the visible range it lets far pages go and
 * asks the engine for the missing ones in one query. A newer range supersedes
 * a queued older one, so fast scrolling does not build a backlog.
 */
import { useEffect, useState } from 'react';
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

export function usePagedRows(
  engine: WasmEngine | null,
  gridKey: string,
  tableName: string,
  view: GridView,
  rowCount: number,
  range: VisibleRange | null,
): { cache: GridPages; error: string | null } {
  const key = viewKey(view.sort, view.where);
  const cache = pageCacheFor(tableName, key);
  const [, setVersion] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const first = range?.first ?? 0;
  const last = range?.last ?? -1;

  // A result still loading grows: its last, short page has more rows now.
  useEffect(() => cache.dropIncomplete(), [cache, rowCount]);

  useEffect(() => {
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
    // `view` is covered by `key`.
  }, [engine, gridKey, tableName, cache, key, rowCount, first, last]);

  return { cache, error };
}
