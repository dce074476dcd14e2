/** What the UI shows for a failure: a stable code, a sentence, and what to do. */
import { WorkbenchError, errorMessage } from '../../shared/errors';

export interface ErrorView {
  code: string;
  message: string;
  hint?: string;
}

export function toErrorView(err: unknown): ErrorView {
  if (err instanceof WorkbenchError) {
    return err.hint
      ? { code: err.code, message: err.message, hint: err.hint }
      : { code: err.code, message: err.message };
  }
  return { code: 'internal', message: errorMessage(err) };
}
