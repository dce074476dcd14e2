/** A failure inside a dialog (a form's action, a list it could not read): the message, and what to do under it. */
import type { ErrorView } from '../../state/errorView';

export function DialogError({ error, testId }: { error: ErrorView; testId: string }) {
  return (
    <div className="test-result failed" data-testid={testId}>
      <div>{error.message}</div>
      {error.hint ? <div className="dim">{error.hint}</div> : null}
    </div>
  );
}
