/**
 * PGlite with TimescaleDB 2.23-dev (compression and continuous aggregates,
 * which Debian's Apache edition lacks) as a PostgreSQL server on a free
 * loopback port, in a child process (tests/setup/pgliteTimescaleProcess.mjs).
 * Each test file starts its own (about 4 s) and stops it in afterAll.
 *
 * Know its limits: it serves ONE session at a time (other connections wait in a
 * queue, for up to 60 s), `SET`s leak from one client to the next, and
 * `COPY … FROM STDIN` crashes it. Whatever user, password and database the
 * client sends is accepted; there is only the one database.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export interface PgliteTimescale {
  /** Connection settings for `pg` (any user/password/database is accepted). */
  config: pg.ClientConfig;
  /** The one pool (max: 1, so its clients never queue behind each other); the same pool on every call. stop() ends it. */
  pool(): pg.Pool;
  /** TimescaleDB's version, e.g. `2.23.0-dev`. */
  timescaleVersion: string;
  stop(): Promise<void>;
}

export interface PgliteTimescaleOptions {
  /** Creates the extension in this schema (created too) instead of `public`. */
  extensionSchema?: string;
}

const START_TIMEOUT_MS = 60_000;

export async function startPgliteTimescale(opts: PgliteTimescaleOptions = {}): Promise<PgliteTimescale> {
  const script = fileURLToPath(new URL('../setup/pgliteTimescaleProcess.mjs', import.meta.url));
  const args = opts.extensionSchema ? [script, opts.extensionSchema] : [script];
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const lines = createInterface({ input: child.stdout! });
  let ready: { port: number; timescaleVersion: string };
  try {
    ready = await new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`PGlite TimescaleDB did not start within ${START_TIMEOUT_MS / 1000} s`)),
        START_TIMEOUT_MS,
      );
      child.once('error', (err) => reject(err));
      child.once('exit', (code, signal) =>
        reject(new Error(`PGlite TimescaleDB exited before it was ready (${signal ?? `code ${code}`})`)),
      );
      lines.once('line', (line) => {
        clearTimeout(timer);
        try {
          resolve(JSON.parse(line) as { port: number; timescaleVersion: string });
        } catch {
          reject(new Error(`PGlite TimescaleDB printed ${JSON.stringify(line)} instead of its port`));
        }
      });
    });
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }

  const config: pg.ClientConfig = {
    host: '127.0.0.1',
    port: ready.port,
    user: 'postgres',
    password: 'postgres',
    database: 'postgres',
  };
  let pool: pg.Pool | null = null;
  let stopping: Promise<void> | null = null;
  return {
    config,
    timescaleVersion: ready.timescaleVersion,
    pool() {
      // An idle pooled connection holds PGlite's one session: let it go soon.
      pool ??= new pg.Pool({ ...config, max: 1, idleTimeoutMillis: 250 });
      return pool;
    },
    stop() {
      stopping ??= (async () => {
        await pool?.end().catch(() => undefined);
        if (child.exitCode === null && child.signalCode === null) {
          child.stdin?.end();
          const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
          await exited;
          clearTimeout(timer);
        }
      })();
      return stopping;
    },
  };
}
