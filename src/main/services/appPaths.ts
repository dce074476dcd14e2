/**
 * Where the app's own files are. The same code runs from source (vitest, tsx)
 * and bundled into out/main/*.js, so paths are found by walking up to the
 * project's package.json rather than by a fixed number of '..'.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const APP_PACKAGE_NAME = 'dash-workbench';

function isAppRoot(dir: string): boolean {
  const manifest = join(dir, 'package.json');
  if (!existsSync(manifest)) return false;
  try {
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === APP_PACKAGE_NAME;
  } catch {
    // A broken package.json further down (e.g. inside node_modules) is not ours.
    return false;
  }
}

/** The folder holding the app's package.json, searched upwards from `fromDir`. */
export function findAppRoot(fromDir: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = fromDir;
  for (;;) {
    if (isAppRoot(dir)) return dir;
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error(
        `Could not find the Dash Workbench app folder (a package.json named "${APP_PACKAGE_NAME}") above ${fromDir}`,
      );
    }
    dir = parent;
  }
}

/** The app's `resources/` folder (SQL migrations and other shipped files). */
export function resourcesDir(): string {
  return join(findAppRoot(), 'resources');
}
