import { homedir } from 'node:os';
import { join } from 'node:path';

/** The per-user folder the OS expects app data in (what Electron's app.getPath('userData') gives). */
export function userDataDir(appName = 'Dash Workbench'): string {
  switch (process.platform) {
    case 'darwin':
      return join(homedir(), 'Library', 'Application Support', appName);
    case 'win32':
      return join(process.env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), appName);
    default:
      return join(process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), appName);
  }
}

export function defaultWorkspaceDir(): string {
  return join(userDataDir(), 'workspace');
}
