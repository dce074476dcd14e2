/**
 * End-to-end support: the built browser shell in a child process, and Debian's
 * Chromium driven by playwright-core with the flags that keep it off the
 * network these machines do not have.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const repoRoot = join(import.meta.dirname, '..', '..');

export interface RunningShell {
  url: string;
  origin: string;
  token: string;
  workspaceDir: string;
  output: string[];
  stop(): Promise<void>;
}

/** Starts `node out/main/web.js` on a free port over a fresh workspace. */
export async function startBrowserShell(
  options: { workspaceDir?: string; demoSize?: string } = {},
): Promise<RunningShell> {
  const entry = join(repoRoot, 'out', 'main', 'web.js');
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` before the end-to-end tests`);
  const ownWorkspace = options.workspaceDir === undefined;
  const workspaceDir = options.workspaceDir ?? (await mkdtemp(join(tmpdir(), 'dash-e2e-ws-')));
  const child: ChildProcess = spawn(
    process.execPath,
    [entry, '--port', '0', '--workspace', workspaceDir, '--demo-size', options.demoSize ?? 'tiny', '--verbose'],
    // The app-data folder (secrets key) goes into the workspace, not the user's home.
    {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, XDG_CONFIG_HOME: join(workspaceDir, '.app-data') },
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
