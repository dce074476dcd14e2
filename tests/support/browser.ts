/**
 * End-to-end support: the built browser shell in a child process, and Debian's
 * Chromium driven by playwright-core with the flags that keep it off the
 * network these machines do not have.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import pg from 'pg';
import { afterAll, beforeAll, expect } from 'vitest';
import { readCredentials } from '../../src/main/services/postgres/EmbeddedServer';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const repoRoot = join(import.meta.dirname, '..', '..');
/** Where end-to-end screenshots go, as e2e-<name>.png. */
export const SCREENSHOTS = join(repoRoot, 'test-results');

export interface RunningShell {
  url: string;
  origin: string;
  token: string;
  workspaceDir: string;
  output: string[];
  stop(): Promise<void>;
}

/**
 * Starts `node out/main/web.js` on a free port over a fresh workspace — or, with `viaNpmStart`, what
 * `npm start` runs (scripts/start.mjs), which opens the browser shell where Electron's binary cannot be had.
 */
export async function startBrowserShell(
  options: { workspaceDir?: string; demoSize?: string; viaNpmStart?: boolean; env?: NodeJS.ProcessEnv } = {},
): Promise<RunningShell> {
  const entry = join(repoRoot, 'out', 'main', 'web.js');
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` before the end-to-end tests`);
  const ownWorkspace = options.workspaceDir === undefined;
  const workspaceDir = options.workspaceDir ?? (await mkdtemp(join(tmpdir(), 'dash-e2e-ws-')));
  const launcher = options.viaNpmStart ? join(repoRoot, 'scripts', 'start.mjs') : entry;
  const child: ChildProcess = spawn(
    process.execPath,
    [launcher, '--port', '0', '--workspace', workspaceDir, '--demo-size', options.demoSize ?? 'tiny', '--verbose'],
    // The app-data folder (secrets key) goes into the workspace, not the user's home.
    {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, XDG_CONFIG_HOME: join(workspaceDir, '.app-data'), ...options.env },
    },
  );
  const output: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => output.push(line));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the browser shell printed no URL in 60 s:\n${output.join('\n')}`)),
      60_000,
    );
    child.once('exit', (code) => reject(new Error(`the browser shell exited with ${code}:\n${output.join('\n')}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      output.push(line);
      const match = /^Open (http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]+)$/.exec(line);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
  });
  const parsed = new URL(url);
  return {
    url,
    origin: parsed.origin,
    token: parsed.searchParams.get('token')!,
    workspaceDir,
    output,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 20_000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      if (ownWorkspace) await rm(workspaceDir, { recursive: true, force: true });
    },
  };
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's package (apt-get install -y chromium)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** The browser shell and Chromium that one describe block's tests share. */
export interface Workbench {
  readonly shell: RunningShell;
  readonly browser: Browser;
  /** A new page (in its own context) on the shell, once the engine and the workspace are ready. */
  openPage(options: WorkbenchPageOptions): Promise<WorkbenchPage>;
  /** Calls the shell's HTTP API with the token, expecting success, and returns the result. */
  api<T>(method: string, input: unknown): Promise<T>;
}

export interface WorkbenchPageOptions {
  /** Screenshots of this page are test-results/e2e-<screenshotPrefix>[-<name>].png. */
  screenshotPrefix: string;
  /** When set, console errors are problems too, except those whose text contains `except`. */
  consoleErrors?: { except: string };
  /** Added to the default 1400 × 860 viewport. */
  context?: BrowserContextOptions;
  /** False to get the page at once, while the workspace still starts (default: wait until it is ready). */
  waitForReady?: boolean;
}

export interface WorkbenchPage {
  readonly page: Page;
  /** Page errors (and console errors, if asked for) seen so far. */
  readonly problems: string[];
  /** Saves test-results/e2e-<prefix>-<name>.png, or e2e-<prefix>.png without a name. */
  shot(name?: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts the browser shell and Chromium before the enclosing describe block's
 * tests and stops both after them. Call it inside `describe`; `shell` and
 * `browser` are there from the tests (and later hooks) on.
 */
export function useWorkbench(
  options: {
    workspace?: () => Promise<string>;
    /** The demo a new workspace gets; 'tiny' (fast) unless a test is about the default. */
    demoSize?: 'tiny' | 'small' | 'demo';
  } = {},
): Workbench {
  let shell: RunningShell | undefined;
  let browser: Browser | undefined;
  let workspaceDir: string | undefined;
  beforeAll(async () => {
    await mkdir(SCREENSHOTS, { recursive: true });
    // A workspace the test prepared (removed here once the shell has stopped), or a new demo one.
    workspaceDir = options.workspace ? await options.workspace() : undefined;
    [shell, browser] = await Promise.all([
      startBrowserShell({
        ...(workspaceDir === undefined ? {} : { workspaceDir }),
        ...(options.demoSize ? { demoSize: options.demoSize } : {}),
      }),
      launchChromium(),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await shell?.stop();
    // Only now: a running shell still writes there (chart levels built in the background, the cache).
    if (workspaceDir) await rm(workspaceDir, { recursive: true, force: true });
  });
  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} starts in beforeAll: use it from a test or a later hook`);
    return value;
  };
  return {
    get shell() {
      return started(shell, 'the browser shell');
    },
    get browser() {
      return started(browser, 'Chromium');
    },
    openPage: (options) =>
      openWorkbenchPage(started(shell, 'the browser shell'), started(browser, 'Chromium'), options),
    api: async <T>(method: string, input: unknown): Promise<T> => {
      const reply = await callShell<T>(started(shell, 'the browser shell'), method, input);
      expect(reply.ok, `${method} answered ${JSON.stringify(reply)}`).toBe(true);
      return reply.result;
    },
  };
}

async function openWorkbenchPage(
  shell: RunningShell,
  browser: Browser,
  options: WorkbenchPageOptions,
): Promise<WorkbenchPage> {
  const context: BrowserContext = await browser.newContext({
    viewport: { width: 1400, height: 860 },
    ...options.context,
  });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  const consoleErrors = options.consoleErrors;
  if (consoleErrors) {
    page.on('console', (msg) => {
      if (msg.type() === 'error' && !msg.text().includes(consoleErrors.except)) problems.push(`console: ${msg.text()}`);
    });
  }
  const opened: WorkbenchPage = {
    page,
    problems,
    shot: async (name) => {
      const file = name === undefined ? options.screenshotPrefix : `${options.screenshotPrefix}-${name}`;
      await page.screenshot({ path: join(SCREENSHOTS, `e2e-${file}.png`) });
    },
    close: () => context.close(),
  };
  // A workspace that never gets ready is the usual failure: it gets its screenshot too.
  await withFailureShot(opened, async () => {
    await page.goto(shell.url);
    if (options.waitForReady === false) return;
    await page.getByTestId('engine-status').and(page.locator('[data-state="ready"]')).waitFor({ timeout: 60_000 });
    try {
      await page
        .getByTestId('workspace-status')
        .and(page.locator('[data-state="ready"]'))
        .waitFor({ timeout: 150_000 });
    } catch (err) {
      // Why it never got ready is in the shell's log (it runs with --verbose): say it with the failure.
      // The sidebar, the start-up steps and the jobs say where it stopped.
      const sidebar = await page
        .getByTestId('workspace-status')
        .innerText({ timeout: 5_000 })
        .catch(() => '(no sidebar)');
      if (err instanceof Error)
        err.message = `${err.message}\nThe sidebar says:\n${sidebar}\n${await startupDiagnosis(shell)}\nThe shell's last lines:\n${shell.output.slice(-60).join('\n')}`;
      throw err;
    }
  });
  return opened;
}

/** One call of the shell's HTTP API with its token, as the page makes it; the reply as sent. */
async function callShell<T>(
  shell: RunningShell,
  method: string,
  input: unknown,
  signal?: AbortSignal,
): Promise<{ ok: boolean; result: T }> {
  const res = await fetch(`${shell.origin}/api/${method}`, {
    method: 'POST',
    body: JSON.stringify(input),
    headers: { authorization: `Bearer ${shell.token}`, 'content-type': 'application/json' },
    ...(signal ? { signal } : {}),
  });
  return (await res.json()) as { ok: boolean; result: T };
}

/**
 * What a workspace that never got ready was doing, from outside the page: its
 * start-up steps and jobs as the shell's API says, and what each connection to
 * its embedded PostgreSQL runs or waits for (as the superuser whose credentials
 * the workspace keeps beside its data).
 */
async function startupDiagnosis(shell: RunningShell): Promise<string> {
  const call = (method: string): Promise<unknown> =>
    callShell(shell, method, {}, AbortSignal.timeout(5_000)).then(
      (reply) => reply.result,
      (err: unknown) => `(${method} failed: ${String(err)})`,
    );
  const status = (await call('workspace.status')) as {
    phases?: unknown;
    startup?: unknown;
    postgres?: { port?: number } | null;
  };
  const jobs = await call('jobs.list');
  let activity: string;
  try {
    const credentials = await readCredentials(join(shell.workspaceDir, 'postgres'));
    // Before the server is known to the workspace, its log says where it listens.
    const listening = shell.output.map((line) => /listening on IPv4 address "127\.0\.0\.1", port (\d+)/.exec(line));
    const port = status.postgres?.port ?? Number(listening.findLast((m) => m)?.[1]);
    if (!port) throw new Error('neither the workspace status nor the log names its PostgreSQL port');
    const admin = new pg.Client({
      host: '127.0.0.1',
      port,
      database: 'postgres',
      ...credentials,
      connectionTimeoutMillis: 5_000,
      statement_timeout: 5_000,
    });
    await admin.connect();
    try {
      const { rows } = await admin.query(
        `SELECT pid, datname, state, wait_event_type, wait_event, (now() - query_start)::text AS running,
                left(query, 300) AS query
         FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND backend_type = 'client backend'`,
      );
      activity = rows.map((r) => JSON.stringify(r)).join('\n') || '(no connections)';
    } finally {
      await admin.end();
    }
  } catch (err) {
    activity = `(not read: ${String(err)})`;
  }
  return (
    `The phases and start-up steps (API):\n${JSON.stringify({ phases: status.phases, startup: status.startup })}\nThe jobs (API):\n${JSON.stringify(jobs)}\n` +
    `PostgreSQL's connections:\n${activity}`
  );
}

/**
 * Runs `steps`; if they throw, saves the page as e2e-<prefix>-failure.png and
 * rethrows with the page's problems appended, which usually say why.
 */
export async function withFailureShot<T>(opened: WorkbenchPage, steps: () => Promise<T>): Promise<T> {
  try {
    return await steps();
  } catch (err) {
    await opened.shot('failure');
    if (opened.problems.length === 0 || !(err instanceof Error)) throw err;
    err.message = `${err.message}\n${opened.problems.join('\n')}`;
    throw err;
  }
}

/** Replaces the text of the editor at `selector` (the SQL editor, a formula) with `text`, as typed. */
export async function typeInto(page: Page, selector: string, text: string): Promise<void> {
  await page.locator(selector).click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(text);
}

/** Replaces the SQL editor's text with `sql`, as typed. */
export function typeQuery(page: Page, sql: string): Promise<void> {
  return typeInto(page, '[data-testid="sql-editor"]', sql);
}
