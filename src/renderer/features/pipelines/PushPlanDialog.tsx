/**
 * "Review push…": what a push of the preview would do on the server (the new
 * version, rows to delete and insert per metric per day, TimescaleDB chunks,
 * compression and continuous aggregates), then write credentials typed for
 * this push only, and the push as a job with its result. State and server
 * calls live in pushPlanStore.ts and pushPlanActions.ts.
 */
import { useEffect } from 'react';
import { useWorkspaceStore } from '../../state/workspaceStore';
import { cancelJob } from '../../state/workspaceActions';
import { formatCount } from '../../workbench/format';
import { Modal } from '../common/Modal';
import { ErrorLine, JobLine } from './PushControls';
import { PushPlanCredentials } from './PushPlanCredentials';
import { PushPlanFigures } from './PushPlanFigures';
import { PushPlanOutcome } from './PushPlanOutcome';
import { PushPlanTimescale } from './PushPlanTimescale';
import { readPushOutcome, runPush } from './pushPlanActions';
import { closePushPlan, usePushPlan } from './pushPlanStore';

export function PushPlanDialog() {
  const plan = usePushPlan((s) => s.plan);
  const planError = usePushPlan((s) => s.planError);
  const credentials = usePushPlan((s) => s.credentials);
  const outcome = usePushPlan((s) => s.outcome);
  const error = usePushPlan((s) => s.error);
  const jobId = usePushPlan((s) => s.jobId);
  const job = useWorkspaceStore((s) => (jobId ? (s.jobs[jobId] ?? null) : null));
  const running = job !== null && job.finishedAt === null;

  // Also on a remount (a tab switch) after the push: readPushOutcome runs what follows it once.
  useEffect(() => {
    if (job?.state === 'succeeded') void readPushOutcome();
  }, [job?.state]);

  return (
    <Modal
      title="Review push"
      className="rp-dialog"
      testId="push-plan-dialog"
      closeTestId="push-plan-close"
      onClose={closePushPlan}
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
            <PushPlanFigures plan={plan} />
            <PushPlanTimescale plan={plan} />
            {plan.missingGrants.length ? (
              <div className="rp-warning" data-testid="push-plan-grants">
                The role <strong>{plan.checkedAs}</strong> lacks privileges a push needs; the server would refuse it:
                <pre className="rp-grants">{plan.missingGrants.join('\n')}</pre>
              </div>
            ) : null}
            {outcome ? <PushPlanOutcome outcome={outcome} /> : <PushPlanCredentials plan={plan} />}
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
            {error ? <ErrorLine error={error} /> : null}
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
        <button type="button" className="plain-button" onClick={closePushPlan}>
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
            onClick={() => void runPush()}
          >
            Push {plan ? formatCount(plan.rowsToDelete + plan.values.added) : ''} changed rows
          </button>
        ) : null}
      </div>
    </Modal>
  );
}
