/**
 * "The cached metrics of <pipeline> <days> differ from the server — Re-sync":
 * shown wherever cached metrics are shown, after a push or undo whose cached
 * days could not be re-synced. The values there are the old ones until then.
 */
import { resyncStaleMetrics, useMetricCacheStore, useStaleMetrics } from '../../state/metricCache';
import { useWorkspaceStore } from '../../state/workspaceStore';

function daysText(days: string[]): string {
  if (days.length === 1) return days[0]!;
  return `${days[0]} – ${days[days.length - 1]} (${days.length} days)`;
}

export function StaleMetricsNotice({ compact }: { compact?: boolean }) {
  const stale = useStaleMetrics();
  const jobId = useMetricCacheStore((s) => s.resyncJobId);
  const error = useMetricCacheStore((s) => s.error);
  const job = useWorkspaceStore((s) => (jobId ? (s.jobs[jobId] ?? null) : null));
  // Any sync running (the one a push started, or one from here) re-syncs them: one at a time.
  const running = useWorkspaceStore((s) =>
    Object.values(s.jobs).some((j) => j.kind === 'sync.metrics' && j.finishedAt === null),
  );
  if (stale.length === 0) return null;
  const failed = job?.state === 'failed' ? job.error : null;
  return (
    <div className="skipped-files stale-metrics" role="status" data-testid="stale-metrics">
      <span className="skipped-files-text">
        ⚠ Cached metrics differ from the server:{' '}
        {stale.map((p, i) => (
          <span key={p.pipelineId} title={p.stale.map((d) => `${d.day}: ${d.reason}`).join('\n')}>
            {i ? '; ' : ''}
            {p.pipelineId} {daysText(p.stale.map((d) => d.day))}
          </span>
        ))}
      </span>
      {!compact ? (
        <span className="skipped-files-hint">
          Why: {stale[0]!.stale[0]!.reason}, and re-syncing the cached days did not finish. Results over{' '}
          <code>metrics</code> show the old values on those days until they are re-synced.
        </span>
      ) : null}
      {failed ? <span className="skipped-files-hint form-error">{failed}</span> : null}
      {error ? <span className="skipped-files-hint form-error">{error.message}</span> : null}
      <span>
        <button
          type="button"
          className="plain-button"
          data-testid="resync-stale"
          disabled={running}
          onClick={() => void resyncStaleMetrics(null)}
        >
          {running ? 'Re-syncing…' : 'Re-sync'}
        </button>
      </span>
    </div>
  );
}
