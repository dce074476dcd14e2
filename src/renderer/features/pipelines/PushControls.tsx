/**
 * The pieces the push, undo and refresh dialogs share: an error line, a job's
 * line (progress while it runs, why it failed after) and write credentials
 * asked for one action and never kept.
 */
import { useEffect, useState } from 'react';
import type { JobSnapshot } from '../../../shared/api/contract';
import type { WriteCredentials } from '../../../shared/api/push';
import type { ErrorView } from '../../state/errorView';

export function ErrorLine({ error, testId }: { error: ErrorView; testId?: string }) {
  return (
    <div className="rp-error" role="alert" data-testid={testId}>
      {error.message}
      {error.hint ? <div className="rp-error-hint">{error.hint}</div> : null}
    </div>
  );
}

/**
 * A job's line in a panel or dialog: its progress while it runs, why it failed
 * after. `measured` shows the job's own done/total (a preview counts its steps;
 * a push or an undo only says it is working).
 */
export function JobLine({
  job,
  working,
  testId,
  measured,
  failure,
}: {
  job: JobSnapshot | null;
  working: string;
  testId?: string;
  measured?: boolean;
  failure: { code: string; message: string; hint: string; testId?: string };
}) {
  if (job?.state === 'failed') {
    return (
      <ErrorLine
        testId={failure.testId}
        error={{ code: failure.code, message: job.error ?? failure.message, hint: failure.hint }}
      />
    );
  }
  if (!job || job.finishedAt !== null) return null;
  return (
    <div className="rp-job" data-testid={testId}>
      {measured ? (
        <progress max={job.progress.total ?? undefined} value={job.progress.total ? job.progress.done : undefined} />
      ) : (
        <progress />
      )}
      <span>{job.message || working}</span>
    </div>
  );
}

/**
 * Write credentials for one push, never kept: a user and password, or for
 * the demo's embedded server an explicit confirmation to use its own.
 */
export function CredentialFields({
  embedded,
  onChange,
}: {
  embedded: boolean;
  onChange: (credentials: WriteCredentials | null) => void;
}) {
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  const [useEmbedded, setUseEmbedded] = useState(false);
  useEffect(() => {
    if (embedded && useEmbedded) onChange({ kind: 'embedded', confirmed: true });
    else onChange(user.trim() ? { kind: 'password', user: user.trim(), password } : null);
  }, [embedded, useEmbedded, user, password, onChange]);
  return (
    <fieldset className="rp-credentials">
      <legend>Write credentials (asked for every push, never stored)</legend>
      {embedded ? (
        <label className="rp-check">
          <input
            type="checkbox"
            data-testid="rp-embedded-confirm"
            checked={useEmbedded}
            onChange={(e) => setUseEmbedded(e.target.checked)}
          />
          Use the demo server&apos;s own credentials: I mean to write to this embedded PostgreSQL
        </label>
      ) : null}
      {!(embedded && useEmbedded) ? (
        <div className="rp-cred-row">
          <label>
            User
            <input
              value={user}
              autoComplete="off"
              data-testid="rp-write-user"
              onChange={(e) => setUser(e.target.value)}
            />
          </label>
          <label>
            Password
            <input
              type="password"
              value={password}
              autoComplete="off"
              data-testid="rp-write-password"
              onChange={(e) => setPassword(e.target.value)}
            />
          </label>
        </div>
      ) : null}
    </fieldset>
  );
}
