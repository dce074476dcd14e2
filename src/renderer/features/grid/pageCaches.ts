/**
 * Page caches live outside the grid component: switching tabs and back shows
 * the rows at once. One cache per engine table and sort order.
 */
import type { SortKey } from '../../engine/pagingSql';
import type { CellValue, EngineColumn } from '../../engine/rows';
import { PageCache } from './PageCache';
import { sortSignature } from './sorting';

export const PAGE_SIZE = 200;
const MAX_PAGES = 50;

export class GridPages extends PageCache<CellValue[]> {
  /** Column kinds as the engine reports them, known after the first page. */
  columns: EngineColumn[] | null = null;
}

const caches = new Map<string, Map<string, GridPages>>();

export function pageCacheFor(tableName: string, sort: readonly SortKey[]): GridPages {
  let byTable = caches.get(tableName);
  if (!byTable) caches.set(tableName, (byTable = new Map()));
  const key = sortSignature(sort);
  let cache = byTable.get(key);
  if (!cache) {
    // Only the current sort order is worth keeping.
    byTable.clear();
    byTable.set(key, (cache = new GridPages(PAGE_SIZE, MAX_PAGES)));
  }
  return cache;
}

export function forgetPageCaches(tableName: string): void {
  caches.delete(tableName);
}
