/**
 * The pieces the push, undo and refresh dialogs share: an error line, a job's
 * line (progress while it runs, why it failed after), what a push does to the
 * values, write credentials asked for one action and never kept, and a dialog
 * asking for them.
 */
import { useEffect, useState, type ReactNode } from 'react';
import type { JobSnapshot } from '../../../shared/api/contract';
import type { DiffCounts, WriteCredentials } from '../../../shared/api/push';
import type { ErrorView } from '../../state/errorView';
import { Modal } from '../common/Modal';
import { formatCount } from '../../workbench/format';

export function ErrorLine({ error, testId }: { error: Omit<ErrorView, 'code'>; testId?: string }) {
  return (
    <div className="rp-error" role="alert" data-testid={testId}>
      {error.message}
      {error.hint ? <div className="rp-error-hint">{error.hint}</div> : null}
    </div>
  );
}

/**
 * What a push does to the values, in words: a push rewrites every row of the
 * range, so "rows replaced" alone reads as if everything changed.
 */
export function ValueCounts({ values, testId }: { values: DiffCounts; testId?: string }) {
  return (
    <span className="rp-values" data-testid={testId}>
      <span className="rp-changed" data-testid="values-changed">
        {formatCount(values.changed)} changed
      </span>
      , <span className="rp-added">{formatCount(values.added)} added</span>,{' '}
      <span className="rp-removed">{formatCount(values.removed)} removed</span>,{' '}
      <span className="dim" data-testid="values-unchanged">
        {formatCount(values.unchanged)} unchanged
      </span>
    </span>
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
  failure: { message: string; hint: string; testId?: string };
}) {
  if (job?.state === 'failed') {
    return <ErrorLine testId={failure.testId} error={{ message: job.error ?? failure.message, hint: failure.hint }} />;
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

/**
 * A dialog that asks for write credentials for one action (undo a push, refresh
 * aggregates again): what it does above the fields, its job's progress below.
 */
export function CredentialsPrompt({
  title,
  testId,
  closeTestId,
  confirmTestId,
  confirmLabel,
  danger,
  busy,
  embedded,
  after,
  onClose,
  onConfirm,
  children,
}: {
  title: string;
  testId: string;
  closeTestId: string;
  confirmTestId: string;
  confirmLabel: string;
  danger?: boolean;
  /** While the action runs: the confirm button waits. */
  busy: boolean;
  embedded: boolean;
  /** Below the fields: the job's line, errors. */
  after?: ReactNode;
  onClose: () => void;
  onConfirm: (credentials: WriteCredentials) => void;
  children: ReactNode;
}) {
  const [credentials, setCredentials] = useState<WriteCredentials | null>(null);
  return (
    <Modal title={title} className="rp-undo-dialog" testId={testId} closeTestId={closeTestId} onClose={onClose}>
      <div className="modal-body">
        {children}
        <CredentialFields embedded={embedded} onChange={setCredentials} />
        {after}
      </div>
      <div className="form-actions rp-dialog-actions">
        <span className="toolbar-spacer" />
        <button type="button" className="plain-button" onClick={onClose}>
          Cancel
        </button>
        <button
          type="button"
          className={`run-button${danger ? ' rp-danger' : ''}`}
          data-testid={confirmTestId}
          disabled={!credentials || busy}
          onClick={() => credentials && onConfirm(credentials)}
        >
          {confirmLabel}
        </button>
      </div>
    </Modal>
  );
}
