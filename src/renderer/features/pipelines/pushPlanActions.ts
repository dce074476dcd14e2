/**
 * What "Review push…" asks the server: the plan of a push of the preview (again
 * when the user changes what is pushed, or checks as the write user), the push
 * itself as a job, and its outcome once it succeeded.
 */
import type { WriteCredentials } from '../../../shared/api/push';
import { toErrorView } from '../../state/errorView';
import { workbench } from '../../state/workbench';
import { latestReply } from '../../workbench/latestReply';
import { patchPushPlan, showPushPlan, thisOpening, usePushPlan } from './pushPlanStore';
import { afterPush, loadPushHistory } from './reprocessingActions';

// Only the latest plan asked for shows: the user changed what is pushed, or checked as another role, since.
const plans = latestReply();

const state = () => usePushPlan.getState();

export function openPushPlan(tabId: string, pipelineId: string, previewId: string): void {
  showPushPlan(tabId, pipelineId, previewId);
  void loadPushPlan();
}

/** Asks what the push would do, with the dialog's choices; the figures shown stay until the answer. */
async function loadPushPlan(): Promise<void> {
  const { previewId, includeDefinition, checkedWith } = state();
  const latestPlan = plans.ask();
  const open = thisOpening();
  const latest = () => latestPlan() && open();
  patchPushPlan({ planError: null, checking: true });
  try {
    const plan = await workbench().call('push.plan', {
      previewId,
      includeDefinition,
      ...(checkedWith ? { credentials: checkedWith } : {}),
    });
    if (latest()) patchPushPlan({ plan });
  } catch (err) {
    if (latest()) patchPushPlan({ planError: toErrorView(err) });
  } finally {
    if (latest()) patchPushPlan({ checking: false });
  }
}

export function setIncludeDefinition(includeDefinition: boolean): void {
  patchPushPlan({ includeDefinition });
  void loadPushPlan();
}

/** "Check as the write user": the plan again, as the role that will push. */
export function checkPushPlanAs(credentials: WriteCredentials): void {
  patchPushPlan({ checkedWith: credentials });
  void loadPushPlan();
}

export async function runPush(): Promise<void> {
  const { previewId, includeDefinition, comment, credentials } = state();
  if (!credentials) return;
  const open = thisOpening();
  patchPushPlan({ error: null });
  try {
    const { jobId } = await workbench().call('push.run', {
      previewId,
      includeDefinition,
      comment: comment.trim() || null,
      credentials,
    });
    if (open()) patchPushPlan({ jobId });
  } catch (err) {
    if (open()) patchPushPlan({ error: toErrorView(err) });
  }
}

/** After the push succeeded: its outcome, and the tab follows. Once per push, however often it is called. */
export async function readPushOutcome(): Promise<void> {
  const { tabId, pipelineId, previewId, outcomeAsked } = state();
  if (!tabId || outcomeAsked) return;
  patchPushPlan({ outcomeAsked: true });
  const open = thisOpening();
  try {
    const summary = await workbench().call('preview.result', { previewId });
    if (open()) patchPushPlan({ outcome: summary.push });
    await afterPush(tabId, pipelineId, summary);
  } catch (err) {
    if (open()) patchPushPlan({ error: toErrorView(err) });
  }
}

/** After the push's continuous aggregates were refreshed again: its outcome and the history say how they are now. */
export async function rereadPushOutcome(): Promise<void> {
  const { tabId, pipelineId, previewId } = state();
  if (!tabId) return;
  const open = thisOpening();
  const history = loadPushHistory(tabId, pipelineId);
  try {
    const summary = await workbench().call('preview.result', { previewId });
    if (open()) patchPushPlan({ outcome: summary.push });
  } catch (err) {
    if (open()) patchPushPlan({ error: toErrorView(err) });
  }
  await history;
}
