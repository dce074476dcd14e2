/**
 * How both shells (app:// in Electron, the browser shell over HTTP) serve the
 * built UI: the same headers, content types and path rules.
 */
import { join, normalize, sep } from 'node:path';

/**
 * The Content-Security-Policy of the workbench UI, the same in both shells:
 * only our own scripts, WebAssembly for DuckDB-WASM, no network but our origin.
 * Inline styles are allowed because Monaco and ECharts set them at run time.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self' blob:",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers on every UI response: isolation so DuckDB-WASM may use threads, a strict CSP, no sniffing. */
export const UI_RESPONSE_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

/** Content types of the built UI's files. */
export const UI_CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.ttf': 'font/ttf',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
};

/**
 * The file of the built UI (under `uiDir`) a request's URL path names (`/` is
 * index.html): 'malformed' for a bad %-escape or a NUL, 'outside' for a path
 * that climbs out of the folder.
 */
export function uiFileOf(uiDir: string, urlPath: string): string | 'malformed' | 'outside' {
  let path: string;
  try {
    path = decodeURIComponent(urlPath);
  } catch {
    return 'malformed';
  }
  if (path.includes('\0')) return 'malformed';
  const root = normalize(uiDir + sep);
  const file = normalize(join(root, path === '/' || path === '' ? '/index.html' : path));
  return file.startsWith(root) ? file : 'outside';
}
