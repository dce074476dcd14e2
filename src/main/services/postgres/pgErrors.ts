/**
 * PostgreSQL's errors carry more than their message: a DETAIL (how many, which
 * limit, which key) and a HINT (what to do). Both reach the user.
 */
import pg from 'pg';
import { errorMessage } from '../../../shared/errors';

/** The server's own error (with code, DETAIL, HINT, position), or null for anything else (a lost connection…). */
export function asDatabaseError(err: unknown): pg.DatabaseError | null {
  return err instanceof pg.DatabaseError ? err : null;
}

/** A PostgreSQL error with its DETAIL and HINT, which often say what to do. */
export function pgErrorText(err: unknown): string {
  const db = asDatabaseError(err);
  return [errorMessage(err), db?.detail, db?.hint].filter((part) => part).join(' — ');
}

/** The SQLSTATE of a PostgreSQL error, or null for anything else. */
export function pgErrorCode(err: unknown): string | null {
  return asDatabaseError(err)?.code ?? null;
}
