/**
 * Per pipeline tab: the reprocessing preview (range, job, summary, the overlay
 * of one series) and the server's push history. Outside the components so a
 * running preview survives switching tabs.
 */
import { create } from 'zustand';
import type { PreviewSeries, PreviewSummary, PushRecord, WriteCredentials } from '../../../shared/api/push';
import type { PipelineDraft } from '../../../shared/formula';
import { toErrorView, type ErrorView } from '../../state/errorView';
import { workbench } from '../../state/workbench';

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
};

export const useReprocessingStore = create<{ byTab: Record<string, ReprocessingState> }>(() => ({ byTab: {} }));

function reprocessingOf(tabId: string): ReprocessingState {
  return useReprocessingStore.getState().byTab[tabId] ?? EMPTY;
}

export function patchReprocessing(tabId: string, patch: Partial<ReprocessingState>): void {
  useReprocessingStore.setState((s) => ({
    byTab: { ...s.byTab, [tabId]: { ...(s.byTab[tabId] ?? EMPTY), ...patch } },
  }));
}

export const DAY_MS = 86_400_000;
export const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
/** The last UTC day of a range whose end is exclusive. */
export const lastDayOf = (end: string) => dayOf(Date.parse(end) - 1);

export async function startPreview(
  tabId: string,
  request: { pipelineId: string; baseVersion: number; draft: PipelineDraft },
): Promise<void> {
  const { startDay, endDay } = reprocessingOf(tabId);
  patchReprocessing(tabId, { error: null, summary: null, overlay: null, chosen: null, jobId: null, previewId: null });
  try {
    const started = await workbench().call('preview.start', {
      pipelineId: request.pipelineId,
      baseVersion: request.baseVersion,
      filter: request.draft.filter,
      metrics: request.draft.metrics,
      range: {
        start: `${startDay}T00:00:00.000Z`,
        end: new Date(Date.parse(`${endDay}T00:00:00.000Z`) + DAY_MS).toISOString(),
      },
    });
    patchReprocessing(tabId, started);
  } catch (err) {
    patchReprocessing(tabId, { error: toErrorView(err) });
  }
}

/** After the preview's job succeeded, or with the summary a push has just read (no second request for it). */
export async function loadPreviewResult(tabId: string, known?: PreviewSummary): Promise<void> {
  const { previewId, chosen } = reprocessingOf(tabId);
  if (!previewId || (known && known.previewId !== previewId)) return;
  try {
    const summary = known ?? (await workbench().call('preview.result', { previewId }));
    patchReprocessing(tabId, { summary });
    // The first overlay: the series and metric with the most changes.
    if (!chosen) {
      const metric = [...summary.perMetric].sort((a, b) => b.changed - a.changed)[0];
      const series = summary.perSeries[0];
      if (metric && series) await chooseOverlay(tabId, series.seriesId, metric.metricName);
    }
  } catch (err) {
    patchReprocessing(tabId, { error: toErrorView(err) });
  }
}

export async function chooseOverlay(tabId: string, seriesId: string, metricName: string): Promise<void> {
  const { previewId } = reprocessingOf(tabId);
  if (!previewId) return;
  patchReprocessing(tabId, { chosen: { seriesId, metricName }, overlayError: null });
  try {
    const overlay = await workbench().call('preview.series', { previewId, seriesId, metricName });
    const now = reprocessingOf(tabId).chosen;
    if (now?.seriesId === seriesId && now.metricName === metricName) patchReprocessing(tabId, { overlay });
  } catch (err) {
    patchReprocessing(tabId, { overlayError: toErrorView(err) });
  }
}

export async function loadPushHistory(tabId: string, pipelineId: string): Promise<void> {
  try {
    const { pushes } = await workbench().call('push.history', { pipelineId });
    patchReprocessing(tabId, { history: pushes, historyError: null });
  } catch (err) {
    patchReprocessing(tabId, { historyError: toErrorView(err) });
  }
}

export async function startUndo(pushId: string, credentials: WriteCredentials): Promise<string> {
  const { jobId } = await workbench().call('push.undo', { pushId, credentials });
  return jobId;
}
