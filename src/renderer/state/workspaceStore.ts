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
  WorkspaceStatus,
} from '../../shared/api/contract';
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

/** "PostgreSQL, Local warehouse" — the phases that are not ready yet. */
export function startingPhases(status: WorkspaceStatus | null): string[] {
  return (status?.phases ?? []).filter((p) => p.state === 'pending' || p.state === 'running').map((p) => p.title);
}

/** The workspace's time zone, in which every time is shown (see formatInstant). */
export function useWorkspaceTimeZone(): string {
  return useWorkspaceStore((s) => s.status?.timeZone ?? 'UTC');
}
