/**
 * The browser shell: the same workbench served over HTTP on loopback, guarded by
 * a random token like Jupyter. Every request — page, API, data — must carry the
 * token or it gets 401: pages and exports as ?token= or the cookie set from it,
 * API calls in an `Authorization: Bearer` header (the event stream may use ?token=).
 *
 * The cookie alone never reaches the API: a page on another port of 127.0.0.1 is
 * "same-site", so the browser sends it our SameSite=Strict cookie. Requests that a
 * browser marks as coming from another origin (Origin, Sec-Fetch-Site) are refused
 * before anything else, and API calls must be JSON, which no form can send.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join } from 'node:path';
import type { ApiErrorBody, ApiEvent } from '../../shared/api/contract';
import { isApiMethod, isBinaryMethod } from '../../shared/api/contract';
import { exportContentType } from '../../shared/api/export';
import { HTTP_STATUS_BY_CODE } from '../../shared/errors';
import type { WorkbenchApi } from '../services/api/WorkbenchApi';
import { openExport } from '../services/export/ResultExport';
import { UI_CONTENT_TYPES, UI_RESPONSE_HEADERS, uiFileOf } from '../services/security';

export interface WebShellOptions {
  port: number;
  staticDir: string;
  api: WorkbenchApi;
  subscribe: (emit: (event: ApiEvent) => void) => () => void;
  /** The workspace's `exports/` folder, served at /exports/<name> (token required like everything). */
  exportsDir?: string;
  /** Fixed token (tests); a random one otherwise. */
  token?: string;
  log?: (line: string) => void;
}

export interface WebShell {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const COOKIE = 'dash_token';
const MAX_BODY_BYTES = 4 * 1024 * 1024;
/** What is read and dropped after a 413 so the client gets to read it; past this the connection is cut. */
const MAX_DISCARDED_BYTES = 64 * 1024 * 1024;

/** Headers on every response: isolation so DuckDB-WASM may use threads, and a strict CSP. */
function baseHeaders(res: ServerResponse): void {
  for (const [name, value] of Object.entries(UI_RESPONSE_HEADERS)) res.setHeader(name, value);
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookieToken(req: IncomingMessage): string | null {
  const header = req.headers.cookie;
  if (!header) return null;
  for (const part of header.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === COOKIE) return rest.join('=');
  }
  return null;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
  res.end(text);
}

/**
 * An error answer with its code's status (HTTP_STATUS_BY_CODE, as the API's
 * own errors). `status` only where HTTP names a `bad_request` more exactly:
 * 405 (wrong method) and 415 (not JSON); 413 is sendTooLarge's.
 */
function sendError(res: ServerResponse, error: ApiErrorBody, status = HTTP_STATUS_BY_CODE[error.code]): void {
  sendJson(res, status, { ok: false, error });
}

/**
 * Why a request that a browser made for a page of another origin is refused, or
 * null. Browsers send Origin on every POST and Sec-Fetch-Site on every request;
 * only our own origin ("same-origin") and the user's own typing or bookmarks
 * ("none") pass. Clients that send neither (curl, Node) are judged by the token alone.
 * With `allowLinks`, other pages may still link to the app (a top-level or frame
 * navigation to a page): that opens the app, it calls nothing.
 */
function foreignRequest(req: IncomingMessage, ownOrigin: string, allowLinks: boolean): string | null {
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== ownOrigin) return `from ${origin}`;
  const site = req.headers['sec-fetch-site'];
  if (site === undefined || site === 'same-origin' || site === 'none') return null;
  const link = req.headers['sec-fetch-mode'] === 'navigate' && (req.method === 'GET' || req.method === 'HEAD');
  if (allowLinks && link) return null;
  return `from a page of another ${site === 'same-site' ? 'port or subdomain' : 'site'} (Sec-Fetch-Site: ${site})`;
}

/** The media type of a request body, without parameters, lower case; '' when there is none. */
function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

class BodyTooLarge extends Error {}

/** The body as text; rejects with BodyTooLarge past MAX_BODY_BYTES, leaving the rest unread. */
function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    if (Number(req.headers['content-length']) > MAX_BODY_BYTES) {
      reject(new BodyTooLarge());
      return;
    }
    let size = 0;
    let parts: Buffer[] = [];
    const onData = (part: Buffer) => {
      size += part.length;
      if (size > MAX_BODY_BYTES) {
        parts = [];
        req.off('data', onData);
        req.pause();
        reject(new BodyTooLarge());
        return;
      }
      parts.push(part);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * Answers 413 and closes the connection. The answer goes out at once, but the
 * connection closes only once the client has finished sending (the rest is read
 * and dropped): closing on unread data resets it, and the client would see
 * ECONNRESET instead of the message.
 */
function sendTooLarge(req: IncomingMessage, res: ServerResponse): void {
  const text = JSON.stringify({
    ok: false,
    error: {
      code: 'bad_request',
      message: `The request is larger than the ${MAX_BODY_BYTES / 1024 / 1024} MB the workbench accepts in one call`,
      hint: 'Send less in one call, e.g. a shorter SQL text or fewer items',
    },
  });
  res.writeHead(413, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    Connection: 'close',
  });
  res.write(text);
  if (req.complete) {
    res.end();
    return;
  }
  let discarded = 0;
  req.on('data', (part: Buffer) => {
    discarded += part.length;
    if (discarded > MAX_DISCARDED_BYTES) res.destroy();
  });
  req.once('end', () => res.end());
  req.once('error', () => res.destroy());
  req.resume();
}

export async function startWebShell(options: WebShellOptions): Promise<WebShell> {
  const token = options.token ?? randomBytes(24).toString('hex');
  const log = options.log ?? (() => undefined);
  const eventStreams = new Set<ServerResponse>();
  let port = 0;

  /** Which ways the request carries the right token. */
  const credentials = (req: IncomingMessage, url: URL) => {
    const fromQuery = url.searchParams.get('token');
    const fromCookie = cookieToken(req);
    const auth = req.headers.authorization;
    return {
      query: fromQuery !== null && sameToken(fromQuery, token),
      cookie: fromCookie !== null && sameToken(fromCookie, token),
      header: auth?.startsWith('Bearer ') === true && sameToken(auth.slice(7), token),
    };
  };

  const serveStatic = async (res: ServerResponse, pathname: string): Promise<void> => {
    const file = uiFileOf(options.staticDir, pathname);
    if (file === 'malformed') {
      sendError(res, { code: 'bad_request', message: 'Malformed path' });
      return;
    }
    if (file === 'outside') {
      sendError(res, { code: 'forbidden', message: 'Outside the app folder' });
      return;
    }
    let target = file;
    let info = await stat(target).catch(() => null);
    if (!info?.isFile()) {
      // Unknown paths without an extension are app routes: serve the app.
      if (extname(file) !== '') {
        sendError(res, { code: 'not_found', message: `No such file: ${pathname}` });
        return;
      }
      target = join(options.staticDir, 'index.html');
      info = await stat(target).catch(() => null);
      if (!info?.isFile()) {
        res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end(`The workbench UI is not built (${target} is missing). Run \`npm run build\`.`);
        return;
      }
    }
    const type = UI_CONTENT_TYPES[extname(target)] ?? 'application/octet-stream';
    res.writeHead(200, {
      'Content-Type': type,
      'Content-Length': info.size,
      'Cache-Control': target.endsWith('.html') ? 'no-store' : 'private, max-age=3600',
    });
    createReadStream(target).pipe(res);
  };

  const serveExport = async (res: ServerResponse, pathname: string): Promise<void> => {
    let name: string;
    try {
      name = decodeURIComponent(pathname.slice('/exports/'.length));
    } catch {
      name = '';
    }
    const contentType = exportContentType(name);
    if (!options.exportsDir || !contentType) {
      sendError(res, { code: 'not_found', message: 'No such export' });
      return;
    }
    let found: Awaited<ReturnType<typeof openExport>>;
    try {
      found = await openExport(options.exportsDir, name);
    } catch (err) {
      // A link in exports/ that leads outside the workspace: refused, never followed.
      if ((err as { code?: unknown }).code !== 'forbidden') throw err;
      sendError(res, { code: 'forbidden', message: (err as Error).message });
      return;
    }
    if (!found) {
      sendError(res, { code: 'not_found', message: `No export named ${name}` });
      return;
    }
    res.writeHead(200, {
      'Content-Type': contentType,
      'Content-Length': found.size,
      'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent(name)}`,
      'Cache-Control': 'no-store',
    });
    found.body.pipe(res);
  };

  const handleApi = async (req: IncomingMessage, res: ServerResponse, method: string): Promise<void> => {
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      sendError(res, { code: 'bad_request', message: 'API calls are POST requests' }, 405);
      return;
    }
    // No form and no "simple" cross-origin fetch can send application/json.
    const type = mediaType(req);
    if (type !== 'application/json') {
      sendError(
        res,
        {
          code: 'bad_request',
          message: `API calls send a JSON body with Content-Type: application/json, not ${type === '' ? 'no Content-Type' : type}`,
          hint: 'Set the header Content-Type: application/json',
        },
        415,
      );
      return;
    }
    let input: unknown;
    try {
      const body = await readBody(req);
      input = body.trim() === '' ? {} : JSON.parse(body);
    } catch (err) {
      if (err instanceof BodyTooLarge) {
        sendTooLarge(req, res);
        return;
      }
      sendError(res, { code: 'bad_request', message: `Invalid JSON body: ${(err as Error).message}` });
      return;
    }
    const reply = await options.api.dispatch(method, input);
    if (!reply.ok) {
      sendError(res, reply.error);
      return;
    }
    if (isApiMethod(method) && isBinaryMethod(method) && reply.result instanceof Uint8Array) {
      res.writeHead(200, {
        'Content-Type': 'application/octet-stream',
        'Content-Length': reply.result.byteLength,
        'Cache-Control': 'no-store',
      });
      res.end(Buffer.from(reply.result.buffer, reply.result.byteOffset, reply.result.byteLength));
      return;
    }
    sendJson(res, 200, { ok: true, result: reply.result });
  };

  const handleEvents = (req: IncomingMessage, res: ServerResponse): void => {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
    });
    res.write(': connected\n\n');
    eventStreams.add(res);
    req.on('close', () => eventStreams.delete(res));
  };

  const unsubscribe = options.subscribe((event) => {
    const frame = `data: ${JSON.stringify(event)}\n\n`;
    for (const res of eventStreams) res.write(frame);
  });
  const heartbeat = setInterval(() => {
    for (const res of eventStreams) res.write(': keep-alive\n\n');
  }, 15_000);
  heartbeat.unref();

  const server: Server = createServer((req, res) => {
    baseHeaders(res);
    // Only our own origin: a rebinding DNS name pointing at loopback is refused.
    const host = req.headers.host ?? '';
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) {
      sendError(res, { code: 'forbidden', message: `Unexpected Host header: ${host}` });
      return;
    }
    const ownOrigin = `http://${host}`;
    const url = new URL(req.url ?? '/', ownOrigin);
    const isEvents = url.pathname === '/api/events';
    const isApi = url.pathname.startsWith('/api/');
    const isExport = url.pathname.startsWith('/exports/');
    const foreign = foreignRequest(req, ownOrigin, !isApi && !isExport);
    if (foreign) {
      log(`web shell: refused ${req.method ?? ''} ${url.pathname} ${foreign}`);
      sendError(res, {
        code: 'forbidden',
        message: `Refused a request ${foreign}: the workbench answers only its own pages`,
        hint: `Use the workbench in its own tab at ${ownOrigin}/ — other pages cannot call it`,
      });
      return;
    }
    const presented = credentials(req, url);
    // API calls carry the token in a header (the event stream, which cannot, as ?token=): never the cookie alone.
    const allowed = isEvents
      ? presented.header || presented.query
      : isApi
        ? presented.header
        : presented.header || presented.query || presented.cookie;
    if (!allowed) {
      const cookieOnly = isApi && presented.cookie;
      sendError(res, {
        code: 'unauthorized',
        message: cookieOnly
          ? 'API calls must carry the token in an Authorization header; the cookie alone is not enough'
          : 'Missing or wrong token',
        hint: 'Open the URL printed by `npm start`, including ?token=…',
      });
      return;
    }
    if (presented.query && !isApi) {
      res.setHeader('Set-Cookie', `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`);
    }
    const task = isEvents
      ? Promise.resolve(handleEvents(req, res))
      : isApi
        ? handleApi(req, res, url.pathname.slice('/api/'.length))
        : (req.method === 'GET' || req.method === 'HEAD') && isExport
          ? serveExport(res, url.pathname)
          : req.method === 'GET' || req.method === 'HEAD'
            ? serveStatic(res, url.pathname)
            : Promise.resolve(sendError(res, { code: 'bad_request', message: 'Method not allowed' }, 405));
    task.catch((err: unknown) => {
      log(`web shell: ${(err as Error).message}`);
      if (!res.headersSent) sendError(res, { code: 'internal', message: (err as Error).message });
      else res.end();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    close: async () => {
      unsubscribe();
      clearInterval(heartbeat);
      for (const res of eventStreams) res.end();
      eventStreams.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
