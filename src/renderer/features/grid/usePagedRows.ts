/**
 * Keeps the rows the grid is showing loaded: on every change of the visible
 * range it asks the engine for the missing pages in one query. A newer range
 * supersedes a queued older one, so fast scrolling does not build a backlog.
 */
import { useEffect, useState } from 'react';
import { errorMessage } from '../../../shared/errors';
import type { SortKey } from '../../engine/pagingSql';
import { SupersededError } from '../../engine/SerialQueue';
import type { WasmEngine } from '../../engine/WasmEngine';
import { autoWidths } from './columnWidths';
import { fitWidthsOnce, pageCacheFor, type GridPages } from './pageCaches';

export interface VisibleRange {
  first: number;
  last: number;
}

export function usePagedRows(
  engine: WasmEngine | null,
  gridKey: string,
  tableName: string,
  sort: readonly SortKey[],
  rowCount: number,
  range: VisibleRange | null,
): { cache: GridPages; error: string | null } {
  const cache = pageCacheFor(tableName, sort);
  const [, setVersion] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const first = range?.first ?? 0;
  const last = range?.last ?? -1;

  useEffect(() => {
    if (!engine || last < first) return;
    const missing = cache.missingPages(first, last, rowCount);
    if (missing.length === 0) return;
    const from = Math.min(...missing);
    const to = Math.max(...missing);
    cache.markPending(missing);
    engine.page(tableName, from * cache.pageSize, (to - from + 1) * cache.pageSize, sort, gridKey).then(
      (result) => {
        cache.columns ??= result.columns;
        fitWidthsOnce(tableName, () =>
          autoWidths(
            result.columns.map((c) => c.name),
            result.columns.map((c) => c.kind),
            result.rows.slice(0, 500),
          ),
        );
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
  }, [engine, gridKey, tableName, cache, sort, rowCount, first, last]);

  return { cache, error };
}
