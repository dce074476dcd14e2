/**
 * PostgreSQL's errors carry more than their message: a DETAIL (how many, which
 * limit, which key) and a HINT (what to do). Both reach the user.
 */
import { errorMessage } from '../../../shared/errors';

/** A PostgreSQL error with its DETAIL and HINT, which often say what to do. */
export function pgErrorText(err: unknown): string {
  const e = err as { detail?: unknown; hint?: unknown } | null;
  const parts = [errorMessage(err)];
  if (typeof e?.detail === 'string' && e.detail) parts.push(e.detail);
  if (typeof e?.hint === 'string' && e.hint) parts.push(e.hint);
  return parts.join(' — ');
}

/** The SQLSTATE of a PostgreSQL error, or null for anything else. */
export function pgErrorCode(err: unknown): string | null {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : null;
}
