/** "Undo push": what an undo of a push brings back, the write credentials for it, and its job. */
import { useEffect } from 'react';
import { formatInstant } from '../../../shared/timeZone';
import { lastDayOf } from '../../../shared/utcDays';
import { useWorkspaceStore, useWorkspaceTimeZone } from '../../state/workspaceStore';
import { CredentialsPrompt, ErrorLine, JobLine } from './PushControls';
import { afterUndo, undoPush } from './reprocessingActions';
import { formatCount as n } from '../../workbench/format';
import { closeUndo, type UndoState } from './reprocessingStore';

export function ReprocessingUndoDialog({
  tabId,
  pipelineId,
  undo,
}: {
  tabId: string;
  pipelineId: string;
  undo: UndoState;
}) {
  const timeZone = useWorkspaceTimeZone();
  const embedded = useWorkspaceStore((s) => s.status?.postgres?.embedded ?? false);
  const job = useWorkspaceStore((s) => (undo.jobId ? (s.jobs[undo.jobId] ?? null) : null));
  useEffect(() => {
    if (job?.state === 'succeeded') void afterUndo(tabId, pipelineId);
  }, [job?.state, tabId, pipelineId]);
  const { push } = undo;
  return (
    <CredentialsPrompt
      title="Undo push"
      testId="undo-dialog"
      closeTestId="undo-close"
      confirmTestId="undo-confirm"
      confirmLabel="Undo push"
      danger
      busy={job !== null && job.finishedAt === null}
      embedded={embedded}
      onClose={() => closeUndo(tabId)}
      onConfirm={(credentials) => void undoPush(tabId, credentials)}
      after={
        <>
          <JobLine
            job={job}
            working="Undoing…"
            failure={{ message: 'The undo failed.', hint: 'Nothing was written.' }}
          />
          {undo.error ? <ErrorLine error={undo.error} /> : null}
        </>
      }
    >
      <p>
        Undo push <code>{push.pushId.slice(0, 8)}</code> of {formatInstant(Date.parse(push.pushedAt), timeZone)} by{' '}
        {push.pushedBy}? The {n(push.rowsReplaced)} rows it replaced in {push.rangeStart.slice(0, 10)} –{' '}
        {lastDayOf(push.rangeEnd)} come back
        {push.values
          ? ` (it changed ${n(push.values.changed)} values, added ${n(push.values.added)} and removed ${n(push.values.removed)}; those go back)`
          : ''}
        {push.pipelineVersion !== push.baseVersion
          ? `, and the definition of version ${push.baseVersion} is restored as a new version`
          : ''}
        . The undo is itself an audited push.
      </p>
    </CredentialsPrompt>
  );
}
