/**
 * A failure the way panels show it: an optional title saying what could not
 * be done, the message (kept as written: engine errors span lines) and the hint.
 */
import type { ErrorView } from '../../state/errorView';

export function ErrorPanel({ error, title, testId }: { error: ErrorView; title?: string; testId?: string }) {
  return (
    <div className="error-panel" role="alert" data-testid={testId}>
      {title ? <div className="error-title">{title}</div> : null}
      <pre className="error-message">{error.message}</pre>
      {error.hint ? <div className="error-hint">{error.hint}</div> : null}
    </div>
  );
}
