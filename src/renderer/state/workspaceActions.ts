/**
 * Loads what the sidebar shows and keeps it current: each list is fetched when
 * the phase it depends on becomes ready, and again on request.
 */
import type { ApiEvent, WorkspaceStatus } from '../../shared/api/contract';
import { toErrorView } from './errorView';
import { workbench } from './workbench';
import { phaseState, sectionPhase, useWorkspaceStore, type SectionId } from './workspaceStore';

const loaders = {
  lake: () => workbench().call('lake.list', {}),
  catalog: () => workbench().call('catalog.get', {}),
  pipelines: () => workbench().call('pipelines.list', {}),
} as const;

export async function refreshSection(section: SectionId): Promise<void> {
  const set = useWorkspaceStore.setState;
  set((s) => ({ [section]: { ...s[section], loading: true } }));
  try {
    const data = await loaders[section]();
    set({ [section]: { data, error: null, loading: false } });
  } catch (err) {
    set((s) => ({ [section]: { data: s[section].data, error: toErrorView(err), loading: false } }));
  }
}

/** An answer sent before `shown` was: the server's run is the same and its revision lower. */
function isOlder(status: WorkspaceStatus, shown: WorkspaceStatus | null): boolean {
  return shown !== null && status.run === shown.run && status.revision < shown.revision;
}

/**
 * Takes the workspace's status in, and lists what a phase that just became ready
 * makes available. A status older than the one shown is dropped: a fetch's answer
 * can arrive after an event that was sent later.
 */
export function applyStatus(status: WorkspaceStatus): void {
  const previous = useWorkspaceStore.getState().status;
  if (isOlder(status, previous)) return;
  useWorkspaceStore.setState({ status, statusError: null });
  for (const section of Object.keys(sectionPhase) as SectionId[]) {
    const phase = sectionPhase[section];
    const becameReady = phaseState(status, phase) === 'ready' && (!previous || phaseState(previous, phase) !== 'ready');
    if (becameReady) void refreshSection(section);
  }
}

export async function refreshStatus(): Promise<void> {
  try {
    applyStatus(await workbench().call('workspace.status', {}));
  } catch (err) {
    useWorkspaceStore.setState({ statusError: toErrorView(err) });
  }
}

async function loadAppInfo(): Promise<void> {
  try {
    useWorkspaceStore.setState({ appInfo: await workbench().call('app.info', {}) });
  } catch (err) {
    console.warn('Could not read app info:', toErrorView(err).message);
  }
}

async function loadJobs(): Promise<void> {
  try {
    const { jobs } = await workbench().call('jobs.list', {});
    useWorkspaceStore.setState((s) => ({ jobs: { ...Object.fromEntries(jobs.map((j) => [j.jobId, j])), ...s.jobs } }));
  } catch (err) {
    console.warn('Could not list jobs:', toErrorView(err).message);
  }
}

function onEvent(event: ApiEvent): void {
  if (event.type === 'workspace') applyStatus(event.status);
  else if (event.type === 'cache') useWorkspaceStore.setState((s) => ({ cacheVersion: s.cacheVersion + 1 }));
  else useWorkspaceStore.setState((s) => ({ jobs: { ...s.jobs, [event.job.jobId]: event.job } }));
}

export async function cancelJob(jobId: string): Promise<void> {
  try {
    await workbench().call('jobs.cancel', { jobId });
  } catch (err) {
    console.warn('Could not cancel the job:', toErrorView(err).message);
  }
}

/**
 * Subscribes to events first, then reads the current state; and reads it again
 * each time the event stream opens, since what changed before that was not sent.
 */
export function startWorkspaceSync(): () => void {
  const unsubscribe = workbench().onEvent(onEvent);
  const stopResync = workbench().onStreamOpen(() => {
    void refreshStatus();
    void loadJobs();
  });
  void loadAppInfo();
  void refreshStatus();
  void loadJobs();
  return () => {
    unsubscribe();
    stopResync();
  };
}
