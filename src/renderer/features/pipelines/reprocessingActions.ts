/**
 * The reprocessing panel's server work: start a preview and read its result,
 * chart one series of it, read the push history, and after a push or an undo
 * bring the history, the Pipelines section and the editor up to date; when its
 * tab closes, cancel a preview still running.
 */
import type { PreviewSummary, WriteCredentials } from '../../../shared/api/push';
import type { PipelineDraft } from '../../../shared/formula';
import { addDays } from '../../../shared/utcDays';
import { toErrorView } from '../../state/errorView';
import { workbench } from '../../state/workbench';
import { cancelJob, refreshSection } from '../../state/workspaceActions';
import { useWorkspaceStore } from '../../state/workspaceStore';
import { followServerPipeline, loadEditor } from './pipelineActions';
import { closePushPlanOf } from './pushPlanStore';
import { closeUndo, forgetReprocessing, patchReprocessing, reprocessingOf } from './reprocessingStore';

export async function startPreview(
  tabId: string,
  request: { pipelineId: string; baseVersion: number; draft: PipelineDraft },
): Promise<void> {
  const { startDay, endDay } = reprocessingOf(tabId);
  // A push plan is of the preview it was opened on: Push must not push the old one (Ctrl+Enter bubbles from the dialog).
  closePushPlanOf(tabId);
  patchReprocessing(tabId, { error: null, summary: null, overlay: null, chosen: null, jobId: null, previewId: null });
  try {
    const started = await workbench().call('preview.start', {
      pipelineId: request.pipelineId,
      baseVersion: request.baseVersion,
      filter: request.draft.filter,
      metrics: request.draft.metrics,
      range: { start: `${startDay}T00:00:00.000Z`, end: `${addDays(endDay, 1)}T00:00:00.000Z` },
    });
    // The tab closed while the preview started: nobody will look at it.
    if (!patchReprocessing(tabId, started)) void cancelJob(started.jobId);
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

/** After a push succeeded, with the preview's summary that holds its outcome. */
export async function afterPush(tabId: string, pipelineId: string, pushed: PreviewSummary): Promise<void> {
  const reloads = [loadPushHistory(tabId, pipelineId), loadPreviewResult(tabId, pushed), refreshSection('pipelines')];
  // The draft is now the server's new version: the editor starts from it (and the draft file has done its job).
  const outcome = pushed.push;
  if (outcome && !outcome.alreadyApplied && outcome.pipelineVersion !== pushed.baseVersion) {
    // Whether or not the draft file could be deleted, the editor shows the new version.
    const deleted = workbench()
      .call('drafts.delete', { pipelineId })
      .catch(() => undefined);
    reloads.push(deleted.then(() => loadEditor(tabId)));
  }
  await Promise.all(reloads);
}

/** Starts undoing the push the tab's "Undo push" dialog is open for. */
export async function undoPush(tabId: string, credentials: WriteCredentials): Promise<void> {
  const asked = reprocessingOf(tabId).undo;
  if (!asked) return;
  patchReprocessing(tabId, { undo: { ...asked, error: null } });
  const stillAsked = () => reprocessingOf(tabId).undo?.push.pushId === asked.push.pushId;
  try {
    const { jobId } = await workbench().call('push.undo', { pushId: asked.push.pushId, credentials });
    const undo = reprocessingOf(tabId).undo;
    if (undo && stillAsked()) patchReprocessing(tabId, { undo: { ...undo, jobId } });
  } catch (err) {
    const undo = reprocessingOf(tabId).undo;
    if (undo && stillAsked()) patchReprocessing(tabId, { undo: { ...undo, error: toErrorView(err) } });
  }
}

/** After an undo succeeded: the dialog closes, the history and the editor follow the server. */
export async function afterUndo(tabId: string, pipelineId: string): Promise<void> {
  closeUndo(tabId);
  await Promise.all([
    loadPushHistory(tabId, pipelineId),
    refreshSection('pipelines'),
    // An undo may restore an older definition as a new version: the editor follows, as after a push.
    followServerPipeline(tabId),
  ]);
}

/** Refreshes a push's continuous aggregates again, as a job; answers the job's id. */
export async function refreshAggregates(pushId: string, credentials: WriteCredentials): Promise<string> {
  const { jobId } = await workbench().call('push.refreshAggregates', { pushId, credentials });
  return jobId;
}

/** The closed pipeline tab's preview stops on the server, and its state goes. */
export function disposeReprocessing(tabId: string): void {
  const { jobId } = reprocessingOf(tabId);
  // Not known to have finished: it runs, or its first event is not here yet.
  if (jobId && !useWorkspaceStore.getState().jobs[jobId]?.finishedAt) void cancelJob(jobId);
  forgetReprocessing(tabId);
}
