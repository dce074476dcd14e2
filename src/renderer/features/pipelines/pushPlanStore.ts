/**
 * The "Review push" dialog: the plan the server answered for a preview, the
 * choices and write credentials typed for this push, the push's job and its
 * outcome. One dialog at a time, opened from a pipeline tab's preview; closing
 * it puts everything back to CLOSED_PUSH_PLAN, the credentials included. It
 * closes with its tab, and when the tab starts another preview.
 */
import { create } from 'zustand';
import type { PushOutcome, PushPlanView, WriteCredentials } from '../../../shared/api/push';
import type { ErrorView } from '../../state/errorView';
import { latestReply } from '../../workbench/latestReply';

interface PushPlanState {
  /** The pipeline tab the dialog was opened from; null while it is closed. */
  tabId: string | null;
  pipelineId: string;
  previewId: string;
  plan: PushPlanView | null;
  planError: ErrorView | null;
  /** A plan is being asked for (the figures shown stay until it arrives). */
  checking: boolean;
  includeDefinition: boolean;
  comment: string;
  /** As typed for this push; never kept past the dialog. */
  credentials: WriteCredentials | null;
  /** Credentials the plan was last checked with (null: as the exploration role). */
  checkedWith: WriteCredentials | null;
  jobId: string | null;
  /** Why the push did not start, or its outcome could not be read. */
  error: ErrorView | null;
  outcome: PushOutcome | null;
  /** The outcome was asked for: what follows a push runs once, though the dialog remounts on every tab switch. */
  outcomeAsked: boolean;
}

export const CLOSED_PUSH_PLAN: PushPlanState = {
  tabId: null,
  pipelineId: '',
  previewId: '',
  plan: null,
  planError: null,
  checking: false,
  includeDefinition: true,
  comment: '',
  credentials: null,
  checkedWith: null,
  jobId: null,
  error: null,
  outcome: null,
  outcomeAsked: false,
};

export const usePushPlan = create<PushPlanState>(() => CLOSED_PUSH_PLAN);

// The dialog's openings: a reply asked for in an earlier one (closed or opened again since) changes nothing.
const openings = latestReply();

/** Whether the dialog is still in the opening it is in now, for a reply to check before it shows. */
export function thisOpening(): () => boolean {
  return openings.current();
}

/** Shows the dialog afresh for a tab's preview: nothing of an earlier opening stays. */
export function showPushPlan(tabId: string, pipelineId: string, previewId: string): void {
  openings.drop();
  usePushPlan.setState({ ...CLOSED_PUSH_PLAN, tabId, pipelineId, previewId });
}

/** Closes the dialog; the credentials typed in it go with it. */
export function closePushPlan(): void {
  openings.drop();
  usePushPlan.setState(CLOSED_PUSH_PLAN);
}

/** Closes the dialog if it was opened from this tab (the tab closes, or previews again). */
export function closePushPlanOf(tabId: string): void {
  if (usePushPlan.getState().tabId === tabId) closePushPlan();
}

export function patchPushPlan(patch: Partial<PushPlanState>): void {
  usePushPlan.setState(patch);
}

export function setPushComment(comment: string): void {
  patchPushPlan({ comment });
}

export function setPushCredentials(credentials: WriteCredentials | null): void {
  patchPushPlan({ credentials });
}
