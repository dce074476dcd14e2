/**
 * What the "Sync metrics" dialog does: read the server's pipelines and the
 * cache's status when it opens, follow the user's picks with an estimate and
 * a series search (each a moment after the last change), start and cancel the
 * sync, and forget everything when it closes.
 */
import type { SyncPreset } from '../../workbench/intents';
import { addDays } from '../../../shared/utcDays';
import { toErrorView } from '../../state/errorView';
import { workbench } from '../../state/workbench';
import { cancelJob, refreshSection } from '../../state/workspaceActions';
import { useWorkspaceStore } from '../../state/workspaceStore';
import { latestReply } from '../../workbench/latestReply';
import {
  CLOSED_SYNC_DIALOG,
  followedJob,
  isRunning,
  patchSyncDialog,
  syncSelection,
  toggled,
  useSyncDialog,
} from './syncDialog';
import { quickRange, type RangePick } from './syncRange';

/** The estimate and the series search wait this long after the last change. */
export const ESTIMATE_DELAY_MS = 250;
export const SERIES_SEARCH_DELAY_MS = 200;

// A reply to an earlier opening of the dialog, or to an earlier pick, is dropped.
const opening = latestReply();
const estimates = latestReply();
const searches = latestReply();

const state = () => useSyncDialog.getState();

function forgetPending(): void {
  opening.drop();
  estimates.drop();
  searches.drop();
}

/** Opens the dialog afresh, for a pipeline (else the first) and a chart's metrics and days when given. */
export function openSyncDialog(pipelineId: string | null = null, preset: SyncPreset | null = null): void {
  forgetPending();
  useSyncDialog.setState({
    ...CLOSED_SYNC_DIALOG,
    open: true,
    range: preset ? 'custom' : 'everything',
    from: preset?.from ?? '',
    through: preset ? addDays(preset.to, -1) : '',
  });
  void loadSyncStatus();
  void loadSyncOptions(pipelineId, preset);
}

/** Closes the dialog and forgets its picks; a running sync goes on (the status bar shows it). */
export function closeSyncDialog(): void {
  forgetPending();
  useSyncDialog.setState(CLOSED_SYNC_DIALOG);
}

async function loadSyncStatus(): Promise<void> {
  const counts = opening.current();
  try {
    const status = await workbench().call('sync.status', {});
    if (!counts()) return;
    // Reopened while a sync runs: follow it.
    patchSyncDialog({ status, jobId: state().jobId ?? status.runningJobId });
  } catch {
    // The status is a nicety beside the checkboxes; the dialog works without it.
  }
}

async function loadSyncOptions(pipelineId: string | null, preset: SyncPreset | null): Promise<void> {
  const counts = opening.current();
  try {
    const options = await workbench().call('sync.options', {});
    if (!counts()) return;
    const first = options.pipelines.find((p) => p.id === pipelineId) ?? options.pipelines[0];
    const defined = [...new Set(first?.metrics ?? [])];
    patchSyncDialog({
      options,
      pipelines: first ? [first.id] : [],
      metrics: preset ? defined.filter((m) => preset.metrics.includes(m)) : defined,
    });
    estimateSoon();
  } catch (err) {
    if (counts()) patchSyncDialog({ optionsError: toErrorView(err) });
  }
}

/** The estimate follows the picks: the last one is dropped now, the new one asked for a moment later. */
function estimateSoon(): void {
  estimates.drop();
  patchSyncDialog({ estimate: null, estimateError: null });
  const selection = syncSelection(state());
  if (!selection) return;
  estimates.askSoon(ESTIMATE_DELAY_MS, (counts) => {
    workbench()
      .call('sync.estimate', selection)
      .then(
        (estimate) => counts() && patchSyncDialog({ estimate }),
        (err: unknown) => counts() && patchSyncDialog({ estimateError: toErrorView(err) }),
      );
  });
}

/** Series ids matching the search box, while the user picks series one by one. */
function searchSeriesSoon(): void {
  searches.drop();
  const { allSeries, pipelines, search } = state();
  if (allSeries || pipelines.length === 0) return;
  searches.askSoon(SERIES_SEARCH_DELAY_MS, (counts) => {
    workbench()
      .call('sync.series', { pipelines, search, limit: 100 })
      .then(
        (found) => counts() && patchSyncDialog({ found, searchError: null }),
        (err: unknown) => counts() && patchSyncDialog({ searchError: toErrorView(err) }),
      );
  });
}

/** A pipeline picked brings all its metrics along; one unpicked leaves the metric picks as they were. */
export function togglePipeline(pipelineId: string): void {
  const s = state();
  const picking = !s.pipelines.includes(pipelineId);
  const defined = s.options?.pipelines.find((p) => p.id === pipelineId)?.metrics ?? [];
  patchSyncDialog({
    pipelines: toggled(s.pipelines, pipelineId),
    metrics: picking ? [...new Set([...s.metrics, ...defined])] : s.metrics,
  });
  estimateSoon();
  searchSeriesSoon();
}

export function toggleMetric(metricName: string): void {
  patchSyncDialog({ metrics: toggled(state().metrics, metricName) });
  estimateSoon();
}

/** "All series", or only the series picked below. */
export function chooseAllSeries(allSeries: boolean): void {
  patchSyncDialog({ allSeries });
  estimateSoon();
  searchSeriesSoon();
}

export function toggleSeries(seriesId: string): void {
  patchSyncDialog({ series: toggled(state().series, seriesId) });
  estimateSoon();
}

export function searchSeries(search: string): void {
  patchSyncDialog({ search });
  searchSeriesSoon();
}

export function pickRange(pick: Exclude<RangePick, 'custom'>): void {
  const { from, through } = quickRange(pick);
  patchSyncDialog({ range: pick, from, through });
  estimateSoon();
}

/** A day typed in "From" or "To (included)": the range becomes the user's own. */
export function setRangeDay(which: 'from' | 'through', day: string): void {
  patchSyncDialog({ range: 'custom', [which]: day });
  estimateSoon();
}

/** Starts a sync of what is picked, unless the picks cannot be synced or a sync runs. */
export async function startSync(): Promise<void> {
  const s = state();
  const selection = syncSelection(s);
  if (!selection || isRunning(followedJob(useWorkspaceStore.getState().jobs, s.jobId))) return;
  const counts = opening.current();
  patchSyncDialog({ startError: null });
  try {
    const { jobId } = await workbench().call('sync.start', selection);
    if (counts()) patchSyncDialog({ jobId });
  } catch (err) {
    if (counts()) patchSyncDialog({ startError: toErrorView(err) });
  }
}

export async function cancelSync(): Promise<void> {
  const { jobId } = state();
  if (jobId) await cancelJob(jobId);
}

/** When the sync ends: what the cache holds now, and the catalog (new views). */
export async function afterSyncFinished(): Promise<void> {
  await Promise.all([loadSyncStatus(), refreshSection('catalog')]);
}
