/**
 * Starting a service's worker thread the same way from source (tsx: tests,
 * benchmarks) and from the build (out/main, where electron-vite puts every
 * worker entry flat beside the main bundle) — and stopping it without
 * aborting the process. The warehouse and the sync's writer use it.
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

/**
 * Ends a worker that holds a native library (DuckDB): it is asked to close its
 * port once closed, so its thread ends after any native call still running
 * comes back. `terminate()` during such a call aborts the whole process
 * ("terminate called after throwing an instance of 'Napi::Error'"), so it is
 * only the last resort, after `graceMs`.
 */
export async function stopServiceWorker(worker: Worker, graceMs = 10_000): Promise<void> {
  if (worker.threadId === -1) return;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const timer = setTimeout(() => void worker.terminate(), graceMs);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}

/** In the worker: lets its thread end once the reply just sent is delivered and native work has come back. */
export function closeWorkerPort(port: { close(): void }): void {
  setImmediate(() => port.close());
}
