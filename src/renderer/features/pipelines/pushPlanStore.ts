/**
 * The "Review push" dialog: the plan the server answered for a preview, the
 * choices and write credentials typed for this push, the push's job and its
 * outcome. One dialog at a time, opened from a pipeline tab's preview; closing
 * it puts everything back to CLOSED_PUSH_PLAN, the credentials included.
 */
import { create } from 'zustand';
import type { PushOutcome, PushPlanView, WriteCredentials } from '../../../shared/api/push';
import type { ErrorView } from '../../state/errorView';

export interface PushPlanState {
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
};

export const usePushPlan = create<PushPlanState>(() => CLOSED_PUSH_PLAN);

export function patchPushPlan(patch: Partial<PushPlanState>): void {
  usePushPlan.setState(patch);
}

export function setPushComment(comment: string): void {
  patchPushPlan({ comment });
}

export function setPushCredentials(credentials: WriteCredentials | null): void {
  patchPushPlan({ credentials });
}
