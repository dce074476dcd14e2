/**
 * "Review push…": what a push of the preview would do on the server (the new
 * version, rows to delete and insert per metric per day, TimescaleDB chunks,
 * compression and continuous aggregates), then write credentials typed for
 * this push only, and the push as a job with its result.
 */
import { useCallback, useEffect, useState } from 'react';
import type { DiffCounts, PreviewSummary, PushOutcome, PushPlanView, WriteCredentials } from '../../../shared/api/push';
import { formatUtcInstant } from '../../../shared/format';
import { toErrorView, type ErrorView } from '../../state/errorView';
import { workbench } from '../../state/workbench';
import { useWorkspaceStore } from '../../state/workspaceStore';
import { cancelJob } from '../../state/workspaceActions';
import { Modal } from '../common/Modal';
import { AggregateRefreshNote } from './AggregateRefreshNote';
import { CredentialFields, ErrorLine, JobLine } from './PushControls';
import { lastDayOf } from './reprocessingStore';

const n = (v: number) => v.toLocaleString('en-US');

/**
 * What a push does to the values, in words: a push rewrites every row of the
 * range, so "rows replaced" alone reads as if everything changed.
 */
export function ValueCounts({ values, testId }: { values: DiffCounts; testId?: string }) {
  return (
    <span className="rp-values" data-testid={testId}>
      <span className="rp-changed" data-testid="values-changed">
        {n(values.changed)} changed
      </span>
      , <span className="rp-added">{n(values.added)} added</span>,{' '}
      <span className="rp-removed">{n(values.removed)} removed</span>,{' '}
      <span className="dim" data-testid="values-unchanged">
        {n(values.unchanged)} unchanged
      </span>
    </span>
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
  /** Credentials the plan was last checked with (null: as the exploration role). */
  const [checkedWith, setCheckedWith] = useState<WriteCredentials | null>(null);
  const [checking, setChecking] = useState(false);
  const job = useWorkspaceStore((s) => (jobId ? (s.jobs[jobId] ?? null) : null));
  const embedded = useWorkspaceStore((s) => s.status?.postgres?.embedded ?? false);
  const running = job !== null && job.finishedAt === null;

  useEffect(() => {
    let live = true;
    // The figures shown stay until the new ones arrive: the credential fields below them keep what was typed.
    setPlanError(null);
    setChecking(true);
    workbench()
      .call('push.plan', { previewId, includeDefinition, ...(checkedWith ? { credentials: checkedWith } : {}) })
      .then(
        (p) => live && setPlan(p),
        (err: unknown) => live && setPlanError(toErrorView(err)),
      )
      .finally(() => live && setChecking(false));
    return () => {
      live = false;
    };
  }, [previewId, includeDefinition, checkedWith]);

  const reloadOutcome = useCallback(() => {
    void workbench()
      .call('preview.result', { previewId })
      .then((s) => {
        setOutcome(s.push);
        onPushed(s);
      });
  }, [previewId, onPushed]);

  useEffect(() => {
    if (job?.state === 'succeeded') reloadOutcome();
  }, [job?.state, reloadOutcome]);

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
              {plan.range.start.slice(0, 10)} – {lastDayOf(plan.range.end)} UTC · on {plan.server.host}:
              {plan.server.port}/{plan.server.database}
            </p>
            <p className="rp-plan-values" data-testid="push-plan-values">
              Values: <ValueCounts values={plan.values} />. The push writes only what changed: it deletes or overwrites{' '}
              <span data-testid="push-plan-delete">{n(plan.rowsToDelete)}</span> rows on the server and writes{' '}
              <span data-testid="push-plan-insert">{n(plan.rowsToInsert)}</span> (the overwritten ones are kept for
              undo); unchanged rows are not touched.
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
                        <div className="dim">values changed of rows</div>
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
                          <td
                            key={m}
                            className="num"
                            title={
                              c
                                ? `${n(c.rowsToDelete)} rows deleted or overwritten, ${n(c.rowsToInsert)} written; ${n(c.values.unchanged)} values unchanged, not touched`
                                : undefined
                            }
                          >
                            {c ? (
                              <>
                                <span className={c.values.changed ? 'rp-changed' : 'dim'}>{n(c.values.changed)}</span>
                                {c.values.added ? <span className="rp-added"> +{n(c.values.added)}</span> : null}
                                {c.values.removed ? <span className="rp-removed"> −{n(c.values.removed)}</span> : null}
                                <span className="dim">
                                  {' '}
                                  of {n(c.values.added + c.values.removed + c.values.changed + c.values.unchanged)}
                                </span>
                              </>
                            ) : (
                              '—'
                            )}
                          </td>
                        );
                      })}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <TimescalePlan plan={plan} />
            {plan.missingGrants.length ? (
              <div className="rp-warning" data-testid="push-plan-grants">
                The role <strong>{plan.checkedAs}</strong> lacks privileges a push needs; the server would refuse it:
                <pre className="rp-grants">{plan.missingGrants.join('\n')}</pre>
              </div>
            ) : null}
            {outcome ? (
              <div className="rp-outcome" data-testid="push-result">
                {outcome.alreadyApplied
                  ? 'This push had already been applied; nothing was written again. '
                  : 'Pushed: '}
                {outcome.values ? (
                  <>
                    values <ValueCounts values={outcome.values} testId="push-result-values" /> (
                  </>
                ) : (
                  '('
                )}
                {n(outcome.rowsReplaced)} rows replaced by {n(outcome.rowsInserted)}); the pipeline is at version{' '}
                {outcome.pipelineVersion}. Checksum <code>{outcome.checksum.slice(0, 19)}…</code>
                <AggregateRefreshNote
                  pushId={outcome.pushId}
                  aggregates={outcome.aggregates}
                  credentials={credentials}
                  embedded={embedded}
                  onRefreshed={reloadOutcome}
                />
              </div>
            ) : (
              <>
                <CredentialFields embedded={plan.server.embedded} onChange={setCredentials} />
                <div className="rp-checked-as" data-testid="push-plan-checked-as">
                  <span className="dim">
                    Checked as <strong>{plan.checkedAs}</strong>
                    {checkedWith ? ' (the write user)' : ' (the exploration user)'}: its privileges, decompression limit
                    and refresh rights are the ones shown.
                  </span>
                  <button
                    type="button"
                    className="plain-button"
                    data-testid="push-plan-check"
                    disabled={!credentials || checking}
                    title="Ask the server what this user may do, before pushing"
                    onClick={() => setCheckedWith(credentials)}
                  >
                    {checking ? 'Checking…' : 'Check as the write user'}
                  </button>
                </div>
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
            Push {plan ? n(plan.rowsToDelete + plan.values.added) : ''} changed rows
          </button>
        ) : null}
      </div>
    </Modal>
  );
}

/** TimescaleDB's side of the plan: chunks and compression, rows to decompress, continuous aggregates to refresh. */
function TimescalePlan({ plan }: { plan: PushPlanView }) {
  if (plan.mode !== 'timescaledb') {
    return (
      <p className="dim">
        Plain PostgreSQL (no TimescaleDB): no chunks, compression or continuous aggregates to consider.
      </p>
    );
  }
  const count = (kind: 'compressed' | 'partial' | 'none') => plan.chunks.filter((c) => c.compression === kind).length;
  const kinds = [
    count('compressed') ? `${count('compressed')} compressed` : null,
    count('partial') ? `${count('partial')} partly compressed` : null,
    count('none') ? `${count('none')} uncompressed` : null,
  ].filter(Boolean);
  return (
    <div className="rp-timescale" data-testid="push-plan-timescale">
      <div data-testid="push-plan-chunks">
        {plan.chunks.length} chunk{plan.chunks.length === 1 ? '' : 's'} touched
        {kinds.length ? ` (${kinds.join(', ')})` : ''}
        {count('compressed') + count('partial') ? (
          <>
            {' '}
            · about <span data-testid="push-plan-decompress">{n(plan.tuplesToDecompress)}</span> rows of this
            pipeline&apos;s compressed batches to decompress
            {plan.maxTuplesDecompressed !== null
              ? `; the server allows ${n(plan.maxTuplesDecompressed)} per transaction`
              : '; the server sets no limit'}
          </>
        ) : null}
      </div>
      {plan.continuousAggregates.length === 0 ? (
        <div className="dim">No continuous aggregates over the metrics: nothing to refresh after the push.</div>
      ) : (
        <table className="rp-table rp-aggregates" data-testid="push-plan-aggregates">
          <thead>
            <tr>
              <th>Continuous aggregate</th>
              <th>Bucket</th>
              <th>Refreshed over</th>
              <th>After the push</th>
            </tr>
          </thead>
          <tbody>
            {plan.continuousAggregates.map((a) => (
              <tr key={a.name} data-testid="push-plan-aggregate" data-can-refresh={a.canRefresh}>
                <td>
                  <code>{a.name}</code>
                </td>
                <td>{a.bucket ?? '—'}</td>
                <td>{a.window ? `${formatUtcInstant(a.window.start)} – ${formatUtcInstant(a.window.end)}` : '—'}</td>
                <td>{a.canRefresh ? 'refreshed' : <span className="form-error">not refreshed: {a.reason}</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
