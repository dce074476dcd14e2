/**
 * Everything behind the UI, independent of the shell that carries it: jobs, the
 * workspace, and the API over them. Electron and the browser shell both start one.
 */
import type { ApiEvent } from '../../shared/api/contract';
import { WorkbenchApi, createHandlers, subscribeEvents, type WorkbenchContext } from './api/WorkbenchApi';
import { JobRunner } from './jobs/JobRunner';
import { Workspace, type WorkspaceOptions } from './workspace/Workspace';
import { ConnectionProfiles } from './connections/ConnectionProfiles';
import type { SecretStore } from './secrets/SecretStore';
import { SECRETS_KEY_ENV, openEncryptedFileSecretStore } from './secrets/EncryptedFileSecretStore';
import { userDataDir } from './appData';
import { join } from 'node:path';

export interface WorkbenchAppOptions {
  workspaceDir: string;
  shell: 'electron' | 'web';
  appVersion: string;
  demoSize?: WorkspaceOptions['demoSize'];
  warehouse?: WorkspaceOptions['warehouse'];
  onLog?: (line: string) => void;
  /** Electron passes its safeStorage store; otherwise an encrypted file in `secretsDir`. */
  secrets?: SecretStore;
  /** Where the browser shell keeps its encrypted secrets (default: the app-data folder). */
  secretsDir?: string;
}

export interface WorkbenchApp {
  api: WorkbenchApi;
  workspace: Workspace;
  jobs: JobRunner;
  connections: ConnectionProfiles;
  subscribe(emit: (event: ApiEvent) => void): () => void;
  close(): Promise<void>;
}

export async function startWorkbenchApp(options: WorkbenchAppOptions): Promise<WorkbenchApp> {
  const secretsDir = options.secretsDir ?? userDataDir();
  const secrets =
    options.secrets ??
    (await openEncryptedFileSecretStore({
      file: join(secretsDir, 'secrets.json'),
      keyFile: join(secretsDir, 'secrets.key'),
      envKey: process.env[SECRETS_KEY_ENV],
    }));
  const jobs = new JobRunner();
  const connections = new ConnectionProfiles(options.workspaceDir, secrets);
  const workspace = await Workspace.open({
    dir: options.workspaceDir,
    jobs,
    connections,
    ...(options.demoSize ? { demoSize: options.demoSize } : {}),
    ...(options.warehouse ? { warehouse: options.warehouse } : {}),
    ...(options.onLog ? { onLog: options.onLog } : {}),
  });
  const ctx: WorkbenchContext = {
    shell: options.shell,
    appVersion: options.appVersion,
    workspace,
    jobs,
    connections,
    ...(options.onLog ? { log: options.onLog } : {}),
  };
  return {
    api: new WorkbenchApi(createHandlers(ctx)),
    workspace,
    jobs,
    connections,
    subscribe: (emit) => subscribeEvents(ctx, emit),
    close: async () => {
      jobs.cancelAll();
      await workspace.close();
    },
  };
}
