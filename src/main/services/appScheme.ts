/**
 * The desktop shell's app:// scheme, in plain Node so it is tested without the
 * Electron binary: which URLs are the workbench UI (for navigation guards and
 * the IPC sender check), and how a request for a UI file is answered.
 */
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { CONTENT_SECURITY_POLICY } from './security';

export const APP_ORIGIN = 'app://workbench';

/** Content types of the built UI's files, for both shells. */
export const UI_CONTENT_TYPES: Record<string, string> = {
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

function originOf(url: string): string | null {
  try {
    const parsed = new URL(url);
    // Non-special schemes (app:) give origin "null": compare scheme + host instead.
    return `${parsed.protocol}//${parsed.host}`;
  } catch {
    return null;
  }
}

/**
 * True when `url` is a page of the workbench UI: exactly our app:// origin, or
 * the dev server's origin while developing. Exact origins, never prefixes
 * (`app://workbench.evil`, `http://localhost:51730` are not ours).
 */
export function isWorkbenchPage(url: string, devUrl?: string): boolean {
  const origin = originOf(url);
  if (origin === null) return false;
  if (origin === APP_ORIGIN) return true;
  return devUrl !== undefined && devUrl !== '' && origin === originOf(devUrl);
}

function plain(status: number, text: string): Response {
  return new Response(text, {
    status,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' },
  });
}

/** Answers one app:// request from the built UI folder, with the headers the browser shell sends too. */
export async function serveAppFile(rendererDir: string, requestUrl: string): Promise<Response> {
  const root = normalize(rendererDir + sep);
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(requestUrl).pathname);
  } catch {
    return plain(400, 'Malformed URL');
  }
  if (pathname.includes('\0')) return plain(400, 'Malformed URL');
  const file = normalize(join(root, pathname === '/' ? '/index.html' : pathname));
  if (!file.startsWith(root)) return plain(403, 'Outside the app folder');
  let body: Buffer;
  try {
    body = await readFile(file);
  } catch {
    return plain(404, 'Not found');
  }
  return new Response(new Uint8Array(body), {
    headers: {
      'Content-Type': UI_CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
    },
  });
}
