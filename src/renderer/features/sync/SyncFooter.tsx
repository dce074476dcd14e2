/**
 * The sync dialog's footer: the estimate of what the picks would fetch (or why
 * they cannot be synced), the sync job's progress and result, and the buttons.
 */
import { formatBytes } from '../../../shared/format';
import { formatCompactCount } from '../../workbench/format';
import { isRunning, selectionProblem, syncSelection, useSyncDialog, useSyncJob } from './syncDialog';
import { cancelSync, closeSyncDialog, startSync } from './syncActions';
import { DialogError } from '../common/DialogError';

export function SyncFooter() {
  const job = useSyncJob();
  const running = isRunning(job);
  const startError = useSyncDialog((s) => s.startError);
  const canStart = useSyncDialog((s) => syncSelection(s) !== null);
  return (
    <footer className="sync-footer">
      <SyncEstimateLine />
      <SyncJobLine />
      {startError ? <DialogError error={startError} testId="sync-start-error" /> : null}
      <div className="form-actions">
        <span className="dim">Synced days are queryable offline as metrics and metrics_&lt;pipeline&gt;.</span>
        <span className="toolbar-spacer" />
        {running ? (
          <button type="button" className="plain-button danger" onClick={() => void cancelSync()}>
            Cancel sync
          </button>
        ) : null}
        <button type="button" className="plain-button" onClick={closeSyncDialog}>
          {running ? 'Hide' : 'Close'}
        </button>
        <button
          type="button"
          className="run-button"
          data-testid="start-sync"
          disabled={!canStart || running}
          title="Sync (Ctrl+Enter)"
          onClick={() => void startSync()}
        >
          {running ? 'Syncing…' : 'Sync'}
        </button>
      </div>
    </footer>
  );
}

function SyncEstimateLine() {
  const problem = useSyncDialog(selectionProblem);
  const estimate = useSyncDialog((s) => s.estimate);
  const estimateError = useSyncDialog((s) => s.estimateError);
  const canEstimate = useSyncDialog((s) => syncSelection(s) !== null);
  return (
    <div className="sync-estimate" data-testid="sync-estimate">
      {problem ? (
        <span className="form-error">{problem}</span>
      ) : estimateError ? (
        <span className="form-error">Could not estimate: {estimateError.message}</span>
      ) : estimate ? (
        <span title={estimate.note} data-rows={estimate.rows} data-method={estimate.method}>
          About <strong>{formatCompactCount(estimate.rows)} rows</strong> · {formatBytes(estimate.bytes)} to transfer ·{' '}
          <span className="dim">
            {estimate.method === 'planner' ? 'planner estimate' : 'TimescaleDB batch counts and chunk statistics'}
          </span>
          {estimate.rows === 0 ? <span className="dim"> · the server may have nothing in this range</span> : null}
          <div className="dim sync-estimate-note" data-testid="sync-estimate-note">
            {estimate.note}
          </div>
        </span>
      ) : canEstimate ? (
        <span className="dim">Estimating…</span>
      ) : null}
    </div>
  );
}

/** The sync's progress while it runs; what it fetched, or why it stopped, after. */
function SyncJobLine() {
  const job = useSyncJob();
  if (!job) return null;
  const percent = job.progress.total ? Math.min(100, Math.round((job.progress.done / job.progress.total) * 100)) : null;
  return (
    <div className={`sync-job ${job.state}`} data-testid="sync-job" data-state={job.state}>
      {isRunning(job) ? (
        <>
          <progress max={100} value={percent ?? undefined} />
          <span className="sync-job-message">{job.message || 'Starting…'}</span>
        </>
      ) : job.state === 'succeeded' ? (
        <span className="form-notice" data-testid="sync-result">
          {job.message}
        </span>
      ) : job.state === 'cancelled' ? (
        <span className="dim">Cancelled. Days already fetched stay cached; syncing again resumes.</span>
      ) : (
        <span className="form-error" data-testid="sync-error">
          {job.error}
        </span>
      )}
    </div>
  );
}
