/** Under the search form: how far the search got (files, row groups, bytes), cancel or export, and the files with problems. */
import { useState } from 'react';
import type { ResultExportStarted } from '../../../shared/api/export';
import type { InspectorExportFormat, InspectorMatchesPage, InspectorProblem } from '../../../shared/api/inspector';
import { formatBytes } from '../../../shared/format';
import { formatCount, formatDuration } from '../../workbench/format';
import { ErrorPanel } from '../common/ErrorPanel';
import { ExportButton, type ExportChoice } from '../common/ExportButton';
import { exportRecords } from './inspectorActions';
import { cancelSearch, useInspectorStore } from './inspectorStore';

const RECORD_EXPORTS: ExportChoice<InspectorExportFormat>[] = [
  { format: 'csv', label: 'CSV', hint: 'with header' },
  { format: 'jsonl', label: 'JSON lines', hint: 'one record a line' },
  { format: 'parquet', label: 'Parquet', hint: 'zstd' },
];

function ExportRecords({ searchId, disabled }: { searchId: string; disabled: boolean }) {
  const [started, setStarted] = useState<ResultExportStarted | null>(null);
  return (
    <ExportButton
      testId="insp-export"
      title="Write the records found to a file in the workspace's exports folder"
      disabled={disabled}
      started={started}
      choices={RECORD_EXPORTS}
      start={async (format) => setStarted(await exportRecords(searchId, format))}
    />
  );
}

/** "N files have problems ▾", opening the list of them. */
function Problems({
  problems,
  shown,
  onToggle,
}: {
  problems: InspectorProblem[];
  shown: boolean;
  onToggle: () => void;
}) {
  // A file can have more than one problem (missing columns and drift): the count is of files.
  const files = new Set(problems.map((p) => p.key)).size;
  return (
    <div className="insp-problems" data-testid="insp-problems" data-files={files}>
      <button type="button" className="link-button" onClick={onToggle}>
        {files} {files === 1 ? 'file has' : 'files have'} problems {shown ? '▴' : '▾'}
      </button>
      {shown
        ? problems.map((p, i) => (
            <div key={`${p.key}-${i}`} className="insp-problem">
              <span className={`badge insp-kind-${p.kind}`}>{p.kind}</span> <span className="mono">{p.key}</span>{' '}
              {p.message}
            </div>
          ))
        : null}
    </div>
  );
}

function stateText(page: Pick<InspectorMatchesPage, 'state' | 'elapsedMs'>): string {
  if (page.state === 'running') return 'searching…';
  if (page.state === 'cancelled') return 'cancelled';
  if (page.state === 'failed') return 'failed';
  return formatDuration(page.elapsedMs);
}

export function InspectorProgress() {
  const page = useInspectorStore((s) => s.page);
  const searchId = useInspectorStore((s) => s.searchId);
  const total = useInspectorStore((s) => s.matches.length);
  const error = useInspectorStore((s) => s.error);
  // Kept here, not in Problems: the list stays open across searches as long as the tab is.
  const [showProblems, setShowProblems] = useState(false);
  if (error) return <ErrorPanel error={error} />;
  if (!page || !searchId) return null;
  const s = page.stats;
  const files = s.filesTotal - s.filesSkipped;
  const running = page.state === 'running';
  return (
    <div className="insp-progress" data-testid="insp-progress" data-state={page.state}>
      <div className="insp-progress-line">
        <strong data-testid="insp-count">
          {formatCount(total)} {total === 1 ? 'record' : 'records'}
        </strong>
        {page.limited ? <span className="dim"> (stopped at the limit; narrow the search for the rest)</span> : null}
        <span className="dim">
          {' '}
          · {s.filesScanned}/{files} files{s.filesSkipped ? ` (${s.filesSkipped} left out by date)` : ''} ·{' '}
          {s.rowGroupsScanned} row group{s.rowGroupsScanned === 1 ? '' : 's'} read, {s.rowGroupsSkipped} skipped by
          statistics · {formatBytes(s.bytesRead)} read
          {s.remoteFiles ? ` · ${s.remoteFiles} files by range reads` : ''} · {stateText(page)}
        </span>
        <span className="toolbar-spacer" />
        {running ? (
          <button type="button" className="plain-button" data-testid="insp-cancel" onClick={() => void cancelSearch()}>
            Cancel
          </button>
        ) : (
          <ExportRecords searchId={searchId} disabled={total === 0} />
        )}
      </div>
      {running ? (
        <div className="job-bar">
          <div className="job-bar-fill" style={{ width: `${files ? (s.filesScanned / files) * 100 : 0}%` }} />
        </div>
      ) : null}
      {page.error ? <div className="error-message">{page.error}</div> : null}
      {page.problems.length ? (
        <Problems problems={page.problems} shown={showProblems} onToggle={() => setShowProblems(!showProblems)} />
      ) : null}
    </div>
  );
}
