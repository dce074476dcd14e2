/**
 * Sidebar: every query run in this workspace (`history.jsonl`), newest first,
 * with when, how long, how many rows and whether it failed. Click opens the
 * query in a new tab.
 */
import { useEffect } from 'react';
import type { HistoryEntry } from '../../../shared/api/queries';
import { formatInstant } from '../../../shared/timeZone';
import { phaseState, useWorkspaceStore, useWorkspaceTimeZone } from '../../state/workspaceStore';
import { formatDuration, formatRowCount } from '../../workbench/format';
import { EmptyState, SidebarSection } from '../../workbench/SidebarSection';
import { loadFunctions, openHistoryEntry, refreshHistory, useSqlFiles } from './sqlFilesStore';

/** The one time format, shortened for the list: the time alone today, else the day and minute (zone's wall time). */
function when(iso: string, timeZone: string): string {
  const shown = formatInstant(Date.parse(iso), timeZone);
  const today = formatInstant(Date.now(), timeZone).slice(0, 10);
  return shown.startsWith(today) ? shown.slice(11, 19) : shown.slice(0, 16);
}

function outcome(entry: HistoryEntry): string {
  if (entry.status === 'error') return 'failed';
  if (entry.status === 'cancelled') return 'cancelled';
  return formatRowCount(entry.rowCount ?? 0);
}

export function HistorySection() {
  const history = useSqlFiles((s) => s.history);
  const timeZone = useWorkspaceTimeZone();
  const warehouseReady = useWorkspaceStore((s) => phaseState(s.status, 'warehouse') === 'ready');
  useEffect(() => void refreshHistory(), []);
  // Completion wants the warehouse's functions: read them once it is up.
  useEffect(() => {
    if (warehouseReady) void loadFunctions();
  }, [warehouseReady]);
  const entries = history.data ?? [];
  return (
    <SidebarSection
      title="History"
      testId="sidebar-history"
      count={history.data ? entries.length : null}
      loading={history.loading}
      onRefresh={() => void refreshHistory()}
    >
      {history.error ? <EmptyState tone="error">{history.error.message}</EmptyState> : null}
      {history.data && entries.length === 0 ? (
        <EmptyState>Queries you run show up here, with their timings.</EmptyState>
      ) : null}
      <ul className="side-tree history-list">
        {entries.map((entry, i) => (
          <li
            key={`${entry.startedAt}-${i}`}
            className={`tree-item clickable history-entry ${entry.status}`}
            data-testid="history-entry"
            data-status={entry.status}
            tabIndex={0}
            title={`${entry.sql}\n\n${formatInstant(Date.parse(entry.startedAt), timeZone)} · ${formatDuration(entry.elapsedMs)} · ${
              entry.error ?? outcome(entry)
            }\nClick to open in a new tab`}
            onClick={() => openHistoryEntry(entry)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') openHistoryEntry(entry);
            }}
          >
            <span className={`tree-icon history-${entry.status}`} aria-hidden />
            <span className="tree-label mono">{entry.sql.replace(/\s+/g, ' ').trim()}</span>
            <span className="tree-meta">
              {outcome(entry)} · {formatDuration(entry.elapsedMs)} · {when(entry.startedAt, timeZone)}
            </span>
          </li>
        ))}
      </ul>
    </SidebarSection>
  );
}
