/**
 * What the sidebar and status bar show about the workspace: its status (kept
 * live by `workspace` events) and the lists that depend on each phase.
 */
import { create } from 'zustand';
import type {
  AppInfo,
  Catalog,
  JobSnapshot,
  LakeListing,
  PhaseState,
  PipelineSummary,
  WorkspaceStartup,
  WorkspaceStatus,
} from '../../shared/api/contract';
import { WorkbenchError } from '../../shared/errors';
import type { ErrorView } from './errorView';

export interface Loadable<T> {
  data: T | null;
  error: ErrorView | null;
  loading: boolean;
}

const idle = <T>(): Loadable<T> => ({ data: null, error: null, loading: false });

export type SectionId = 'lake' | 'catalog' | 'pipelines';

/** Which workspace phase each sidebar list waits for. */
export const sectionPhase: Record<SectionId, 'lake' | 'warehouse' | 'postgres'> = {
  lake: 'lake',
  catalog: 'warehouse',
  pipelines: 'postgres',
};

interface WorkspaceStore {
  appInfo: AppInfo | null;
  status: WorkspaceStatus | null;
  statusError: ErrorView | null;
  lake: Loadable<LakeListing>;
  catalog: Loadable<Catalog>;
  pipelines: Loadable<{ pipelines: PipelineSummary[] }>;
  jobs: Record<string, JobSnapshot>;
  /** Goes up on every `cache` event: views that show cache state re-read when it changes. */
  cacheVersion: number;
}

export const useWorkspaceStore = create<WorkspaceStore>(() => ({
  appInfo: null,
  status: null,
  statusError: null,
  lake: idle(),
  catalog: idle(),
  pipelines: idle(),
  jobs: {},
  cacheVersion: 0,
}));

export function phaseState(status: WorkspaceStatus | null, phase: 'lake' | 'warehouse' | 'postgres'): PhaseState {
  return status?.phases.find((p) => p.id === phase)?.state ?? 'pending';
}

/**
 * Resolves once `phase` is ready; rejects when it failed (with its message) or
 * when `signal` aborts (as a cancel).
 */
export function whenPhaseReady(phase: 'lake' | 'warehouse' | 'postgres', signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    let unsubscribe = (): void => undefined;
    const onAbort = (): void => {
      unsubscribe();
      reject(new WorkbenchError('cancelled', 'Query cancelled'));
    };
    const settled = (status: WorkspaceStatus | null): boolean => {
      const state = phaseState(status, phase);
      if (state !== 'ready' && state !== 'failed') return false;
      unsubscribe();
      signal.removeEventListener('abort', onAbort);
      if (state === 'ready') resolve();
      else {
        const info = status?.phases.find((p) => p.id === phase);
        reject(
          new WorkbenchError(
            'unavailable',
            `${info?.title ?? phase} failed to start${info?.message ? `: ${info.message}` : ''}`,
            'See the workspace status in the sidebar.',
          ),
        );
      }
      return true;
    };
    if (signal.aborted) return onAbort();
    if (settled(useWorkspaceStore.getState().status)) return;
    signal.addEventListener('abort', onAbort, { once: true });
    unsubscribe = useWorkspaceStore.subscribe((s) => void settled(s.status));
  });
}

/** The jobs a start-up runs: the one start-up progress stands for them while it shows. */
export const STARTUP_JOB_KINDS: ReadonlySet<string> = new Set(['demo.generate', 'demo.metrics', 'demo.seed']);

/** "about 12 s left", "about 2 min left", or null while there is no estimate. */
export function timeLeftText(startup: WorkspaceStartup): string | null {
  const s = startup.secondsLeft;
  if (s === null) return null;
  if (s < 60) return `about ${Math.max(1, Math.round(s))} s left`;
  return `about ${Math.round(s / 60)} min left`;
}

/** "Starting the workspace: 42 % · about 12 s left". */
export function startupSummary(startup: WorkspaceStartup): string {
  const left = timeLeftText(startup);
  return `Starting the workspace: ${startup.percent} %${left ? ` · ${left}` : ''}`;
}

/** The workspace's time zone, in which every time is shown (see formatInstant). */
export function useWorkspaceTimeZone(): string {
  return useWorkspaceStore((s) => s.status?.timeZone ?? 'UTC');
}
