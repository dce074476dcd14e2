/**
 * Per pipeline tab: the reprocessing preview (range, job, summary, the overlay
 * of one series), the server's push history and an undo being asked for.
 * Outside the components so a running preview survives switching tabs; the
 * server calls that fill it are in reprocessingActions.ts.
 */
import { create } from 'zustand';
import type { PreviewSeries, PreviewSummary, PushRecord } from '../../../shared/api/push';
import { addDays, utcDayOf } from '../../../shared/utcDays';
import type { ErrorView } from '../../state/errorView';
import { withoutKey } from '../../workbench/records';
import { useTabsStore } from '../../workbench/tabsStore';

/** "Undo push" open for one push of the history: its job once started, or why it did not start. */
export interface UndoState {
  push: PushRecord;
  jobId: string | null;
  error: ErrorView | null;
}

export interface ReprocessingState {
  /** UTC days, both included. */
  startDay: string;
  endDay: string;
  jobId: string | null;
  previewId: string | null;
  summary: PreviewSummary | null;
  error: ErrorView | null;
  chosen: { seriesId: string; metricName: string } | null;
  overlay: PreviewSeries | null;
  overlayError: ErrorView | null;
  history: PushRecord[] | null;
  historyError: ErrorView | null;
  undo: UndoState | null;
}

const EMPTY: ReprocessingState = {
  startDay: '',
  endDay: '',
  jobId: null,
  previewId: null,
  summary: null,
  error: null,
  chosen: null,
  overlay: null,
  overlayError: null,
  history: null,
  historyError: null,
  undo: null,
};

export const useReprocessingStore = create<{ byTab: Record<string, ReprocessingState> }>(() => ({ byTab: {} }));

export function reprocessingOf(tabId: string): ReprocessingState {
  return useReprocessingStore.getState().byTab[tabId] ?? EMPTY;
}

/**
 * Patches the tab's state; false (and nothing kept) when the tab is not open: a
 * reply that arrives after its tab closed must not bring the tab's state back.
 */
export function patchReprocessing(tabId: string, patch: Partial<ReprocessingState>): boolean {
  if (!useTabsStore.getState().tabs.some((t) => t.id === tabId)) return false;
  useReprocessingStore.setState((s) => ({
    byTab: { ...s.byTab, [tabId]: { ...(s.byTab[tabId] ?? EMPTY), ...patch } },
  }));
  return true;
}

/** A closed pipeline tab's preview and history go with it. */
export function forgetReprocessing(tabId: string): void {
  useReprocessingStore.setState((s) => ({ byTab: withoutKey(s.byTab, tabId) }));
}

/** The range to preview as a quick pick over the cached Bronze: its last 7 days, or all of it. */
export function pickPreviewRange(tabId: string, which: 'week' | 'all', cached: { first: number; last: number }): void {
  const endDay = utcDayOf(cached.last);
  const startDay = which === 'all' ? utcDayOf(cached.first) : addDays(endDay, -6);
  patchReprocessing(tabId, { startDay, endDay });
}

export function openUndo(tabId: string, push: PushRecord): void {
  patchReprocessing(tabId, { undo: { push, jobId: null, error: null } });
}

export function closeUndo(tabId: string): void {
  patchReprocessing(tabId, { undo: null });
}
