/** What the form's last action said: a test's result, a failure, or a notice. */
import { formatDuration } from '../../workbench/format';
import { DialogError } from '../common/DialogError';
import { useConnectionsDialog } from './connectionsDialog';

export function ActionFeedback() {
  const testResult = useConnectionsDialog((s) => s.testResult);
  const actionError = useConnectionsDialog((s) => s.actionError);
  const notice = useConnectionsDialog((s) => s.notice);
  return (
    <>
      {testResult ? (
        <div
          className={`test-result ${testResult.ok ? 'ok' : 'failed'}`}
          data-testid="test-result"
          data-ok={String(testResult.ok)}
        >
          <strong>{testResult.ok ? 'Connected' : 'Failed'}</strong> · {formatDuration(testResult.elapsedMs)}
          <div>{testResult.message}</div>
          {testResult.hint ? <div className="dim">{testResult.hint}</div> : null}
        </div>
      ) : null}
      {actionError ? <DialogError error={actionError} testId="action-error" /> : null}
      {notice ? (
        <div className="form-notice" data-testid="connection-notice">
          {notice}
        </div>
      ) : null}
    </>
  );
}
