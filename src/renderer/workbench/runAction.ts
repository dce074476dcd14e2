/** A user's action as its store shows it: busy while it runs, and its failure kept to be shown. */
import { toErrorView, type ErrorView } from '../state/errorView';

export interface ActionStates<S> {
  /** What the store holds while the action runs (its buttons wait), e.g. `{ busy: true, error: null }`. */
  running: Partial<S>;
  /** What it holds once the action ended, however it ended. */
  done: Partial<S>;
  /** Where the failure goes, e.g. `(error) => ({ error })`. */
  failed: (error: ErrorView) => Partial<S>;
}

/** Runs `work` with the store showing it; a failure is shown, never thrown. */
export async function runAction<S>(
  patch: (changes: Partial<S>) => void,
  states: ActionStates<S>,
  work: () => Promise<void>,
): Promise<void> {
  patch(states.running);
  try {
    await work();
  } catch (err) {
    patch(states.failed(toErrorView(err)));
  } finally {
    patch(states.done);
  }
}
