/**
 * Where an export job is, beside its Export button: progress with cancel, then
 * the file's path and, in the browser shell (whose user cannot open that
 * path), a download link; or why it stopped.
 */
import type { ResultExportStarted } from '../../../shared/api/export';
import { cancelJob } from '../../state/workspaceActions';
import { useWorkspaceStore } from '../../state/workspaceStore';

/** `testId` prefixes the status's test ids (`<testId>-status`, `-download`, `-cancel`). */
export function ExportStatus({ started, testId }: { started: ResultExportStarted | null; testId?: string }) {
  const job = useWorkspaceStore((s) => (started ? s.jobs[started.jobId] : undefined));
  const shell = useWorkspaceStore((s) => s.appInfo?.shell);
  if (!started || !job) return null;
  const running = job.state === 'running' || job.state === 'queued';
  const { done, total } = job.progress;
  const id = (part: string) => (testId ? `${testId}-${part}` : undefined);
  return (
    <span className="grid-export-status" data-testid={id('status')} data-state={job.state} title={started.path}>
      {running ? (
        <>
          Exporting {started.fileName}
          {total ? ` ${Math.round((done / total) * 100)}%` : '…'}
          <button
            type="button"
            className="link-button"
            data-testid={id('cancel')}
            onClick={() => void cancelJob(job.jobId)}
          >
            Cancel
          </button>
        </>
      ) : job.state === 'succeeded' ? (
        <>
          {shell === 'web' ? (
            <a
              className="link-button"
              data-testid={id('download')}
              href={`/exports/${encodeURIComponent(started.fileName)}`}
              download={started.fileName}
            >
              Download
            </a>
          ) : null}{' '}
          <span className="ok">✓</span> {job.message || started.path}
        </>
      ) : job.state === 'cancelled' ? (
        <span className="dim">Export cancelled; no file was left behind.</span>
      ) : (
        <span className="error">{job.error ?? 'The export failed'}</span>
      )}
    </span>
  );
}
