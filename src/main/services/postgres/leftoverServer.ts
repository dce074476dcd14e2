/**
 * A PostgreSQL that a killed Dash Workbench left running on its data folder
 * (the server outlives a kill -9 of the app, and its lock then stops the next
 * start): found from postmaster.pid, proved to be that folder's server, and
 * stopped. Nothing else is ever signalled.
 */
import { execFile } from 'node:child_process';
import { readFile, readlink, realpath, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { promisify } from 'node:util';

/** Written into the data folder after a start: the app process that started (and so is the parent of) the server. */
const OWNER_FILE = 'dash-workbench-owner.json';
const POLL_MS = 100;

interface PidFile {
  pid: number;
  dataDir: string;
}

interface RunningProcess {
  ppid: number;
  argv: string[];
  cwd: string | null;
}

/** postmaster.pid: line 1 the postmaster's PID, line 2 its data folder (PostgreSQL's storage layout). */
async function readPidFile(dataDir: string): Promise<PidFile | null> {
  const text = await readFile(join(dataDir, 'postmaster.pid'), 'utf8').catch(() => null);
  if (text === null) return null;
  const [pidLine, dirLine] = text.split('\n');
  const pid = Number(pidLine?.trim());
  if (!Number.isSafeInteger(pid) || pid <= 0 || !dirLine) return null;
  return { pid, dataDir: dirLine };
}

/**
 * The live process `pid`, or null when there is none. A zombie counts as gone:
 * an orphaned server's new parent (PID 1 in a container) may never reap it.
 */
async function runningProcess(pid: number): Promise<RunningProcess | null> {
  if (process.platform === 'linux') {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
    if (stat === null) return null;
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses.
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (state === 'Z' || state === 'X') return null;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    return {
      ppid: Number(ppid),
      argv: cmdline.split('\0').filter((arg, i, all) => arg !== '' || i < all.length - 1),
      cwd: await readlink(`/proc/${pid}/cwd`).catch(() => null),
    };
  }
  // macOS and the other Unixes: ps (arguments split on spaces, so a data folder with spaces never matches).
  const out = await promisify(execFile)('ps', ['-ww', '-o', 'ppid=,stat=,command=', '-p', String(pid)]).catch(
    () => null,
  );
  const match = out && /^\s*(\d+)\s+(\S+)\s+(.*)$/.exec(out.stdout.trim());
  if (!match || match[2]!.startsWith('Z')) return null;
  return { ppid: Number(match[1]), argv: match[3]!.split(' '), cwd: null };
}

/** Whether `proc` is a PostgreSQL server started with `-D` naming the folder whose real path is `realDataDir`. */
async function servesDataDir(proc: RunningProcess, realDataDir: string): Promise<boolean> {
  const program = basename(proc.argv[0] ?? '');
  if (program !== 'postgres' && program !== 'postmaster') return false;
  const flag = proc.argv.findIndex((arg) => arg.startsWith('-D'));
  if (flag < 0) return false;
  const dir = proc.argv[flag] === '-D' ? proc.argv[flag + 1] : proc.argv[flag]!.slice(2);
  if (!dir) return false;
  const absolute = proc.cwd ? resolve(proc.cwd, dir) : dir;
  return (await realpath(absolute).catch(() => null)) === realDataDir;
}

async function readOwner(dataDir: string): Promise<number | null> {
  const text = await readFile(join(dataDir, OWNER_FILE), 'utf8').catch(() => null);
  try {
    const pid = (JSON.parse(text ?? 'null') as { pid?: unknown } | null)?.pid;
    return typeof pid === 'number' && Number.isSafeInteger(pid) ? pid : null;
  } catch {
    return null;
  }
}

/** Records this process as the running server's parent, for the next start to tell a leftover from a server in use. */
export async function recordOwner(dataDir: string): Promise<void> {
  await writeFile(join(dataDir, OWNER_FILE), JSON.stringify({ pid: process.pid }));
}

async function exited(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if ((await runningProcess(pid)) === null) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/**
 * Stops the server a killed app left running on `dataDir`: only when
 * postmaster.pid names this folder, its PID is a PostgreSQL started on this
 * folder, and the app that started it is gone (the server's parent is no
 * longer the owner recorded at its start; with no record it is left alone).
 * A fast shutdown (SIGINT) first, an immediate one (SIGQUIT) if that hangs.
 *
 * Returns, when postmaster.pid names a live process that is not this folder's
 * server, what it is (for the error PostgreSQL will then give); otherwise null.
 */
export async function stopLeftoverServer(
  dataDir: string,
  onLog: (line: string) => void,
  timeoutMs = 30_000,
): Promise<string | null> {
  if (process.platform === 'win32') return null;
  const lock = await readPidFile(dataDir);
  if (!lock) return null;
  const proc = await runningProcess(lock.pid);
  // A dead server's lock: PostgreSQL removes it itself (after checking no old backend still holds shared memory).
  if (!proc) return null;
  const realDataDir = await realpath(dataDir);
  const lockDir = await realpath(lock.dataDir).catch(() => lock.dataDir);
  if (lockDir !== realDataDir) return `postmaster.pid was written for another folder (${lock.dataDir})`;
  if (!(await servesDataDir(proc, realDataDir))) {
    return `PID ${lock.pid} is now another process (${proc.argv.join(' ').slice(0, 200) || 'unknown'}), not this folder's PostgreSQL`;
  }
  const owner = await readOwner(dataDir);
  if (owner === null || owner === proc.ppid) return null; // its app still runs: PostgreSQL reports the lock
  onLog(
    `stopping the PostgreSQL (PID ${lock.pid}) that a Dash Workbench which is no longer running left on ${dataDir}`,
  );
  const signal = (name: NodeJS.Signals): void => {
    try {
      process.kill(lock.pid, name);
    } catch {
      // Gone meanwhile: nothing to stop.
    }
  };
  signal('SIGINT');
  if (await exited(lock.pid, timeoutMs)) return null;
  signal('SIGQUIT');
  if (await exited(lock.pid, 10_000)) return null;
  throw new Error(
    `A PostgreSQL left running on ${dataDir} (PID ${lock.pid}) did not stop. Stop it (kill ${lock.pid}) and try again.`,
  );
}
