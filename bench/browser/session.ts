/**
 * The browser figures' set-up: the built browser shell over a demo workspace and
 * Debian's Chromium driving it (as the e2e tests do), plus what they measure
 * besides time — the renderer's memory and which DuckDB-WASM build ran.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { launchChromium, startBrowserShell, typeInto, type RunningShell } from '../../tests/support/browser';
import { round } from '../harness';

const repoRoot = join(import.meta.dirname, '..', '..');

function newestMtime(path: string): number {
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

/** Builds once when out/ is missing or older than src/: the browser figures measure what the sources are now. */
export function ensureFreshBuild(log: (line: string) => void): void {
  const entry = join(repoRoot, 'out', 'main', 'web.js');
  const renderer = join(repoRoot, 'out', 'renderer', 'index.html');
  const built =
    existsSync(entry) && existsSync(renderer) ? Math.min(statSync(entry).mtimeMs, statSync(renderer).mtimeMs) : 0;
  if (built >= newestMtime(join(repoRoot, 'src'))) return;
  log('  out/ is missing or older than src/: npm run build…');
  const result = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'build.mjs')], {
    cwd: repoRoot,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (result.status !== 0)
    throw new Error('`npm run build` failed (see above): the browser figures need the built shell');
}

export interface BrowserBench {
  shell: RunningShell;
  browser: Browser;
  page: Page;
  /** The page's DevTools session (JS heap). */
  cdp: CDPSession;
  /** The DuckDB-WASM build the page's engine says it runs ('coi' or 'eh'), from its console line. */
  build(): string;
  /** Console errors and page errors seen so far. */
  problems: string[];
  close(): Promise<void>;
}

/** Starts the shell and Chromium, opens the workbench and waits until the engine and the workspace are ready. */
export async function openBrowserBench(
  demoSize: 'tiny' | 'small' | 'demo',
  log: (line: string) => void,
): Promise<BrowserBench> {
  ensureFreshBuild(log);
  const [shell, browser] = await Promise.all([startBrowserShell({ demoSize }), launchChromium()]);
  try {
    const context = await browser.newContext({ viewport: { width: 1400, height: 860 } });
    const page = await context.newPage();
    let build = 'unknown (no engine line in the console)';
    const problems: string[] = [];
    page.on('console', (msg) => {
      const line = /^DuckDB-WASM (\S+), (\w+) build/.exec(msg.text());
      if (line) build = `${line[2]} (DuckDB ${line[1]})`;
      if (msg.type() === 'error') problems.push(msg.text());
    });
    page.on('pageerror', (err) => problems.push(err.message));
    await page.goto(shell.url);
    await page.getByTestId('engine-status').and(page.locator('[data-state="ready"]')).waitFor({ timeout: 60_000 });
    await page.getByTestId('workspace-status').and(page.locator('[data-state="ready"]')).waitFor({ timeout: 300_000 });
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    return {
      shell,
      browser,
      page,
      cdp,
      build: () => build,
      problems,
      close: async () => {
        await browser.close();
        await shell.stop();
      },
    };
  } catch (err) {
    await browser.close();
    await shell.stop();
    throw err;
  }
}

export interface MemorySample {
  /** The page's JS heap in use (CDP Performance.getMetrics). */
  jsHeapMB: number;
  /** Resident memory of Chromium's largest renderer process: the page, its workers and DuckDB-WASM's memory. */
  rendererMB: number;
}

async function residentMB(pid: number): Promise<number> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return kb / 1024;
  } catch {
    return 0; // the process ended between the listing and the read
  }
}

/**
 * The renderer's memory now. DuckDB-WASM's memory lives in its worker, which no
 * DevTools domain reports on its own here (its Memory object is not reachable from
 * the worker's globals), so it is counted in the renderer process's resident set.
 */
export async function memoryNow(bench: BrowserBench): Promise<MemorySample> {
  const { metrics } = await bench.cdp.send('Performance.getMetrics');
  const heap = metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0;
  const session = await bench.browser.newBrowserCDPSession();
  try {
    const { processInfo } = (await session.send('SystemInfo.getProcessInfo')) as {
      processInfo: { type: string; id: number }[];
    };
    const renderers = await Promise.all(processInfo.filter((p) => p.type === 'renderer').map((p) => residentMB(p.id)));
    return { jsHeapMB: round(heap / 2 ** 20, 0), rendererMB: round(Math.max(0, ...renderers), 0) };
  } finally {
    await session.detach();
  }
}

export function formatMemory(label: string, m: MemorySample): string {
  return `${label} ${m.rendererMB} MB renderer (JS heap ${m.jsHeapMB} MB)`;
}

/** Types `sql` into the SQL tab's editor, as a user would. */
export function typeSql(page: Page, sql: string): Promise<void> {
  return typeInto(page, '[data-testid="sql-editor"]', sql);
}

/**
 * Polls `check` (a JS expression over the live DOM) in the page on every animation
 * frame until it is neither null, undefined nor false, and returns its value with
 * the page's performance.now() at that frame.
 */
export function pollInPage<T>(page: Page, check: string, timeoutMs: number): Promise<{ value: T; at: number }> {
  // Inlined into the evaluated text, not eval'd in the page: the workbench's CSP forbids eval.
  return page.evaluate<{ value: T; at: number }>(`new Promise((resolve, reject) => {
    const started = performance.now();
    const frame = () => {
      let value = null;
      try {
        value = (${check});
      } catch {
        value = null;
      }
      if (value !== null && value !== undefined && value !== false) resolve({ value, at: performance.now() });
      else if (performance.now() - started > ${timeoutMs}) reject(new Error(${JSON.stringify(`timed out after ${timeoutMs} ms waiting for ${check}`)}));
      else requestAnimationFrame(frame);
    };
    frame();
  })`);
}

/** The page's performance.now(), to time from. */
export function pageNow(page: Page): Promise<number> {
  return page.evaluate(() => performance.now());
}
