/**
 * `npm run web -- --port N --workspace DIR`: the browser shell. Also what
 * `npm start` falls back to where Electron's binary is not installed.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startWorkbenchApp } from '../services/WorkbenchApp';
import { defaultWorkspaceDir } from '../services/appData';
import { findAppRoot } from '../services/appPaths';
import { exportsDir } from '../services/export/ResultExport';
import { startWebShell } from './WebShell';

const USAGE = `Usage: npm run web -- [--port N] [--workspace DIR]
  --port N          port on 127.0.0.1 (0 picks a free one; default 0)
  --workspace DIR   workspace folder (default: ${defaultWorkspaceDir()})
  --demo-size SIZE  size of a new demo workspace: tiny, small or demo (default demo)
  --verbose         print server logs`;

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  let args;
  try {
    args = parseArgs({
      options: {
        port: { type: 'string', default: '0' },
        workspace: { type: 'string' },
        'demo-size': { type: 'string', default: 'demo' },
        verbose: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    }).values;
  } catch (err) {
    fail((err as Error).message);
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const port = Number(args.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    fail(`--port must be a whole number from 0 to 65535, not "${args.port}"`);
  const demoSize = args['demo-size'];
  if (demoSize !== 'tiny' && demoSize !== 'small' && demoSize !== 'demo')
    fail(`--demo-size must be tiny, small or demo`);
  const workspaceDir = resolve(args.workspace ?? defaultWorkspaceDir());
  const appRoot = findAppRoot();
  const appVersion = (JSON.parse(readFileSync(join(appRoot, 'package.json'), 'utf8')) as { version: string }).version;
  const verbose = args.verbose === true;
  const log = (line: string) => {
    if (verbose) process.stderr.write(`${line}\n`);
  };

  const app = await startWorkbenchApp({ workspaceDir, shell: 'web', appVersion, demoSize, onLog: log });
  const shell = await startWebShell({
    port,
    staticDir: join(appRoot, 'out', 'renderer'),
    api: app.api,
    subscribe: app.subscribe,
    exportsDir: exportsDir(workspaceDir),
    log,
  });
  process.stdout.write(`Dash Workbench (browser shell) for workspace ${workspaceDir}\n`);
  process.stdout.write(`Open ${shell.url}\n`);

  app.workspace.onChange((status) => {
    for (const phase of status.phases) {
      if (phase.state === 'failed') process.stderr.write(`${phase.title} failed: ${phase.message ?? ''}\n`);
    }
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\nStopping (${signal})…\n`);
    await shell.close();
    await app.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err: unknown) => {
  process.stderr.write(`Dash Workbench could not start: ${(err as Error).message}\n`);
  process.exit(1);
});
