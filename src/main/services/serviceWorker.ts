/**
 * Starting a service's worker thread the same way from source (tsx: tests,
 * benchmarks) and from the build (out/main, where electron-vite puts every
 * worker entry flat beside the main bundle). The warehouse does the same in
 * Warehouse.ts; new workers use this.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * Where a worker script is: `sourceFile` beside `moduleUrl` when running from
 * TypeScript, else the built `builtFile` beside the bundle (or one folder up).
 */
export function serviceWorkerEntry(moduleUrl: string, sourceFile: string, builtFile: string): string {
  const here = fileURLToPath(moduleUrl);
  if (here.endsWith('.ts')) return join(dirname(here), sourceFile);
  for (const dir of [dirname(here), dirname(dirname(here))]) {
    const candidate = join(dir, builtFile);
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`${builtFile} not found near ${here}; run \`npm run build\` first`);
}

/**
 * Starts a worker; a TypeScript entry goes through tsx's loader (worker threads
 * ignore `--import` in execArgv, so a tiny bootstrap registers it first).
 */
export function startServiceWorker(entry: string): Worker {
  if (!entry.endsWith('.ts')) return new Worker(entry);
  const tsxDir = dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  const tsxApi = pathToFileURL(join(tsxDir, 'dist', 'esm', 'api', 'index.mjs')).href;
  const bootstrap = `import { register } from ${JSON.stringify(tsxApi)}; register(); await import(${JSON.stringify(pathToFileURL(entry).href)});`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(bootstrap)}`));
}
