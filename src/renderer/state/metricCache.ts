/**
 * What the local metrics cache knows about itself that the UI must show where
 * the metrics are shown: days a push or undo changed on the server that could
 * not be re-synced yet (stale), and the one-click "Re-sync" for them. Shared by
 * the sidebar and the SQL tabs, so it lives below the features.
 */
import { useEffect } from 'react';
import { create } from 'zustand';
import type { SyncPipelineStatus } from '../../shared/api/sync';
import { toErrorView, type ErrorView } from './errorView';
import { workbench } from './workbench';
import { useWorkspaceStore } from './workspaceStore';

export interface StalePipeline {
  pipelineId: string;
  stale: SyncPipelineStatus['stale'];
}

interface MetricCacheStore {
  stale: StalePipeline[];
  /** The re-sync job started from a notice, while it is the latest one. */
  resyncJobId: string | null;
  error: ErrorView | null;
}

export const useMetricCacheStore = create<MetricCacheStore>(() => ({ stale: [], resyncJobId: null, error: null }));

/** Jobs after which the cache may have changed, or gone stale. */
const CACHE_JOBS = new Set(['push.run', 'push.undo', 'sync.metrics']);

export async function loadStaleMetrics(): Promise<void> {
  try {
    const { pipelines } = await workbench().call('sync.status', {});
    useMetricCacheStore.setState({
      stale: pipelines.filter((p) => p.stale.length).map((p) => ({ pipelineId: p.pipelineId, stale: p.stale })),
    });
  } catch {
    // No server yet or no cache: nothing is known stale; the sync dialog says why when opened.
  }
}

export async function resyncStaleMetrics(pipelineId: string | null): Promise<void> {
  useMetricCacheStore.setState({ error: null });
  try {
    const { jobId } = await workbench().call('sync.resyncStale', { pipelineId });
    useMetricCacheStore.setState({ resyncJobId: jobId });
    if (!jobId) await loadStaleMetrics();
  } catch (err) {
    useMetricCacheStore.setState({ error: toErrorView(err) });
  }
}

/** The stale days, read again whenever a push, an undo or a sync finishes. */
export function useStaleMetrics(): StalePipeline[] {
  const finished = useWorkspaceStore(
    (s) => Object.values(s.jobs).filter((j) => CACHE_JOBS.has(j.kind) && j.finishedAt !== null).length,
  );
  useEffect(() => {
    void loadStaleMetrics();
  }, [finished]);
  return useMetricCacheStore((s) => s.stale);
}
