/** A collapsible sidebar section with a title, an optional refresh and a body. */
import { useState, type ReactNode } from 'react';
import type { ErrorView } from '../state/errorView';

export function SidebarSection(props: {
  title: string;
  testId: string;
  state?: string;
  count?: number | null;
  onRefresh?: () => void;
  loading?: boolean;
  /** Buttons shown in the header, before the refresh. */
  actions?: ReactNode;
  children: ReactNode;
}) {
  const [open, setOpen] = useState(true);
  return (
    <section className="sidebar-section" data-testid={props.testId} data-state={props.state}>
      <header className="sidebar-section-header">
        <button type="button" className="section-toggle" onClick={() => setOpen(!open)} aria-expanded={open}>
          <span className={`caret${open ? ' open' : ''}`} aria-hidden>
            ▸
          </span>
          {props.title}
          {props.count != null ? <span className="section-count">{props.count}</span> : null}
        </button>
        {props.actions}
        {props.onRefresh ? (
          <button
            type="button"
            className={`icon-button${props.loading ? ' spinning' : ''}`}
            title={`Refresh ${props.title.toLowerCase()}`}
            aria-label={`Refresh ${props.title.toLowerCase()}`}
            onClick={props.onRefresh}
          >
            ↻
          </button>
        ) : null}
      </header>
      {open ? <div className="sidebar-section-body">{props.children}</div> : null}
    </section>
  );
}

export function EmptyState({ children, tone }: { children: ReactNode; tone?: 'error' }) {
  return <div className={`empty-state${tone === 'error' ? ' error' : ''}`}>{children}</div>;
}

/** A failure in a section, with what to do about it. */
export function SectionError({ error }: { error: ErrorView | null }) {
  if (!error) return null;
  return (
    <EmptyState tone="error">
      {error.message}
      {error.hint ? ` ${error.hint}` : ''}
    </EmptyState>
  );
}
