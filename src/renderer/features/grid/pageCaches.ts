/**
 * Page caches live outside the grid component: switching tabs and back shows
 * the rows at once. One cache per engine table and view (filter + sort).
 */
import type { SortKey } from '../../engine/pagingSql';
import type { CellValue, EngineColumn } from '../../engine/rows';
import { PageCache } from './PageCache';
import { sortSignature } from './sorting';

/** Column widths by id, as TanStack Table keeps them (its ColumnSizingState), without importing React types here. */
type ColumnSizingState = Record<string, number>;

export const PAGE_SIZE = 200;
/** Pages kept either side of those on screen, so a short scroll back shows rows at once. */
export const PAGES_NEAR = 2;
/** A cap for a very tall grid: pages on screen plus those near them stay well below it. */
const MAX_PAGES = 50;

export class GridPages extends PageCache<CellValue[]> {
  /** Column kinds as the engine reports them, known after the first page. */
  columns: EngineColumn[] | null = null;
}

const caches = new Map<string, Map<string, GridPages>>();

/** Where the user left each result (scroll, column widths), so switching tabs and back keeps it. */
export interface GridPlace {
  top: number;
  left: number;
  sizing: ColumnSizingState;
}
const gridMemory = new Map<string, GridPlace>();

/**
 * Fixed from the first page a result showed: column widths (kept when the sort
 * changes) and numeric columns' decimals (so every row lines up).
 */
export interface ColumnFit {
  widths: number[];
  decimals: (number | undefined)[];
}
const fits = new Map<string, ColumnFit>();

export function columnFit(tableName: string): ColumnFit | undefined {
  return fits.get(tableName);
}

export function fitColumnsOnce(tableName: string, fit: () => ColumnFit): void {
  if (!fits.has(tableName) && caches.has(tableName)) fits.set(tableName, fit());
}

export function recalledPlace(tableName: string): GridPlace | undefined {
  return gridMemory.get(tableName);
}

export function rememberPlace(tableName: string, place: GridPlace): void {
  // A grid unmounting after its result was dropped must not bring the entry back.
  if (caches.has(tableName)) gridMemory.set(tableName, place);
}

/** The page cache of one view (filter + sort, see `viewKey`) of a result table. */
export function pageCacheFor(tableName: string, key: string): GridPages {
  let byTable = caches.get(tableName);
  if (!byTable) caches.set(tableName, (byTable = new Map()));
  let cache = byTable.get(key);
  if (!cache) {
    // Only the current view is worth keeping.
    byTable.clear();
    byTable.set(key, (cache = new GridPages(PAGE_SIZE, MAX_PAGES)));
  }
  return cache;
}

export function forgetPageCaches(tableName: string): void {
  caches.delete(tableName);
  gridMemory.delete(tableName);
  fits.delete(tableName);
}

export function viewKey(sort: readonly SortKey[], where: string): string {
  return `${sortSignature(sort)}\u0002${where}`;
}
