/**
 * A real TimescaleDB server for the tests: Debian trixie's PostgreSQL and its
 * `postgresql-<major>-timescaledb` package (the Apache-licensed edition: no
 * compression, no continuous aggregates policies) installed by mmdebstrap into a
 * separate root folder and run under chroot on a free loopback port.
 *
 * The host (Debian bookworm) has no TimescaleDB package, so the root is built
 * once (about one to three minutes, ~500 MB) into `timescaleRootDir()` and reused.
 * Building needs root and mmdebstrap; running needs root too (chroot).
 *
 * Used by the integration tests' global setup (tests/setup/servers.ts) and by
 * `npm run timescaledb -- prepare|start` (scripts/timescaledb.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync, readdirSync, readFileSync } from 'node:fs';
import { chown, mkdir, readFile, readdir, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, delimiter, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { freePort } from '../../src/main/services/net/freePort';

/** Debian trixie ships PostgreSQL 17; the code finds the major version in the root by itself. */
const PACKAGES = ['postgresql-17', 'postgresql-17-timescaledb'];
const SUITE = 'trixie';
const DEFAULT_MIRROR = 'http://deb.debian.org/debian';
const BUILD_TIMEOUT_MS = 20 * 60_000;
const LOCK_WAIT_MS = 25 * 60_000;
const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;
/** Inside the chroot: PATH and locale only, nothing of the caller's environment. */
const CHILD_ENV = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8' };

export type Log = (line: string) => void;
export type PrepareResult = { ok: true; root: string } | { ok: false; reason: string };

export interface DebianTimescaleInfo {
  host: '127.0.0.1';
  port: number;
  user: 'postgres';
  password: string;
  database: 'postgres';
  timescaleVersion: string;
}

/** What the integration global setup provides as `inject('timescale')`. */
export type TimescaleProvided = ({ available: true } & DebianTimescaleInfo) | { available: false; reason: string };

/** Where the trixie root lives: `DASH_TIMESCALEDB_ROOT`, or a folder in the user's cache. */
export function timescaleRootDir(): string {
  const fromEnv = process.env.DASH_TIMESCALEDB_ROOT;
  if (fromEnv) return fromEnv;
  return join(homedir(), '.cache', 'dash-workbench', 'timescaledb-trixie');
}

/**
 * PostgreSQL's folder inside `root` (`/usr/lib/postgresql/<major>`, as seen from
 * the chroot) when the root is complete: the newest major with both the
 * `postgres` binary and a `timescaledb*.so` library. Null otherwise.
 */
export function postgresInRoot(root: string): { major: string; dir: string } | null {
  const base = join(root, 'usr', 'lib', 'postgresql');
  let majors: string[];
  try {
    majors = readdirSync(base).filter((name) => /^\d+$/.test(name));
  } catch {
    return null;
  }
  for (const major of majors.sort((a, b) => Number(b) - Number(a))) {
    const dir = join(base, major);
    if (!existsSync(join(dir, 'bin', 'postgres')) || !existsSync(join(dir, 'bin', 'initdb'))) continue;
    let libs: string[];
    try {
      libs = readdirSync(join(dir, 'lib'));
    } catch {
      continue;
    }
    if (libs.some((name) => /^timescaledb.*\.so$/.test(name))) return { major, dir: `/usr/lib/postgresql/${major}` };
  }
  return null;
}

/** The executable `name` on PATH, or null. */
function which(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return null;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** True when something is mounted at or below `dir` (never delete through a mount). */
function hasMountsBelow(dir: string): boolean {
  try {
    const mountPoints = readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .map((line) => line.split(' ')[4] ?? '');
    return mountPoints.some((point) => point === dir || point.startsWith(`${dir}/`));
  } catch {
    return false;
  }
}

/** Keeps the last `size` lines written to it, for error messages. */
class Tail {
  readonly lines: string[] = [];
  constructor(private readonly size = 40) {}
  push(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.size) this.lines.shift();
  }
  toString(): string {
    return this.lines.join('\n');
  }
}

/** Reads a child's stdout and stderr line by line into `onLine`. */
function readLines(child: ChildProcess, onLine: (line: string) => void): void {
  for (const stream of [child.stdout, child.stderr]) {
    if (stream) createInterface({ input: stream }).on('line', onLine);
  }
}

/**
 * A lock folder next to the root (`<root>.lock`, holding the owner's pid), so two
 * concurrent callers never both build. A lock whose owner died is taken over.
 */
async function acquireLock(lockDir: string, log: Log): Promise<() => Promise<void>> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  let announced = false;
  for (;;) {
    try {
      await mkdir(lockDir);
      await writeFile(join(lockDir, 'pid'), String(process.pid));
      return () => rm(lockDir, { recursive: true, force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = Number(await readFile(join(lockDir, 'pid'), 'utf8').catch(() => 'NaN'));
    const age = Date.now() - ((await stat(lockDir).catch(() => null))?.mtimeMs ?? Date.now());
    if (Number.isInteger(holder) ? !isAlive(holder) : age > 30_000) {
      log(`Removing the stale lock ${lockDir} (its owner, pid ${holder}, is gone)`);
      await rm(lockDir, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${lockDir} (held by pid ${holder})`);
    if (!announced) log(`Waiting for another process (pid ${holder}) to finish building the TimescaleDB root…`);
    announced = true;
    await sleep(1000);
  }
}

/** Removes `<root>.partial-<pid>` folders left by builds whose process is gone. */
async function removeAbandonedPartials(root: string, log: Log): Promise<void> {
  const prefix = `${basename(root)}.partial-`;
  const names = await readdir(dirname(root)).catch(() => [] as string[]);
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length));
    if (pid === process.pid || (Number.isInteger(pid) && isAlive(pid))) continue;
    const path = join(dirname(root), name);
    if (hasMountsBelow(path)) {
      log(`Leaving ${path} alone: something is still mounted below it`);
      continue;
    }
    log(`Removing the abandoned build ${path}`);
    await rm(path, { recursive: true, force: true });
  }
}

/** Runs mmdebstrap into `target`, in a private mount namespace so no mount outlives it. */
async function runMmdebstrap(target: string, log: Log): Promise<{ ok: true } | { ok: false; reason: string }> {
  const mirror = process.env.DASH_TIMESCALEDB_MIRROR || DEFAULT_MIRROR;
  // No default cluster in /var/lib/postgresql (the tests make their own), no docs.
  const noMainCluster =
    'mkdir -p "$1/etc/postgresql-common/createcluster.d" && ' +
    'echo "create_main_cluster = false" > "$1/etc/postgresql-common/createcluster.d/dash-workbench.conf"';
  const args = [
    '--mount',
    '--propagation',
    'private',
    'mmdebstrap',
    '--mode=root',
    '--variant=apt',
    `--include=${PACKAGES.join(',')}`,
    `--essential-hook=${noMainCluster}`,
    '--dpkgopt=force-unsafe-io',
    '--dpkgopt=path-exclude=/usr/share/doc/*',
    '--dpkgopt=path-exclude=/usr/share/man/*',
    SUITE,
    target,
    mirror,
  ];
  log(`unshare ${args.join(' ')}`);
  const tail = new Tail(25);
  const child = spawn('unshare', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  readLines(child, (line) => {
    tail.push(line);
    log(line);
  });
  const timer = setTimeout(() => child.kill('SIGTERM'), BUILD_TIMEOUT_MS);
  const result = await new Promise<{ code: number | null; signal: string | null; error?: Error }>((resolve) => {
    child.once('error', (error) => resolve({ code: null, signal: null, error }));
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  clearTimeout(timer);
  if (result.error) return { ok: false, reason: `could not run unshare/mmdebstrap: ${result.error.message}` };
  if (result.code === 0) return { ok: true };
  const how = result.signal ? `was killed by ${result.signal}` : `exited with code ${result.code}`;
  // apt's first error is the cause (e.g. "Failed to fetch … Connection refused"); the tail follows.
  const cause = tail.lines.find((line) => line.startsWith('E: '))?.slice(3);
  return { ok: false, reason: `mmdebstrap ${how}${cause ? `: ${cause}` : ''}\n${tail}` };
}

/**
 * A complete trixie root with PostgreSQL and TimescaleDB at `timescaleRootDir()`:
 * reused when it is there, built otherwise (as root, with mmdebstrap) into
 * `<root>.partial-<pid>` and renamed into place, so an interrupted build never
 * looks complete. `log` receives progress lines (only when something is built or waited for).
 */
export async function prepareTimescaleRoot(log: Log = () => undefined): Promise<PrepareResult> {
  const root = timescaleRootDir();
  if (postgresInRoot(root)) return { ok: true, root };
  if (process.platform !== 'linux')
    return { ok: false, reason: `the TimescaleDB root needs Linux (this is ${process.platform})` };
  if (process.getuid?.() !== 0)
    return { ok: false, reason: `not running as root (needed to build ${root} with mmdebstrap)` };
  if (!which('mmdebstrap')) return { ok: false, reason: 'mmdebstrap is not installed: apt-get install mmdebstrap' };
  if (!which('unshare')) return { ok: false, reason: 'unshare is not installed: apt-get install util-linux' };

  await mkdir(dirname(root), { recursive: true });
  let release: () => Promise<void>;
  try {
    release = await acquireLock(`${root}.lock`, log);
  } catch (err) {
    return { ok: false, reason: (err as Error).message };
  }
  try {
    // Another process may have built it while this one waited for the lock.
    if (postgresInRoot(root)) return { ok: true, root };
    if (existsSync(root)) {
      // An empty folder (made by hand, or by a tool) is fine to replace; anything else is someone's.
      const entries = await readdir(root).catch(() => null);
      if (entries === null || entries.length > 0) {
        return {
          ok: false,
          reason: `${root} exists but is not a complete TimescaleDB root (no usr/lib/postgresql/*/bin/postgres with timescaledb*.so): remove it to rebuild`,
        };
      }
      await rmdir(root);
    }
    await removeAbandonedPartials(root, log);
    const partial = `${root}.partial-${process.pid}`;
    await rm(partial, { recursive: true, force: true });
    const started = Date.now();
    log(`Building the TimescaleDB root ${root} with mmdebstrap (Debian ${SUITE}: ${PACKAGES.join(', ')})…`);
    const built = await runMmdebstrap(partial, log);
    if (!built.ok) {
      if (!hasMountsBelow(partial)) await rm(partial, { recursive: true, force: true });
      return built;
    }
    if (!postgresInRoot(partial)) {
      return {
        ok: false,
        reason: `mmdebstrap succeeded but ${partial} has no usr/lib/postgresql/*/bin/postgres with timescaledb*.so`,
      };
    }
    await rename(partial, root);
    log(`Built ${root} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    return { ok: true, root };
  } finally {
    await release();
  }
}

/** The uid and gid of the `postgres` user in the root's /etc/passwd. */
async function postgresUser(root: string): Promise<{ uid: number; gid: number }> {
  const passwd = await readFile(join(root, 'etc', 'passwd'), 'utf8');
  for (const line of passwd.split('\n')) {
    const [name, , uid, gid] = line.split(':');
    if (name === 'postgres' && uid !== undefined && gid !== undefined) return { uid: Number(uid), gid: Number(gid) };
  }
  throw new Error(`${root}/etc/passwd has no postgres user`);
}

/** Runs a command as `postgres` inside the root; resolves with its output, rejects with it. */
async function runInRoot(root: string, user: { uid: number; gid: number }, args: string[]): Promise<string> {
  const child = spawn('chroot', [`--userspec=${user.uid}:${user.gid}`, root, ...args], {
    env: CHILD_ENV,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tail = new Tail();
  readLines(child, (line) => tail.push(line));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  if (code !== 0) throw new Error(`${basename(args[0] ?? '')} exited with code ${code}:\n${tail}`);
  return tail.toString();
}

const DATA_PREFIX = 'dash-test-';

/**
 * Removes `<root>/var/tmp/dash-test-*` folders whose owning process and
 * postmaster are both gone (a run killed before its watchdog could clean up).
 */
async function removeStaleDataFolders(root: string): Promise<void> {
  const base = join(root, 'var', 'tmp');
  for (const name of await readdir(base).catch(() => [] as string[])) {
    if (!name.startsWith(DATA_PREFIX)) continue;
    const dir = join(base, name);
    const owner = Number(await readFile(join(dir, 'owner'), 'utf8').catch(() => 'NaN'));
    const postmaster = Number(
      (await readFile(join(dir, 'data', 'postmaster.pid'), 'utf8').catch(() => 'NaN')).split('\n')[0],
    );
    if (!Number.isInteger(owner)) continue;
    if (isAlive(owner) || (Number.isInteger(postmaster) && isAlive(postmaster))) continue;
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * A small Node process that outlives nothing: when its stdin closes without
 * "done" (the test run died, even by SIGKILL), it shuts the postmaster down
 * (immediate shutdown, SIGKILL after 10 s) and removes the data folder.
 * It ignores SIGINT and SIGHUP (a terminal's Ctrl+C is the parent's to handle).
 */
const WATCHDOG = `
const [pid, dir] = process.argv.slice(1);
const fs = require('node:fs');
let done = false, acted = false;
const alive = () => { try { process.kill(Number(pid), 0); return true; } catch (e) { return e.code === 'EPERM'; } };
const act = async () => {
  if (acted) return; acted = true;
  if (done) process.exit(0);
  try { process.kill(Number(pid), 'SIGQUIT'); } catch {}
  const deadline = Date.now() + 10000;
  while (alive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (alive()) { try { process.kill(Number(pid), 'SIGKILL'); } catch {} await new Promise((r) => setTimeout(r, 500)); }
  try { fs.rmSync(dir, { recursive: true, force: true }); } catch {}
  process.exit(0);
};
process.on('SIGINT', () => {});
process.on('SIGHUP', () => {});
process.on('SIGTERM', act);
process.stdin.on('data', (d) => { if (String(d).includes('done')) done = true; });
process.stdin.on('end', act);
process.stdin.on('close', act);
process.stdin.resume();
`;

export interface DebianTimescaleStartOptions {
  log?: Log;
}

/** One PostgreSQL + TimescaleDB server from the trixie root, with its own empty data folder. */
export class DebianTimescaleDB {
  private stopping: Promise<void> | null = null;
  private readonly onExit = () => {
    // Last resort when the process exits without stop(): immediate shutdown.
    // (The watchdog then waits for the postmaster and removes the data folder.)
    if (this.postmaster.exitCode === null && this.postmaster.signalCode === null) this.postmaster.kill('SIGQUIT');
  };

  private constructor(
    readonly info: DebianTimescaleInfo,
    /** The trixie root folder. */
    readonly root: string,
    /** PostgreSQL's folder as seen inside the root, e.g. `/usr/lib/postgresql/17`. */
    readonly postgresDir: string,
    /** The data folder's parent, outside the root (removed by stop()). */
    private readonly folder: string,
    private readonly postmaster: ChildProcess,
    private readonly watchdog: ChildProcess,
    private readonly log: Tail,
  ) {
    process.once('exit', this.onExit);
  }

  /** `postgres://…` for this server's `postgres` database. */
  get url(): string {
    const { user, password, host, port, database } = this.info;
    return `postgres://${user}:${encodeURIComponent(password)}@${host}:${port}/${database}`;
  }

  /** The connection settings for `pg` (superuser, `postgres` database unless given). */
  clientConfig(database: string = this.info.database): pg.ClientConfig {
    const { host, port, user, password } = this.info;
    return { host, port, user, password, database };
  }

  /**
   * Starts a server: builds or reuses the root, initdb's a fresh data folder in
   * `<root>/var/tmp/dash-test-<random>` (superuser `postgres` with a random
   * password; scram-sha-256 over TCP, trust on the Unix socket), and runs
   * postgres on a free loopback port. Databases are left empty.
   */
  static async start(opts: DebianTimescaleStartOptions = {}): Promise<DebianTimescaleDB> {
    const log = opts.log ?? (() => undefined);
    if (process.platform !== 'linux')
      throw new Error(`TimescaleDB under chroot needs Linux (this is ${process.platform})`);
    if (process.getuid?.() !== 0)
      throw new Error('not running as root (PostgreSQL runs from the trixie root under chroot)');
    const prepared = await prepareTimescaleRoot(log);
    if (!prepared.ok) throw new Error(prepared.reason);
    const root = prepared.root;
    const postgres = postgresInRoot(root);
    if (!postgres) throw new Error(`${root} is not a complete TimescaleDB root`);
    const user = await postgresUser(root);
    await removeStaleDataFolders(root).catch(() => undefined);

    const name = `${DATA_PREFIX}${randomBytes(6).toString('hex')}`;
    const inside = `/var/tmp/${name}`;
    const folder = join(root, 'var', 'tmp', name);
    await mkdir(folder, { mode: 0o700 });
    try {
      await writeFile(join(folder, 'owner'), String(process.pid));
      await chown(folder, user.uid, user.gid);
      const password = randomBytes(18).toString('base64url');
      await writeFile(join(folder, 'pwfile'), `${password}\n`, { mode: 0o600 });
      await chown(join(folder, 'pwfile'), user.uid, user.gid);
      await runInRoot(root, user, [
        `${postgres.dir}/bin/initdb`,
        '-D',
        `${inside}/data`,
        '-U',
        'postgres',
        `--pwfile=${inside}/pwfile`,
        '--auth-host=scram-sha-256',
        '--auth-local=trust',
        '-E',
        'UTF8',
        '--locale=C.UTF-8',
        '--no-sync',
        '--no-instructions',
      ]);
      await rm(join(folder, 'pwfile'));

      // A free port can be taken before postgres binds it: retry on "could not bind".
      for (let attempt = 1; ; attempt++) {
        const port = await freePort();
        const tail = new Tail(60);
        const postmaster = spawn(
          'chroot',
          [
            `--userspec=${user.uid}:${user.gid}`,
            root,
            `${postgres.dir}/bin/postgres`,
            '-D',
            `${inside}/data`,
            '-c',
            'listen_addresses=127.0.0.1',
            '-c',
            `port=${port}`,
            '-c',
            `unix_socket_directories=${inside}`,
            '-c',
            'shared_preload_libraries=timescaledb',
            '-c',
            'timescaledb.telemetry_level=off',
            '-c',
            'dynamic_shared_memory_type=mmap',
            '-c',
            'max_connections=100',
            '-c',
            'fsync=off',
            '-c',
            'full_page_writes=off',
            '-c',
            'synchronous_commit=off',
          ],
          // Its own process group: a terminal's Ctrl+C is for the caller to handle (stop()).
          { env: CHILD_ENV, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
        );
        readLines(postmaster, (line) => tail.push(line));
        const watchdog = spawn(process.execPath, ['-e', WATCHDOG, String(postmaster.pid), folder], {
          stdio: ['pipe', 'ignore', 'ignore'],
        });
        const info: DebianTimescaleInfo = {
          host: '127.0.0.1',
          port,
          user: 'postgres',
          password,
          database: 'postgres',
          timescaleVersion: '',
        };
        const server = new DebianTimescaleDB(info, root, postgres.dir, folder, postmaster, watchdog, tail);
        try {
          info.timescaleVersion = await server.waitUntilReady();
          return server;
        } catch (err) {
          await server.shutdown(false);
          const bindFailed = /could not bind|Address already in use|could not create any TCP\/IP sockets/.test(
            tail.toString(),
          );
          if (bindFailed && attempt < 3) {
            log(`Port ${port} was taken before PostgreSQL could bind it; trying another`);
            continue;
          }
          throw err;
        }
      }
    } catch (err) {
      await rm(folder, { recursive: true, force: true });
      throw err;
    }
  }

  /** Connects until the server answers (or exits, or 30 s pass); resolves with TimescaleDB's version. */
  private async waitUntilReady(): Promise<string> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    let lastError: unknown = null;
    while (Date.now() < deadline) {
      if (this.postmaster.exitCode !== null || this.postmaster.signalCode !== null) {
        const how = this.postmaster.signalCode ?? `code ${this.postmaster.exitCode}`;
        throw new Error(`PostgreSQL exited (${how}) before it accepted connections:\n${this.log}`);
      }
      const client = new pg.Client({ ...this.clientConfig(), connectionTimeoutMillis: 2000 });
      client.on('error', () => undefined);
      try {
        await client.connect();
        const { rows } = await client.query<{ default_version: string | null }>(
          "SELECT default_version FROM pg_available_extensions WHERE name = 'timescaledb'",
        );
        const version = rows[0]?.default_version;
        if (!version) throw new Error(`PostgreSQL in ${this.root} does not offer the timescaledb extension`);
        return version;
      } catch (err) {
        if ((err as Error).message.includes('does not offer')) throw err;
        lastError = err;
      } finally {
        await client.end().catch(() => undefined);
      }
      await sleep(100);
    }
    throw new Error(
      `PostgreSQL did not accept connections within ${READY_TIMEOUT_MS / 1000} s ` +
        `(last error: ${(lastError as Error | null)?.message ?? 'none'}):\n${this.log}`,
    );
  }

  /** Fast shutdown (SIGINT; SIGKILL after 10 s), then the data folder goes. Safe to call twice. */
  stop(): Promise<void> {
    return this.shutdown(true);
  }

  private shutdown(removeFolder: boolean): Promise<void> {
    this.stopping ??= (async () => {
      process.off('exit', this.onExit);
      const child = this.postmaster;
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGINT');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        await exited;
        clearTimeout(timer);
      }
      if (removeFolder) await rm(this.folder, { recursive: true, force: true });
      // Tell the watchdog all is done, so it exits without touching anything.
      const watchdogExited = new Promise<void>((resolve) => {
        if (this.watchdog.exitCode !== null || this.watchdog.signalCode !== null) resolve();
        else this.watchdog.once('exit', () => resolve());
      });
      this.watchdog.stdin?.end('done\n');
      await watchdogExited;
    })();
    return this.stopping;
  }
}
