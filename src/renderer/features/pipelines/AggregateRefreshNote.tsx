/**
 * After a push (or an undo) committed, TimescaleDB's continuous aggregates over
 * the metrics are refreshed over the range. One that could not be refreshed is
 * a warning — the push stands — with "Refresh again", which asks for the write
 * credentials when none are at hand (they are never kept).
 */
import { useEffect, useRef, useState } from 'react';
import type { AggregateRefresh, WriteCredentials } from '../../../shared/api/push';
import { formatUtcInstant } from '../../../shared/format';
import { toErrorView, type ErrorView } from '../../state/errorView';
import { useWorkspaceStore } from '../../state/workspaceStore';
import { CredentialsPrompt, ErrorLine, JobLine } from './PushControls';
import { refreshAggregates } from './reprocessingActions';

/** Starts the refresh and follows its job (each note its own); `onDone` once it finished, however it ended. */
function useRefreshJob(pushId: string, onDone: () => void) {
  const [jobId, setJobId] = useState<string | null>(null);
  const [error, setError] = useState<ErrorView | null>(null);
  const job = useWorkspaceStore((s) => (jobId ? (s.jobs[jobId] ?? null) : null));
  // Once per finished job, whatever the caller passes on later renders.
  const done = useRef(onDone);
  done.current = onDone;
  useEffect(() => {
    if (job?.finishedAt) done.current();
  }, [job?.finishedAt]);
  const start = (credentials: WriteCredentials) => {
    setError(null);
    refreshAggregates(pushId, credentials).then(setJobId, (err: unknown) => setError(toErrorView(err)));
  };
  return { job, error, start, running: job !== null && job.finishedAt === null };
}

export function AggregateRefreshNote({
  pushId,
  aggregates,
  credentials,
  embedded,
  onRefreshed,
}: {
  pushId: string;
  aggregates: AggregateRefresh[];
  /** The credentials of the push just made, when still at hand; else they are asked for. */
  credentials: WriteCredentials | null;
  embedded: boolean;
  /** Reload what shows `aggregates`. */
  onRefreshed: () => void;
}) {
  const failed = aggregates.filter((a) => !a.refreshed);
  const [asking, setAsking] = useState(false);
  const refresh = useRefreshJob(pushId, onRefreshed);
  if (aggregates.length === 0) return null;
  if (failed.length === 0) {
    return (
      <div className="dim rp-aggregates-ok" data-testid="aggregates-refreshed">
        Continuous aggregates refreshed:{' '}
        {aggregates
          .map(
            (a) =>
              `${a.name}${a.window ? ` (${formatUtcInstant(a.window.start)} – ${formatUtcInstant(a.window.end)})` : ''}`,
          )
          .join(', ')}
      </div>
    );
  }
  return (
    <div className="rp-warning" role="status" data-testid="aggregates-warning">
      The push is saved, but{' '}
      {failed.length === 1 ? 'one continuous aggregate was' : `${failed.length} continuous aggregates were`} not
      refreshed, and show the old values until refreshed:
      <ul>
        {failed.map((a) => (
          <li key={a.name}>
            <code>{a.name}</code>
            {a.window ? ` over ${formatUtcInstant(a.window.start)} – ${formatUtcInstant(a.window.end)}` : ''}: {a.error}
          </li>
        ))}
      </ul>
      <button
        type="button"
        className="plain-button"
        data-testid="aggregates-refresh-again"
        disabled={refresh.running}
        onClick={() => (credentials ? refresh.start(credentials) : setAsking(true))}
      >
        {refresh.running ? 'Refreshing…' : credentials ? 'Refresh again' : 'Refresh again…'}
      </button>
      <JobLine
        job={refresh.job}
        working="Refreshing…"
        failure={{ message: 'The refresh failed.', hint: 'The push itself stands.' }}
      />
      {refresh.error ? <ErrorLine error={refresh.error} /> : null}
      {asking ? (
        <CredentialsPrompt
          title="Refresh continuous aggregates"
          testId="refresh-dialog"
          closeTestId="refresh-close"
          confirmTestId="refresh-confirm"
          confirmLabel="Refresh"
          busy={refresh.running}
          embedded={embedded}
          onClose={() => setAsking(false)}
          onConfirm={(typed) => {
            setAsking(false);
            refresh.start(typed);
          }}
        >
          <p>
            Refreshing a continuous aggregate needs its owner&apos;s rights: type the credentials of a user who has
            them.
          </p>
        </CredentialsPrompt>
      ) : null}
    </div>
  );
}
