#!/usr/bin/env node
// `npm run build`: electron-vite build, then a stamp that tells `npm start` the
// build in out/ is whole and newer than the sources (so it does not build again).
// Plain JS so it runs before anything is built.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const stamp = join(root, 'out', '.build-stamp');

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

/** Builds out/; exits the process with the build's status when it fails. */
export function build() {
  const result = spawnSync(
    process.execPath,
    [join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'],
    { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  if (result.status !== 0) {
    process.stderr.write('The build failed (see above).\n');
    process.exit(result.status ?? 1);
  }
  writeFileSync(stamp, new Date().toISOString());
}

/** Builds only when a source is newer than the last whole build. */
export function buildIfStale() {
  const sources = Math.max(
    newestMtime(join(root, 'src')),
    newestMtime(join(root, 'electron.vite.config.ts')),
    newestMtime(join(root, 'package.json')),
  );
  if (existsSync(stamp) && statSync(stamp).mtimeMs >= sources) return;
  process.stdout.write('Building the workbench (electron-vite build)…\n');
  build();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) build();
