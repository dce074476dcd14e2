/**
 * Errors that carry a stable code and a sentence the user can act on. They cross
 * process boundaries as `ApiErrorBody`; anything else thrown is reported as
 * `internal` with its message, never as a crash.
 */
import { z } from 'zod';

/** The one list of error codes; `ErrorCode` and `HTTP_STATUS_BY_CODE` are built from it. */
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
export const ErrorCode = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCode>;

/**
 * The HTTP status the browser shell answers each code with. A remote's failure
 * (bad credentials, TLS) is a bad gateway, never 401: 401 means the workbench's
 * own token was refused. A full Record, so a new code must pick one.
 */
export const HTTP_STATUS_BY_CODE: Readonly<Record<ErrorCode, number>> = {
  bad_request: 400,
  unknown_method: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  store_not_found: 404,
  query_failed: 422,
  heavy_read: 422,
  cancelled: 422,
  conflict: 409,
  tls_failed: 502,
  auth_failed: 502,
  not_ready: 503,
  unavailable: 503,
  offline: 503,
  timeout: 504,
  internal: 500,
};

/** A code from another process, as ours; one this build does not know becomes `internal`. */
export function toErrorCode(code: string): ErrorCode {
  const known = ErrorCode.safeParse(code);
  return known.success ? known.data : 'internal';
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
