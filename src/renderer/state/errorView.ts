/** What the UI shows for a failure: a stable code, a sentence, and what to do. */
import { WorkbenchError, errorMessage, type ErrorCode } from '../../shared/errors';

export interface ErrorView {
  code: ErrorCode;
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

/** A failure as one line of text: the message, then what to do. */
export function errorLine(err: unknown): string {
  const view = toErrorView(err);
  return view.hint ? `${view.message}. ${view.hint}` : view.message;
}
