/**
 * The desktop shell's app:// scheme, in plain Node so it is tested without the
 * Electron binary: which URLs are the workbench UI (for navigation guards and
 * the IPC sender check), and how a request for a UI file is answered.
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { UI_CONTENT_TYPES, UI_RESPONSE_HEADERS, uiFileOf } from './security';

export const APP_ORIGIN = 'app://workbench';

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
  let file: string;
  try {
    file = uiFileOf(rendererDir, new URL(requestUrl).pathname);
  } catch {
    return plain(400, 'Malformed URL');
  }
  if (file === 'malformed') return plain(400, 'Malformed URL');
  if (file === 'outside') return plain(403, 'Outside the app folder');
  let body: Buffer;
  try {
    body = await readFile(file);
  } catch {
    return plain(404, 'Not found');
  }
  return new Response(new Uint8Array(body), {
    headers: { ...UI_RESPONSE_HEADERS, 'Content-Type': UI_CONTENT_TYPES[extname(file)] ?? 'application/octet-stream' },
  });
}
