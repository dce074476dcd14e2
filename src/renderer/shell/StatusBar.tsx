/** The bottom bar: which shell, whether the grid engine is up, and the jobs that are running. */
import type { JobSnapshot } from '../../shared/api/contract';
import { useEngineStore } from '../engine/engineStore';
import { OfflineBadge } from '../features/common/OfflineBadge';
import { workbench } from '../state/workbench';
import { cancelJob } from '../state/workspaceActions';
import { STARTUP_JOB_KINDS, timeLeftText, useWorkspaceStore } from '../state/workspaceStore';

function JobItem({ job }: { job: JobSnapshot }) {
  const { done, total, unit } = job.progress;
  const percent = total ? Math.min(100, Math.round((done / total) * 100)) : null;
  return (
    <span className="job" data-testid="job" data-job-id={job.jobId} data-state={job.state} title={job.message}>
      <span className="job-title">{job.title}</span>
      <span className="job-bar" aria-hidden>
        <span
          className={`job-bar-fill${percent === null ? ' indeterminate' : ''}`}
          style={{ width: percent === null ? undefined : `${percent}%` }}
        />
      </span>
      <span className="job-progress">{percent === null ? `${done} ${unit}` : `${percent}%`}</span>
      <button
        type="button"
        className="job-cancel"
        title={`Cancel ${job.title}`}
        aria-label={`Cancel ${job.title}`}
        data-testid="job-cancel"
        onClick={() => void cancelJob(job.jobId)}
      >
        ×
      </button>
    </span>
  );
}

/** The workspace's start-up as one bar: how far, how long still, and what runs now. */
function StartupItem() {
  const startup = useWorkspaceStore((s) => s.status?.startup ?? null);
  if (!startup) return null;
  const left = timeLeftText(startup);
  return (
    <span
      className="job startup"
      data-testid="startup-progress"
      data-percent={startup.percent}
      role="progressbar"
      aria-label="Starting the workspace"
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={startup.percent}
      title={startup.step}
    >
      <span className="job-title">Starting the workspace</span>
      <span className="job-bar" aria-hidden>
        <span className="job-bar-fill" style={{ width: `${startup.percent}%` }} />
      </span>
      <span className="job-progress">
        {startup.percent} %{left ? ` · ${left}` : ''}
      </span>
      <span className="startup-step dim" data-testid="startup-step">
        {startup.step}
      </span>
    </span>
  );
}

export function StatusBar() {
  const appInfo = useWorkspaceStore((s) => s.appInfo);
  const jobs = useWorkspaceStore((s) => s.jobs);
  const starting = useWorkspaceStore((s) => (s.status?.startup ?? null) !== null);
  const engine = useEngineStore();
  // While the start-up progress shows, its own jobs are part of it, not bars of their own.
  const active = Object.values(jobs).filter(
    (j) => (j.state === 'queued' || j.state === 'running') && !(starting && STARTUP_JOB_KINDS.has(j.kind)),
  );
  const shell = appInfo?.shell ?? (workbench().transport === 'ipc' ? 'electron' : 'web');

  return (
    <footer className="app-status-bar">
      <span className="status-item" data-testid="shell" title={appInfo?.platform}>
        {shell === 'electron' ? 'Desktop' : 'Browser shell'}
      </span>
      <span
        className="status-item"
        data-testid="engine-status"
        data-state={engine.state}
        title={engine.error ?? (engine.version ? `DuckDB-WASM ${engine.version}` : 'Starting DuckDB-WASM')}
      >
        <span
          className={`state-dot ${engine.state === 'ready' ? 'ready' : engine.state === 'failed' ? 'failed' : 'running'}`}
        />
        {engine.state === 'ready' ? 'Engine ready' : engine.state === 'failed' ? 'Engine failed' : 'Engine starting…'}
      </span>
      <OfflineBadge />
      <span className="status-jobs" data-testid="jobs">
        <StartupItem />
        {active.length === 0 ? (
          starting ? null : (
            <span className="dim">No running jobs</span>
          )
        ) : (
          active.map((j) => <JobItem key={j.jobId} job={j} />)
        )}
      </span>
      <span className="status-spacer" />
      {appInfo ? (
        <span className="status-item dim">
          v{appInfo.appVersion} · DuckDB {appInfo.duckdbVersion}
        </span>
      ) : null}
    </footer>
  );
}
