/**
 * The Electron shell: a window, a privileged app:// scheme serving the built UI
 * with the same headers as the browser shell, and IPC onto the shared API.
 * All real work lives in ../services; this file only wires it in.
 */
import { dirname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BrowserWindow, app, ipcMain, protocol, session } from 'electron';
import { startWorkbenchApp, type WorkbenchApp } from '../services/WorkbenchApp';
import { APP_ORIGIN, serveAppFile } from '../services/appScheme';
import { callerIsWorkbench, hardenContents } from './contentsGuards';
import { safeStorageSecrets } from './SafeStorageSecrets';

const here = dirname(fileURLToPath(import.meta.url));
const rendererDir = normalize(join(here, '..', 'renderer') + sep);
const devUrl = process.env.ELECTRON_RENDERER_URL;

protocol.registerSchemesAsPrivileged([
  { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } },
]);

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { workspace: { type: 'string' } }, strict: false });
  const workspaceDir =
    typeof values.workspace === 'string' ? values.workspace : join(app.getPath('userData'), 'workspace');

  await app.whenReady();
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  protocol.handle('app', (request) => serveAppFile(rendererDir, request.url));
  app.on('web-contents-created', (_event, contents) => hardenContents(contents, devUrl));

  const secrets = safeStorageSecrets(app.getPath('userData'));
  const workbench: WorkbenchApp = await startWorkbenchApp({
    workspaceDir,
    shell: 'electron',
    appVersion: app.getVersion(),
    secretsDir: app.getPath('userData'),
    ...(secrets ? { secrets } : {}),
  });
  ipcMain.handle('dash:call', async (event, method: unknown, input: unknown) => {
    if (!callerIsWorkbench(event, devUrl))
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
