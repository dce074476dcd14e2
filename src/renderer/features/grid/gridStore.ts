/**
 * Per-tab grid layout and state that outlives the component: column order and
 * visibility, filters, the profiled column and the last export. A new result
 * with other columns starts from a fresh layout; the same columns keep it.
 */
import { create } from 'zustand';
import type { ResultExportStarted } from '../../../shared/api/export';
import type { ColumnFilter } from '../../../shared/gridView';

export interface GridLayout {
  /** Identifies the column set the layout belongs to. */
  columnsKey: string;
  /** Column indices in display order. */
  order: number[];
  hidden: number[];
  filters: ColumnFilter[];
  /** Index of the column shown in the profile panel, or null when it is closed. */
  profile: number | null;
  exported: (ResultExportStarted & { format: string }) | null;
}

interface GridStore {
  layouts: Record<string, GridLayout>;
}

export const useGridStore = create<GridStore>(() => ({ layouts: {} }));

export function columnsKey(columns: readonly { name: string; type: string }[]): string {
  return columns.map((c) => `${c.name}\u0000${c.type}`).join('\u0001');
}

function fresh(key: string, count: number): GridLayout {
  return {
    columnsKey: key,
    order: Array.from({ length: count }, (_, i) => i),
    hidden: [],
    filters: [],
    profile: null,
    exported: null,
  };
}

/** The layout for these columns: the stored one when it is for the same columns, else a fresh one. */
export function layoutFor(stored: GridLayout | undefined, key: string, count: number): GridLayout {
  return stored && stored.columnsKey === key ? stored : fresh(key, count);
}

export function updateLayout(gridKey: string, key: string, count: number, patch: Partial<GridLayout>): void {
  useGridStore.setState((s) => ({
    layouts: { ...s.layouts, [gridKey]: { ...layoutFor(s.layouts[gridKey], key, count), ...patch } },
  }));
}

/** Changes a grid's filters from outside the grid, e.g. to the time range a chart of the result brushed. */
export function changeFilters(
  gridKey: string,
  columns: readonly { name: string; type: string }[],
  change: (filters: ColumnFilter[]) => ColumnFilter[],
): void {
  const key = columnsKey(columns);
  const current = layoutFor(useGridStore.getState().layouts[gridKey], key, columns.length);
  updateLayout(gridKey, key, columns.length, { filters: change(current.filters) });
}

/** Moves the column at display position `from` to position `to`. */
export function moveColumn(order: readonly number[], from: number, to: number): number[] {
  const next = [...order];
  const [moved] = next.splice(from, 1);
  if (moved === undefined) return next;
  next.splice(Math.max(0, Math.min(next.length, to)), 0, moved);
  return next;
}

export function forgetGrid(gridKey: string): void {
  useGridStore.setState((s) => {
    const { [gridKey]: _dropped, ...layouts } = s.layouts;
    return { layouts };
  });
}
