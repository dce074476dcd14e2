/**
 * A failure the way panels show it: an optional title saying what could not
 * be done, the message (kept as written: engine errors span lines), the hint,
 * and any buttons that act on it (e.g. "Run anyway").
 */
import type { ReactNode } from 'react';
import type { ErrorView } from '../../state/errorView';

export function ErrorPanel({
  error,
  title,
  testId,
  actions,
}: {
  error: ErrorView;
  title?: string;
  testId?: string;
  actions?: ReactNode;
}) {
  return (
    <div className="error-panel" role="alert" data-testid={testId}>
      {title ? <div className="error-title">{title}</div> : null}
      <pre className="error-message">{error.message}</pre>
      {error.hint ? <div className="error-hint">{error.hint}</div> : null}
      {actions ? <div className="error-actions">{actions}</div> : null}
    </div>
  );
}
