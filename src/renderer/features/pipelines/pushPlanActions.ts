/**
 * What "Review push…" asks the server: the plan of a push of the preview (again
 * when the user changes what is pushed, or checks as the write user), the push
 * itself as a job, and its outcome once it succeeded.
 */
import type { WriteCredentials } from '../../../shared/api/push';
import { toErrorView } from '../../state/errorView';
import { workbench } from '../../state/workbench';
import { CLOSED_PUSH_PLAN, patchPushPlan, usePushPlan } from './pushPlanStore';
import { afterPush } from './reprocessingActions';

// Each counter names the latest request of its kind: a reply to an older one
// (an earlier plan, an earlier opening of the dialog) is dropped.
let opening = 0;
let planSeq = 0;

const state = () => usePushPlan.getState();

export function openPushPlan(tabId: string, pipelineId: string, previewId: string): void {
  opening++;
  usePushPlan.setState({ ...CLOSED_PUSH_PLAN, tabId, pipelineId, previewId });
  void loadPushPlan();
}

/** Closes the dialog; the credentials typed in it go with it. */
export function closePushPlan(): void {
  opening++;
  planSeq++;
  usePushPlan.setState(CLOSED_PUSH_PLAN);
}

/** Asks what the push would do, with the dialog's choices; the figures shown stay until the answer. */
export async function loadPushPlan(): Promise<void> {
  const { previewId, includeDefinition, checkedWith } = state();
  const asked = ++planSeq;
  patchPushPlan({ planError: null, checking: true });
  try {
    const plan = await workbench().call('push.plan', {
      previewId,
      includeDefinition,
      ...(checkedWith ? { credentials: checkedWith } : {}),
    });
    if (asked === planSeq) patchPushPlan({ plan });
  } catch (err) {
    if (asked === planSeq) patchPushPlan({ planError: toErrorView(err) });
  } finally {
    if (asked === planSeq) patchPushPlan({ checking: false });
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
  const asked = opening;
  patchPushPlan({ error: null });
  try {
    const { jobId } = await workbench().call('push.run', {
      previewId,
      includeDefinition,
      comment: comment.trim() || null,
      credentials,
    });
    if (asked === opening) patchPushPlan({ jobId });
  } catch (err) {
    if (asked === opening) patchPushPlan({ error: toErrorView(err) });
  }
}

/** After the push succeeded (or its aggregates were refreshed again): its outcome, and the tab follows. */
export async function readPushOutcome(): Promise<void> {
  const { tabId, pipelineId, previewId } = state();
  if (!tabId) return;
  const asked = opening;
  try {
    const summary = await workbench().call('preview.result', { previewId });
    if (asked === opening) patchPushPlan({ outcome: summary.push });
    await afterPush(tabId, pipelineId, summary);
  } catch (err) {
    if (asked === opening) patchPushPlan({ error: toErrorView(err) });
  }
}
