/**
 * What planning, pushing, undoing and the history share: the range type, the
 * push's own connection and transaction, the pipeline lock, and how a server
 * failure is named to the user.
 */
import type pg from 'pg';
import { WorkbenchError, errorMessage } from '../../../shared/errors';
import { pgErrorCode, pgErrorText } from '../postgres/pgErrors';

/** `[start, end)`, ISO-8601 instants. */
export interface PushRange {
  start: string;
  end: string;
}

export function checkRange(range: PushRange): void {
  const start = Date.parse(range.start);
  const end = Date.parse(range.end);
  if (!Number.isFinite(start) || !Number.isFinite(end) || end <= start) {
    throw new WorkbenchError(
      'bad_request',
      `The push range ${range.start} – ${range.end} is not a valid [start, end).`,
    );
  }
}

/** Runs `work` on a client of its own, ended afterwards. */
export async function withClient<T>(
  connect: () => Promise<pg.Client>,
  work: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = await connect();
  // A server that goes away mid-push must fail the push, not crash the app.
  client.on('error', () => undefined);
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Runs `work` in one transaction on a client of its own; rolls back on any failure. */
export function inTransaction<T>(
  connect: () => Promise<pg.Client>,
  work: (client: pg.Client) => Promise<T>,
): Promise<T> {
  return withClient(connect, async (client) => {
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  });
}

export async function lockPipeline(
  client: pg.ClientBase,
  pipelineId: string,
): Promise<{ version: number; updatedBy: string | null; updatedAt: Date | null }> {
  const { rows } = await client.query<{ version: number; updated_by: string | null; updated_at: Date | null }>(
    'SELECT version, updated_by, updated_at FROM dash.pipelines WHERE id = $1 FOR UPDATE',
    [pipelineId],
  );
  const row = rows[0];
  if (!row) throw new WorkbenchError('not_found', `The server has no pipeline "${pipelineId}".`);
  return { version: row.version, updatedBy: row.updated_by, updatedAt: row.updated_at };
}

export function conflict(message: string, hint: string): WorkbenchError {
  return new WorkbenchError('conflict', message, hint);
}

/**
 * Names what a PostgreSQL failure on a push connection means, and what to do —
 * with the server's DETAIL and HINT (how many tuples, which limit), never just
 * its first line.
 */
export function explainPushFailure(err: unknown, user: string): unknown {
  const code = pgErrorCode(err);
  if (code === '28P01' || code === '28000') {
    return new WorkbenchError(
      'auth_failed',
      `The server refused the user "${user}" and password for this push. Nothing was written.`,
      'Check the write credentials (they are not the read-only exploration ones) and push again.',
    );
  }
  if (code === '42501') {
    return new WorkbenchError(
      'forbidden',
      `The user "${user}" may not write the dash schema: ${pgErrorText(err)}. Nothing was written.`,
      'Push with a user granted what docs/data-contract.md lists under "Roles and grants" (Review push shows what is missing).',
    );
  }
  if (code === '53400' && /decompress/i.test(errorMessage(err))) {
    return new WorkbenchError(
      'query_failed',
      `The server refused to decompress this many rows in one transaction: ${pgErrorText(err)}. Nothing was written.`,
      `Push a shorter range (Review push shows how many rows each range decompresses), or ask the server team to raise timescaledb.max_tuples_decompressed_per_dml_transaction for "${user}" (0 lifts the limit).`,
    );
  }
  if (code !== null) {
    return new WorkbenchError(
      'query_failed',
      `The push failed on the server: ${pgErrorText(err)}. Nothing was written.`,
    );
  }
  return err;
}
