/**
 * The "Sync metrics" dialog's state: whether it is open, what the server offers,
 * what the user picked, the estimate, and the sync job it follows. The actions
 * (syncActions.ts) fill it; closing the dialog puts it back to
 * CLOSED_SYNC_DIALOG, so each opening starts afresh (a sync still running is
 * found again from the server's status).
 */
import { create } from 'zustand';
import type { JobSnapshot } from '../../../shared/api/contract';
import type {
  SyncEstimate,
  SyncOptions,
  SyncSelectionInput,
  SyncSeriesResult,
  SyncStatus,
} from '../../../shared/api/sync';
import type { ErrorView } from '../../state/errorView';
import { useWorkspaceStore } from '../../state/workspaceStore';
import { apiRange, type RangePick } from './syncRange';

export interface SyncDialogState {
  open: boolean;
  /** The server's pipelines and their metrics; null until read. */
  options: SyncOptions | null;
  optionsError: ErrorView | null;
  /** What the cache holds per pipeline (a nicety beside the checkboxes). */
  status: SyncStatus | null;
  /** Picked pipeline ids, metric names and series ids, in the order they were picked. */
  pipelines: string[];
  metrics: string[];
  allSeries: boolean;
  series: string[];
  /** The series search box and what it found. */
  search: string;
  found: SyncSeriesResult | null;
  searchError: ErrorView | null;
  range: RangePick;
  /** Inclusive UTC days; '' means from the first / through the last day on the server. */
  from: string;
  through: string;
  estimate: SyncEstimate | null;
  estimateError: ErrorView | null;
  startError: ErrorView | null;
  /** The sync job shown: started here, or found running when the dialog opened. */
  jobId: string | null;
}

export const CLOSED_SYNC_DIALOG: SyncDialogState = {
  open: false,
  options: null,
  optionsError: null,
  status: null,
  pipelines: [],
  metrics: [],
  allSeries: true,
  series: [],
  search: '',
  found: null,
  searchError: null,
  range: 'everything',
  from: '',
  through: '',
  estimate: null,
  estimateError: null,
  startError: null,
  jobId: null,
};

export const useSyncDialog = create<SyncDialogState>(() => CLOSED_SYNC_DIALOG);

export function patchSyncDialog(patch: Partial<SyncDialogState>): void {
  useSyncDialog.setState(patch);
}

/** The list with `value` added at the end, or taken out when it was there. */
export function toggled<T>(list: readonly T[], value: T): T[] {
  return list.includes(value) ? list.filter((v) => v !== value) : [...list, value];
}

/** Metric names of the picked pipelines, in definition order. */
export function metricChoices(s: SyncDialogState): string[] {
  const names: string[] = [];
  for (const p of s.options?.pipelines ?? []) {
    if (!s.pipelines.includes(p.id)) continue;
    for (const m of p.metrics) if (!names.includes(m)) names.push(m);
  }
  return names;
}

/** What the user picked as the API takes it; null while the picks cannot be synced (see selectionProblem). */
export function syncSelection(s: SyncDialogState): SyncSelectionInput | null {
  if (s.pipelines.length === 0) return null;
  const choices = metricChoices(s);
  const pickedMetrics = choices.filter((m) => s.metrics.includes(m));
  if (choices.length > 0 && pickedMetrics.length === 0) return null;
  if (!s.allSeries && s.series.length === 0) return null;
  const { from, to } = apiRange(s.from, s.through);
  if (from && to && from >= to) return null;
  return {
    pipelines: [...s.pipelines].sort(),
    metricNames: pickedMetrics.length === choices.length ? null : pickedMetrics,
    seriesIds: s.allSeries ? null : [...s.series].sort(),
    from,
    to,
  };
}

/** Why the picks cannot be synced, in the user's words; null when they can. */
export function selectionProblem(s: SyncDialogState): string | null {
  const choices = metricChoices(s);
  if (s.pipelines.length === 0) return 'Pick at least one pipeline.';
  if (choices.length > 0 && !choices.some((m) => s.metrics.includes(m))) return 'Pick at least one metric.';
  if (!s.allSeries && s.series.length === 0) return 'Pick at least one series, or choose “All series”.';
  if (s.from && s.through && s.from > s.through) return 'The “to” day is before the “from” day.';
  return null;
}

/** The job the dialog follows (`jobId`), as the workspace last heard of it. */
export function followedJob(jobs: Readonly<Record<string, JobSnapshot>>, jobId: string | null): JobSnapshot | null {
  return jobId ? (jobs[jobId] ?? null) : null;
}

export function useSyncJob(): JobSnapshot | null {
  const jobId = useSyncDialog((s) => s.jobId);
  return useWorkspaceStore((s) => followedJob(s.jobs, jobId));
}

export function isRunning(job: JobSnapshot | null): boolean {
  return job !== null && job.finishedAt === null;
}
