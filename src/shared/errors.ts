/**
 * Errors that carry a stable code and a sentence the user can act on. They cross
 * process boundaries as `ApiErrorBody`; anything else thrown is reported as
 * `internal` with its message, never as a crash.
 */
export const ERROR_CODES = [
  'bad_request',
  'unknown_method',
  'not_found',
  'not_ready',
  'query_failed',
  'cancelled',
  // Someone else changed what this action was prepared against (e.g. a push after a preview).
  'conflict',
  'unauthorized',
  'unavailable',
  // The object store (or another remote) could not be used; each names why.
  'offline',
  'timeout',
  // Work refused before it started because the server would read too many rows (it says how many).
  'heavy_read',
  'tls_failed',
  'auth_failed',
  'forbidden',
  'store_not_found',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** A code from another process, as ours; one this build does not know becomes `internal`. */
export function toErrorCode(code: string): ErrorCode {
  return (ERROR_CODES as readonly string[]).includes(code) ? (code as ErrorCode) : 'internal';
}

export class WorkbenchError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, hint?: string) {
    super(message);
    this.name = 'WorkbenchError';
    this.code = code;
    this.hint = hint;
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/** One line for places that show only text (a job's error): what happened, then what to do. */
export function errorText(err: unknown): string {
  const message = errorMessage(err);
  if (!(err instanceof WorkbenchError) || !err.hint) return message;
  return `${/[.!?]$/.test(message) ? message : `${message}.`} ${err.hint}`;
}
