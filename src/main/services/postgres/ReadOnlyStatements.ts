/**
 * Reading from the Dash server on behalf of the user: every statement runs in
 * `BEGIN READ ONLY` with the connection's statement timeout (LOCAL, so the
 * pooled connection keeps its own settings), under an id by which it can be
 * cancelled. Cancel sends pg_cancel_backend from a separate connection, so a
 * huge scan stops on the server, not only in the UI; the connection goes back
 * to the pool only once the cancel has landed. Several statements may run
 * under one id at once (a chart reads its parts side by side).
 */
import pg from 'pg';
import { WorkbenchError } from '../../../shared/errors';
import { quoteLiteral } from '../../../shared/sql';
import { checkOut, connectClient } from './poolClient';

/**
 * `BEGIN READ ONLY` with the statement timeout, the session's time zone and
 * further `settings`, all LOCAL (they end with the transaction, so a pooled
 * connection keeps its own), as one simple-protocol query: one round trip.
 * Setting names must be the caller's constants; values are quoted.
 */
export function beginReadOnlySql(
  timeoutMs: number,
  timeZone: string,
  settings: Readonly<Record<string, string>> = {},
): string {
  const all: [string, string][] = [
    ['statement_timeout', String(Math.max(1, Math.trunc(timeoutMs)))],
    ['TimeZone', timeZone],
    ...Object.entries(settings),
  ];
  for (const [name] of all) if (!/^[A-Za-z_][A-Za-z0-9_.]*$/.test(name)) throw new Error(`Not a setting name: ${name}`);
  return ['BEGIN READ ONLY', ...all.map(([name, value]) => `SET LOCAL ${name} = ${quoteLiteral(value)}`)].join('; ');
}

export interface ReadOnlyStatementsOptions {
  /** The workspace's PostgreSQL pool (throws a clear error while it is starting). */
  pool: () => pg.Pool;
  /** From the PostgreSQL connection profile. */
  statementTimeoutMs: () => number;
}

export interface ReadOnlyRun {
  /** The server's pid for this statement's connection, null until known. */
  pid: number | null;
  cancelled: boolean;
  /** A cancel in flight: the connection is not handed back before it lands. */
  cancelling: Promise<void> | null;
}

export class ReadOnlyStatements {
  private readonly running = new Map<string, Set<ReadOnlyRun>>();

  constructor(private readonly options: ReadOnlyStatementsOptions) {}

  get statementTimeoutMs(): number {
    return Math.max(1, Math.trunc(this.options.statementTimeoutMs()));
  }

  /**
   * Runs `work` on a connection of its own inside a read-only transaction,
   * rolled back afterwards. `settings` are further planner settings for this
   * transaction only (SET LOCAL; names and values are the caller's constants).
   * The transaction and its settings start in one round trip. A failed or
   * cancelled transaction is rolled back before the connection goes back; one
   * that cannot roll back is dropped. Errors reach the caller as the driver
   * threw them (see `pgErrors`), except a cancel, which is `cancelled`.
   */
  async read<T>(
    id: string,
    work: (client: pg.PoolClient, run: ReadOnlyRun) => Promise<T>,
    settings: Readonly<Record<string, string>> = {},
  ): Promise<T> {
    const pool = this.options.pool();
    const run: ReadOnlyRun = { pid: null, cancelled: false, cancelling: null };
    let runs = this.running.get(id);
    if (!runs) this.running.set(id, (runs = new Set()));
    runs.add(run);
    let held: Awaited<ReturnType<typeof checkOut>> | null = null;
    let broken = false;
    try {
      held = await checkOut(pool);
      const client = held.client;
      run.pid = (client as unknown as { processID: number | null }).processID ?? null;
      if (run.cancelled) throw new WorkbenchError('cancelled', 'Cancelled');
      try {
        await client.query(beginReadOnlySql(this.statementTimeoutMs, 'UTC', settings));
        const result = await work(client, run);
        await client.query('ROLLBACK');
        return result;
      } catch (err) {
        await run.cancelling;
        await client.query('ROLLBACK').catch(() => {
          broken = true;
        });
        throw err;
      }
    } finally {
      runs.delete(run);
      if (runs.size === 0 && this.running.get(id) === runs) this.running.delete(id);
      if (held) {
        await run.cancelling;
        held.release(broken);
      }
    }
  }

  /** Whether statements run under `id`. */
  has(id: string): boolean {
    return this.running.has(id);
  }

  /** Cancels every statement running under `id` on the server; false when there is none. */
  async cancel(id: string): Promise<boolean> {
    const runs = this.running.get(id);
    if (!runs || runs.size === 0) return false;
    await Promise.all(
      [...runs].map(async (run) => {
        run.cancelled = true;
        if (run.pid !== null && !run.cancelling) {
          const pid = run.pid;
          run.cancelling = this.cancelBackend(pid).catch(() => undefined);
        }
        await run.cancelling;
      }),
    );
    return true;
  }

  private async cancelBackend(pid: number): Promise<void> {
    // A connection of its own: the pool may be busy with the very statement we are stopping.
    const client = await connectClient(this.options.pool().options);
    try {
      await client.query('SELECT pg_cancel_backend($1)', [pid]);
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}
