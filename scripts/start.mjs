#!/usr/bin/env node
// `npm start` and `npm run web`: build what is stale, then open the Electron app,
// or — where Electron's binary cannot be had — the same workbench in the
// browser shell. Plain JS so it runs before anything is built.
//
// `npm install` never downloads Electron's binary (package.json's allowScripts
// denies electron's postinstall), so the install works on machines that cannot
// reach Electron's download host. The binary is fetched here instead, on the
// first `npm start` that can reach it.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildIfStale } from './build.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const webOnly = argv[0] === '--web';
const passThrough = webOnly ? argv.slice(1) : argv;

/** The Electron binary's path, or null where it was never downloaded. */
function electronBinary() {
  try {
    const path = createRequire(import.meta.url)('electron');
    return typeof path === 'string' && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

/**
 * Runs electron's own installer (the postinstall `npm install` skipped) once, to
 * fetch the binary; null when it cannot, with the reason in one line.
 */
function fetchElectron() {
  if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) return { path: null, why: 'ELECTRON_SKIP_BINARY_DOWNLOAD is set' };
  const installer = join(root, 'node_modules', 'electron', 'install.js');
  if (!existsSync(installer)) return { path: null, why: 'the electron package is not installed' };
  process.stdout.write("Fetching Electron's binary (once)…\n");
  const result = spawnSync(process.execPath, [installer], {
    cwd: join(root, 'node_modules', 'electron'),
    encoding: 'utf8',
    timeout: 10 * 60_000,
  });
  const path = electronBinary();
  if (path) return { path, why: null };
  const output = `${result.stderr ?? ''}${result.stdout ?? ''}`;
  // The installer's first error line, e.g. `RequestError: getaddrinfo ENOTFOUND github.com`.
  const cause =
    result.error?.message ??
    output
      .split('\n')
      .find((line) => /error/i.test(line))
      ?.trim() ??
    `its installer exited with ${result.status}`;
  return { path: null, why: `it could not be downloaded (${cause})` };
}

function run(command, args) {
  const child = spawn(command, args, { cwd: root, stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

buildIfStale();
let electron = null;
let why = null;
if (!webOnly) {
  electron = electronBinary();
  if (!electron) ({ path: electron, why } = fetchElectron());
}
if (electron) {
  process.stdout.write('Opening the desktop app (Electron).\n');
  run(electron, [root, ...passThrough]);
} else {
  if (!webOnly) {
    process.stdout.write(
      `Electron's binary is not here and ${why}, so the workbench opens as the browser shell instead.\n`,
    );
  }
  run(process.execPath, [join(root, 'out', 'main', 'web.js'), ...passThrough]);
}
