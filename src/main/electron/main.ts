/**
 * The Electron shell: a window, a privileged app:// scheme serving the built UI
 * with the same headers as the browser shell, and IPC onto the shared API.
 * All real work lives in ../services; this file only wires it in.
 */
import { readFile } from 'node:fs/promises';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BrowserWindow, app, ipcMain, protocol, session, type WebContents } from 'electron';
import { startWorkbenchApp, type WorkbenchApp } from '../services/WorkbenchApp';
import { CONTENT_SECURITY_POLICY } from '../services/security';
import { safeStorageSecrets } from './SafeStorageSecrets';

const here = dirname(fileURLToPath(import.meta.url));
const rendererDir = normalize(join(here, '..', 'renderer') + sep);
const APP_ORIGIN = 'app://workbench';

protocol.registerSchemesAsPrivileged([
  { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } },
]);

const MIME: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ttf': 'font/ttf',
  '.woff2': 'font/woff2',
};

async function serveApp(request: Request): Promise<Response> {
  const url = new URL(request.url);
  const relative = decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname);
  const file = normalize(join(rendererDir, relative));
  if (!file.startsWith(rendererDir)) return new Response('Forbidden', { status: 403 });
  try {
    const body = await readFile(file);
    return new Response(body, {
      headers: {
        'Content-Type': MIME[extname(file)] ?? 'application/octet-stream',
        'Content-Security-Policy': CONTENT_SECURITY_POLICY,
        'Cross-Origin-Opener-Policy': 'same-origin',
        'Cross-Origin-Embedder-Policy': 'require-corp',
      },
    });
  } catch {
    return new Response('Not found', { status: 404 });
  }
}

/** Only our own UI may call the API. */
function fromOurUi(sender: WebContents): boolean {
  const url = sender.getURL();
  const dev = process.env.ELECTRON_RENDERER_URL;
  return url.startsWith(`${APP_ORIGIN}/`) || (dev !== undefined && url.startsWith(dev));
}

function hardenContents(contents: WebContents): void {
  contents.on('will-navigate', (event, url) => {
    if (!url.startsWith(`${APP_ORIGIN}/`)) event.preventDefault();
  });
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { workspace: { type: 'string' } }, strict: false });
  const workspaceDir =
    typeof values.workspace === 'string' ? values.workspace : join(app.getPath('userData'), 'workspace');

  await app.whenReady();
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  protocol.handle('app', serveApp);
  app.on('web-contents-created', (_event, contents) => hardenContents(contents));

  const secrets = safeStorageSecrets(app.getPath('userData'));
  const workbench: WorkbenchApp = await startWorkbenchApp({
    workspaceDir,
    shell: 'electron',
    appVersion: app.getVersion(),
    secretsDir: app.getPath('userData'),
    ...(secrets ? { secrets } : {}),
  });
  ipcMain.handle('dash:call', async (event, method: unknown, input: unknown) => {
    if (!fromOurUi(event.sender))
      return { ok: false, error: { code: 'unauthorized', message: 'Not the workbench UI' } };
    const reply = await workbench.api.dispatch(method, input);
    return reply.ok ? { ok: true, result: reply.result } : { ok: false, error: reply.error };
  });

  const window = new BrowserWindow({
    width: 1440,
    height: 900,
    title: 'Dash Workbench',
    backgroundColor: '#16181d',
    webPreferences: {
      preload: join(here, '..', 'preload', 'index.cjs'),
      contextIsolation: true,
      nodeIntegration: false,
      sandbox: true,
      webSecurity: true,
    },
  });
  const unsubscribe = workbench.subscribe((event) => {
    if (!window.isDestroyed()) window.webContents.send('dash:event', event);
  });
  const devUrl = process.env.ELECTRON_RENDERER_URL;
  await window.loadURL(devUrl ?? `${APP_ORIGIN}/index.html`);

  let quitting = false;
  app.on('before-quit', (event) => {
    if (quitting) return;
    quitting = true;
    event.preventDefault();
    unsubscribe();
    // Stop the embedded PostgreSQL and the warehouse before the process goes.
    void workbench.close().finally(() => app.exit(0));
  });
  app.on('window-all-closed', () => app.quit());
}

main().catch((err: unknown) => {
  console.error(`Dash Workbench could not start: ${(err as Error).message}`);
  app.exit(1);
});
