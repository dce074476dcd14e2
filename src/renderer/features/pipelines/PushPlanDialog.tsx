/**
 * "Review push…": what a push of the preview would do on the server (the new
 * version, rows to delete and insert per metric per day, TimescaleDB chunks,
 * compression and continuous aggregates), then write credentials typed for
 * this push only, and the push as a job with its result.
 */
import { useEffect, useState } from 'react';
import type { JobSnapshot } from '../../../shared/api/contract';
import type { PreviewSummary, PushOutcome, PushPlanView, WriteCredentials } from '../../../shared/api/push';
import { toErrorView, type ErrorView } from '../../state/errorView';
import { workbench } from '../../state/workbench';
import { useWorkspaceStore } from '../../state/workspaceStore';
import { cancelJob } from '../../state/workspaceActions';
import { Modal } from '../common/Modal';
import { lastDayOf } from './reprocessingStore';

const n = (v: number) => v.toLocaleString('en-US');

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

export function PushPlanDialog({
  previewId,
  onClose,
  onPushed,
}: {
  previewId: string;
  onClose: () => void;
  /** With the preview's summary after the push, which holds its outcome. */
  onPushed: (summary: PreviewSummary) => void;
}) {
  const [plan, setPlan] = useState<PushPlanView | null>(null);
  const [planError, setPlanError] = useState<ErrorView | null>(null);
  const [includeDefinition, setIncludeDefinition] = useState(true);
  const [comment, setComment] = useState('');
  const [credentials, setCredentials] = useState<WriteCredentials | null>(null);
  const [jobId, setJobId] = useState<string | null>(null);
  const [startError, setStartError] = useState<ErrorView | null>(null);
  const [outcome, setOutcome] = useState<PushOutcome | null>(null);
  const job = useWorkspaceStore((s) => (jobId ? (s.jobs[jobId] ?? null) : null));
  const running = job !== null && job.finishedAt === null;

  useEffect(() => {
    let live = true;
    setPlan(null);
    setPlanError(null);
    workbench()
      .call('push.plan', { previewId, includeDefinition })
      .then(
        (p) => live && setPlan(p),
        (err: unknown) => live && setPlanError(toErrorView(err)),
      );
    return () => {
      live = false;
    };
  }, [previewId, includeDefinition]);

  useEffect(() => {
    if (job?.state !== 'succeeded') return;
    void workbench()
      .call('preview.result', { previewId })
      .then((s) => {
        setOutcome(s.push);
        onPushed(s);
      });
  }, [job?.state, previewId, onPushed]);

  const push = async () => {
    if (!credentials) return;
    setStartError(null);
    try {
      const started = await workbench().call('push.run', {
        previewId,
        includeDefinition,
        comment: comment.trim() || null,
        credentials,
      });
      setJobId(started.jobId);
    } catch (err) {
      setStartError(toErrorView(err));
    }
  };

  const days = plan ? [...new Set(plan.days.map((d) => d.day))] : [];
  const metrics = plan ? [...new Set(plan.days.map((d) => d.metricName))] : [];
  const cell = (day: string, metric: string) => plan?.days.find((d) => d.day === day && d.metricName === metric);

  return (
    <Modal
      title="Review push"
      className="rp-dialog"
      testId="push-plan-dialog"
      closeTestId="push-plan-close"
      onClose={onClose}
      badges={
        plan ? (
          <span className={`rp-mode ${plan.mode}`} data-testid="push-mode">
            {plan.mode === 'timescaledb' ? 'TimescaleDB' : 'plain PostgreSQL'}
          </span>
        ) : null
      }
    >
      <div className="modal-body rp-dialog-body">
        {planError ? <ErrorLine error={planError} testId="push-plan-error" /> : null}
        {!plan && !planError ? <p className="dim">Asking the server what this push would do…</p> : null}
        {plan ? (
          <>
            <p className="rp-plan-head" data-testid="push-plan-summary">
              <strong>{plan.pipelineId}</strong>{' '}
              {plan.definitionChanged
                ? `version ${plan.serverVersion} → ${plan.newVersion} (the draft's definition)`
                : `stays at version ${plan.serverVersion} (metrics only)`}
              {' · '}
              {plan.range.start.slice(0, 10)} – {lastDayOf(plan.range.end)} UTC ·{' '}
              <span data-testid="push-plan-delete">{n(plan.rowsToDelete)}</span> rows replaced by{' '}
              <span data-testid="push-plan-insert">{n(plan.rowsToInsert)}</span> · on {plan.server.host}:
              {plan.server.port}/{plan.server.database}
            </p>
            <label className="rp-check">
              <input
                type="checkbox"
                checked={includeDefinition}
                onChange={(e) => setIncludeDefinition(e.target.checked)}
              />
              Also save the draft as the pipeline&apos;s new definition
            </label>
            {plan.warnings.map((w) => (
              <div key={w} className="rp-warning" data-testid="push-plan-warning">
                {w}
              </div>
            ))}
            <div className="rp-table-wrap rp-plan-table">
              <table className="rp-table">
                <thead>
                  <tr>
                    <th>Day (UTC)</th>
                    {metrics.map((m) => (
                      <th key={m} className="num">
                        {m}
                        <div className="dim">delete / insert</div>
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {days.map((day) => (
                    <tr key={day}>
                      <td>{day}</td>
                      {metrics.map((m) => {
                        const c = cell(day, m);
                        return (
                          <td key={m} className="num">
                            {c ? `${n(c.rowsToDelete)} / ${n(c.rowsToInsert)}` : '—'}
                          </td>
                        );
                      })}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {plan.mode === 'timescaledb' ? (
              <div className="rp-timescale">
                <div>
                  {plan.chunks.length} chunk{plan.chunks.length === 1 ? '' : 's'} touched,{' '}
                  {plan.chunks.filter((c) => c.compressed).length} compressed (about {n(plan.tuplesToDecompress)} tuples
                  to decompress
                  {plan.maxTuplesDecompressed !== null ? `; the server allows ${n(plan.maxTuplesDecompressed)}` : ''})
                </div>
                <div>
                  Continuous aggregates refreshed over the range after the push:{' '}
                  {plan.continuousAggregates.length ? plan.continuousAggregates.join(', ') : 'none'}
                </div>
              </div>
            ) : (
              <p className="dim">
                Plain PostgreSQL (no TimescaleDB): no chunks, compression or continuous aggregates to consider.
              </p>
            )}
            {outcome ? (
              <div className="rp-outcome" data-testid="push-result">
                {outcome.alreadyApplied
                  ? 'This push had already been applied; nothing was written again. '
                  : 'Pushed: '}
                {n(outcome.rowsReplaced)} rows replaced, {n(outcome.rowsInserted)} inserted; the pipeline is at version{' '}
                {outcome.pipelineVersion}. Checksum <code>{outcome.checksum.slice(0, 19)}…</code>
              </div>
            ) : (
              <>
                <CredentialFields embedded={plan.server.embedded} onChange={setCredentials} />
                <label className="rp-comment">
                  Comment
                  <input
                    value={comment}
                    placeholder="why this push (kept in the audit row)"
                    onChange={(e) => setComment(e.target.value)}
                  />
                </label>
              </>
            )}
            <JobLine
              job={job}
              working="Pushing…"
              testId="push-job"
              failure={{
                code: 'push',
                testId: 'push-error',
                message: 'The push failed.',
                hint: /changed since your preview|changed on the server/.test(job?.error ?? '')
                  ? 'Nothing was written. Run the preview again, then push.'
                  : 'Nothing was written; the server is as it was.',
              }}
            />
            {startError ? <ErrorLine error={startError} /> : null}
          </>
        ) : null}
      </div>
      <div className="form-actions rp-dialog-actions">
        <span className="dim">One transaction: the replaced rows are kept on the server for undo.</span>
        <span className="toolbar-spacer" />
        {running && job ? (
          <button type="button" className="plain-button danger" onClick={() => void cancelJob(job.jobId)}>
            Cancel
          </button>
        ) : null}
        <button type="button" className="plain-button" onClick={onClose}>
          {outcome ? 'Close' : 'Cancel'}
        </button>
        {!outcome ? (
          <button
            type="button"
            className="run-button"
            data-testid="push-run"
            disabled={!plan || !credentials || running}
            title={
              credentials ? 'Push in one transaction' : 'Type write credentials (or confirm the demo server) first'
            }
            onClick={() => void push()}
          >
            Push {plan ? n(plan.rowsToInsert) : ''} rows
          </button>
        ) : null}
      </div>
    </Modal>
  );
}
