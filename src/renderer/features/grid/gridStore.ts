/**
 * Per-tab grid layout and state that outlives the component: column order and
 * visibility, filters, the profiled column and the last export. A new result
 * with other columns starts from a fresh layout; the same columns keep it.
 */
import { create } from 'zustand';
import type { ResultExportStarted } from '../../../shared/api/export';
import type { ColumnFilter } from '../../engine/filterSql';

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

/** The layout of a tab's grid for these columns (a fresh one when the columns changed). */
export function layoutFor(
  gridKey: string,
  key: string,
  count: number,
  layouts: Record<string, GridLayout>,
): GridLayout {
  const layout = layouts[gridKey];
  return layout && layout.columnsKey === key ? layout : fresh(key, count);
}

export function updateLayout(gridKey: string, key: string, count: number, patch: Partial<GridLayout>): void {
  useGridStore.setState((s) => ({
    layouts: { ...s.layouts, [gridKey]: { ...layoutFor(gridKey, key, count, s.layouts), ...patch } },
  }));
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
