/**
 * Everything behind the UI, independent of the shell that carries it: jobs, the
 * workspace, and the API over them. Electron and the browser shell both start one.
 */
import type { ApiEvent } from '../../shared/api/contract';
import { WorkbenchApi, createHandlers, subscribeEvents, type WorkbenchContext } from './api/WorkbenchApi';
import { JobRunner } from './jobs/JobRunner';
import { Workspace, type WorkspaceOptions } from './workspace/Workspace';

export interface WorkbenchAppOptions {
  workspaceDir: string;
  shell: 'electron' | 'web';
  appVersion: string;
  demoSize?: WorkspaceOptions['demoSize'];
  warehouse?: WorkspaceOptions['warehouse'];
  onLog?: (line: string) => void;
}

export interface WorkbenchApp {
  api: WorkbenchApi;
  workspace: Workspace;
  jobs: JobRunner;
  subscribe(emit: (event: ApiEvent) => void): () => void;
  close(): Promise<void>;
}

export async function startWorkbenchApp(options: WorkbenchAppOptions): Promise<WorkbenchApp> {
  const jobs = new JobRunner();
  const workspace = await Workspace.open({
    dir: options.workspaceDir,
    jobs,
    ...(options.demoSize ? { demoSize: options.demoSize } : {}),
    ...(options.warehouse ? { warehouse: options.warehouse } : {}),
    ...(options.onLog ? { onLog: options.onLog } : {}),
  });
  const ctx: WorkbenchContext = { shell: options.shell, appVersion: options.appVersion, workspace, jobs };
  return {
    api: new WorkbenchApi(createHandlers(ctx)),
    workspace,
    jobs,
    subscribe: (emit) => subscribeEvents(ctx, emit),
    close: async () => {
      jobs.cancelAll();
      await workspace.close();
    },
  };
}
