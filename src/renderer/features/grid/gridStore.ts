/**
 * Per-tab grid state, keyed by the grid's key (its tab's id).
 *
 * The layout outlives the component: column order and visibility, filters, the
 * profiled column and the last export. A new result with other columns starts
 * from a fresh layout; the same columns keep it.
 *
 * What the user is doing in the grid on screen (the selection, the open popup,
 * the toolbar's passing notice) is shared by the toolbar, header, body and
 * popups; it goes when the grid leaves the screen (`leaveGrid`).
 */
import { useCallback, useMemo } from 'react';
import { create } from 'zustand';
import type { ResultExportStarted } from '../../../shared/api/export';
import type { ColumnFilter } from '../../../shared/gridView';
import { withoutKey } from '../../workbench/records';
import type { Selection } from './selection';

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

/** The grid's one open popup, at viewport coordinates; `row` and `col` are display positions, else column indices. */
export type Popup =
  | { kind: 'context'; x: number; y: number; row: number; col: number }
  | { kind: 'header'; x: number; y: number; col: number }
  | { kind: 'filter'; x: number; y: number; col: number }
  | { kind: 'columns'; x: number; y: number };

/** Each record holds one entry per grid key; `forgetGrid` removes them all. */
interface GridStore {
  layouts: Record<string, GridLayout>;
  selections: Record<string, Selection>;
  popups: Record<string, Popup>;
  notices: Record<string, string>;
}

export const useGridStore = create<GridStore>(() => ({ layouts: {}, selections: {}, popups: {}, notices: {} }));

/** How long a notice stays in the toolbar. */
const NOTICE_MS = 4000;

/** The record with `key` set to `value`, or without `key` when `value` is null. */
function withEntry<T>(record: Record<string, T>, key: string, value: T | null): Record<string, T> {
  return value !== null ? { ...record, [key]: value } : withoutKey(record, key);
}

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

/** The grid's layout for these columns, and how to change it. */
export function useGridLayout(
  gridKey: string,
  columns: readonly { name: string; type: string }[],
): { layout: GridLayout; setLayout: (patch: Partial<GridLayout>) => void } {
  const key = columnsKey(columns);
  // Select the stored entry itself: a fresh default object per call would never settle.
  const stored = useGridStore((s) => s.layouts[gridKey]);
  const layout = useMemo(() => layoutFor(stored, key, columns.length), [key, columns.length, stored]);
  const setLayout = useCallback(
    (patch: Partial<GridLayout>) => updateLayout(gridKey, key, columns.length, patch),
    [gridKey, key, columns.length],
  );
  return { layout, setLayout };
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

export function select(gridKey: string, selection: Selection | null): void {
  useGridStore.setState((s) => ({ selections: withEntry(s.selections, gridKey, selection) }));
}

export function openPopup(gridKey: string, popup: Popup | null): void {
  useGridStore.setState((s) => ({ popups: withEntry(s.popups, gridKey, popup) }));
}

/** Shows `text` in the grid's toolbar for a few seconds, unless a newer notice replaced it. */
export function say(gridKey: string, text: string): void {
  useGridStore.setState((s) => ({ notices: withEntry(s.notices, gridKey, text) }));
  setTimeout(() => {
    if (useGridStore.getState().notices[gridKey] !== text) return;
    useGridStore.setState((s) => ({ notices: withEntry(s.notices, gridKey, null) }));
  }, NOTICE_MS);
}

/** The grid left the screen (its tab was switched away or closed): what the user was doing goes, the layout stays. */
export function leaveGrid(gridKey: string): void {
  useGridStore.setState((s) => ({
    selections: withEntry(s.selections, gridKey, null),
    popups: withEntry(s.popups, gridKey, null),
    notices: withEntry(s.notices, gridKey, null),
  }));
}

/** The grid's tab closed: nothing of it stays. */
export function forgetGrid(gridKey: string): void {
  leaveGrid(gridKey);
  useGridStore.setState((s) => ({ layouts: withEntry(s.layouts, gridKey, null) }));
}
