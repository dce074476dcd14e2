#!/usr/bin/env node
// `npm start` and `npm run web`: build what is stale, then open the Electron app,
// or — where Electron's binary is not installed — the same workbench in the
// browser shell. Plain JS so it runs before anything is built.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const stamp = join(root, 'out', '.build-stamp');
const argv = process.argv.slice(2);
const webOnly = argv[0] === '--web';
const passThrough = webOnly ? argv.slice(1) : argv;

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

function buildIfStale() {
  const sources = Math.max(
    newestMtime(join(root, 'src')),
    newestMtime(join(root, 'electron.vite.config.ts')),
    newestMtime(join(root, 'package.json')),
  );
  if (existsSync(stamp) && statSync(stamp).mtimeMs >= sources) return;
  process.stdout.write('Building the workbench (electron-vite build)…\n');
  const result = spawnSync(
    process.execPath,
    [join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'],
    {
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  if (result.status !== 0) {
    process.stderr.write('The build failed (see above).\n');
    process.exit(result.status ?? 1);
  }
  writeFileSync(stamp, new Date().toISOString());
}

/** The Electron binary's path, or null where it was never downloaded. */
function electronBinary() {
  try {
    const path = createRequire(import.meta.url)('electron');
    return typeof path === 'string' && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

function run(command, args) {
  const child = spawn(command, args, { cwd: root, stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

buildIfStale();
const electron = webOnly ? null : electronBinary();
if (electron) {
  run(electron, [root, ...passThrough]);
} else {
  if (!webOnly) {
    process.stdout.write(
      "Electron's binary is not installed here, so the workbench opens as the browser shell instead.\n",
    );
  }
  run(process.execPath, [join(root, 'out', 'main', 'web.js'), ...passThrough]);
}
