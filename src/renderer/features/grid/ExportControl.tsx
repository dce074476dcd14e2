/**
 * Export of the tab's full result (the query re-run by the native warehouse,
 * not the grid's pages) as a job: progress and cancel, then the file's path
 * and, in the browser shell, a download link.
 */
import { useState } from 'react';
import type { ExportFormat } from '../../../shared/api/export';
import { errorLine } from '../../state/errorView';
import { workbench } from '../../state/workbench';
import { useWorkspaceStore } from '../../state/workspaceStore';
import { ExportStatus } from '../common/ExportStatus';
import { Menu } from '../common/Menu';
import type { GridLayout } from './gridStore';

export function ExportControl({
  sql,
  exported,
  onStarted,
}: {
  sql: string;
  exported: GridLayout['exported'];
  onStarted: (started: NonNullable<GridLayout['exported']>) => void;
}) {
  const [menu, setMenu] = useState<{ x: number; y: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const job = useWorkspaceStore((s) => (exported ? s.jobs[exported.jobId] : undefined));
  const start = async (format: ExportFormat) => {
    setError(null);
    try {
      const started = await workbench().call('results.export', { sql, format });
      onStarted({ ...started, format });
    } catch (err) {
      setError(errorLine(err));
    }
  };
  const running = job?.state === 'running' || job?.state === 'queued';
  return (
    <span className="grid-export">
      <button
        type="button"
        data-testid="export-button"
        title="Export the full result (every row, not just this page) to a file"
        disabled={running}
        onClick={(e) => {
          const r = e.currentTarget.getBoundingClientRect();
          setMenu({ x: r.left, y: r.bottom + 2 });
        }}
      >
        Export ▾
      </button>
      {menu ? (
        <Menu
          x={menu.x}
          y={menu.y}
          onClose={() => setMenu(null)}
          testId="export-menu"
          items={[
            { label: 'CSV', hint: 'with header', testId: 'export-csv', onSelect: () => void start('csv') },
            { label: 'Parquet', hint: 'zstd', testId: 'export-parquet', onSelect: () => void start('parquet') },
          ]}
        />
      ) : null}
      {error ? (
        <span className="grid-export-status error" role="alert">
          {error}
        </span>
      ) : null}
      <ExportStatus started={exported} testId="export" />
    </span>
  );
}
