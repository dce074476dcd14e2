/**
 * Sidebar: the workspace's saved queries (`queries/<name>.sql`). Click opens
 * one in a tab; rename in place (F2 or ✎); delete asks once, in place.
 */
import { formatInstant } from '../../../shared/timeZone';
import { useWorkspaceTimeZone } from '../../state/workspaceStore';
import { useEffect, useState } from 'react';
import type { SavedQueryInfo } from '../../../shared/api/queries';
import type { ErrorView } from '../../state/errorView';
import { EmptyState, SectionError, SidebarSection } from '../../workbench/SidebarSection';
import { deleteSaved, openSaved, refreshSaved, renameSaved, useSqlFiles } from './sqlFilesStore';
import { useTabsStore } from '../../workbench/tabsStore';

function SavedItem({ query, onError }: { query: SavedQueryInfo; onError: (e: ErrorView | null) => void }) {
  const timeZone = useWorkspaceTimeZone();
  const [mode, setMode] = useState<'idle' | 'rename' | 'confirm-delete'>('idle');
  const [draft, setDraft] = useState(query.name);
  const active = useTabsStore((s) => {
    const tab = s.tabs.find((t) => t.id === s.activeTabId);
    return tab?.kind === 'sql' && tab.saved?.name === query.name;
  });

  if (mode === 'rename') {
    const commit = async () => {
      const to = draft.trim().replace(/\.sql$/i, '');
      setMode('idle');
      if (to && to !== query.name) onError(await renameSaved(query.name, to));
    };
    return (
      <li className="tree-item">
        <input
          className="tree-rename"
          data-testid="saved-query-rename"
          value={draft}
          autoFocus
          spellCheck={false}
          onChange={(e) => setDraft(e.target.value)}
          onBlur={() => void commit()}
          onKeyDown={(e) => {
            if (e.key === 'Enter') void commit();
            if (e.key === 'Escape') setMode('idle');
          }}
        />
      </li>
    );
  }
  return (
    <li
      className={`tree-item clickable${active ? ' selected' : ''}`}
      data-testid="saved-query"
      data-name={query.name}
      tabIndex={0}
      title={`queries/${query.name}.sql — modified ${formatInstant(Date.parse(query.modifiedAt), timeZone)}\nClick to open · F2 to rename · Delete to delete`}
      onClick={() => void openSaved(query.name).then(onError)}
      onKeyDown={(e) => {
        if (e.key === 'Enter') void openSaved(query.name).then(onError);
        if (e.key === 'F2') {
          setDraft(query.name);
          setMode('rename');
        }
        if (e.key === 'Delete') setMode('confirm-delete');
      }}
    >
      <span className="tree-icon saved-query" aria-hidden />
      <span className="tree-label">{query.name}</span>
      {mode === 'confirm-delete' ? (
        <span className="inline-confirm" onClick={(e) => e.stopPropagation()}>
          Delete?
          <button
            type="button"
            className="plain-button danger"
            data-testid="saved-query-confirm-delete"
            onClick={() => {
              setMode('idle');
              void deleteSaved(query.name).then(onError);
            }}
          >
            Delete
          </button>
          <button type="button" className="plain-button" onClick={() => setMode('idle')}>
            Keep
          </button>
        </span>
      ) : (
        <>
          <button
            type="button"
            className="icon-button hover-only"
            title="Rename (F2)"
            aria-label={`Rename ${query.name}`}
            onClick={(e) => {
              e.stopPropagation();
              setDraft(query.name);
              setMode('rename');
            }}
          >
            ✎
          </button>
          <button
            type="button"
            className="icon-button hover-only"
            title="Delete"
            aria-label={`Delete ${query.name}`}
            data-testid="saved-query-delete"
            onClick={(e) => {
              e.stopPropagation();
              setMode('confirm-delete');
            }}
          >
            ✕
          </button>
        </>
      )}
    </li>
  );
}

export function SavedQueriesSection() {
  const saved = useSqlFiles((s) => s.saved);
  const [error, setError] = useState<ErrorView | null>(null);
  useEffect(() => void refreshSaved(), []);
  const queries = saved.data ?? [];
  return (
    <SidebarSection
      title="Saved queries"
      testId="sidebar-saved-queries"
      count={saved.data ? queries.length : null}
      loading={saved.loading}
      onRefresh={() => void refreshSaved()}
    >
      {saved.error ? <EmptyState tone="error">{saved.error.message}</EmptyState> : null}
      <SectionError error={error} />
      {saved.data && queries.length === 0 ? (
        <EmptyState>No saved queries yet. Press Ctrl/Cmd+S in a SQL tab to save it as a .sql file here.</EmptyState>
      ) : null}
      <ul className="side-tree">
        {queries.map((q) => (
          <SavedItem key={q.name} query={q} onError={setError} />
        ))}
      </ul>
    </SidebarSection>
  );
}
