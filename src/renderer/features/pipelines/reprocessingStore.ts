/**
 * Per pipeline tab: the reprocessing preview (range, job, summary, the overlay
 * of one series), the server's push history and an undo being asked for.
 * Outside the components so a running preview survives switching tabs; the
 * server calls that fill it are in reprocessingActions.ts.
 */
import { create } from 'zustand';
import type { PreviewSeries, PreviewSummary, PushRecord } from '../../../shared/api/push';
import type { ErrorView } from '../../state/errorView';
import { DAY_MS, utcDayOf } from '../../../shared/utcDays';

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

export function patchReprocessing(tabId: string, patch: Partial<ReprocessingState>): void {
  useReprocessingStore.setState((s) => ({
    byTab: { ...s.byTab, [tabId]: { ...(s.byTab[tabId] ?? EMPTY), ...patch } },
  }));
}

/** A closed pipeline tab's preview and history go with it. */
export function forgetReprocessing(tabId: string): void {
  useReprocessingStore.setState((s) => {
    const { [tabId]: _gone, ...rest } = s.byTab;
    return { byTab: rest };
  });
}

/** The last UTC day of a range whose end is exclusive. */
export const lastDayOf = (end: string) => utcDayOf(Date.parse(end) - 1);

/** The range to preview as a quick pick over the cached Bronze: its last 7 days, or all of it. */
export function pickPreviewRange(tabId: string, which: 'week' | 'all', cached: { first: number; last: number }): void {
  const endDay = utcDayOf(cached.last);
  const startDay = which === 'all' ? utcDayOf(cached.first) : utcDayOf(Date.parse(`${endDay}T00:00:00Z`) - 6 * DAY_MS);
  patchReprocessing(tabId, { startDay, endDay });
}

export function openUndo(tabId: string, push: PushRecord): void {
  patchReprocessing(tabId, { undo: { push, jobId: null, error: null } });
}

export function closeUndo(tabId: string): void {
  patchReprocessing(tabId, { undo: null });
}
