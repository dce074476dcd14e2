/**
 * "Export ▾": a menu of file kinds, the start of the export job (its failure
 * shown in place), then where the job is (ExportStatus). The grid exports a
 * query's full result, the inspector the records it found.
 */
import { useState } from 'react';
import type { ResultExportStarted } from '../../../shared/api/export';
import { errorLine } from '../../state/errorView';
import { useWorkspaceStore } from '../../state/workspaceStore';
import { ExportStatus } from './ExportStatus';
import { Menu } from './Menu';

export interface ExportChoice<F extends string> {
  format: F;
  label: string;
  hint: string;
}

export function ExportButton<F extends string>({
  choices,
  start,
  started,
  testId,
  title,
  scope,
  disabled = false,
}: {
  choices: ExportChoice<F>[];
  /** Starts the export job; the caller keeps what it returns and passes it back as `started`. */
  start: (format: F) => Promise<void>;
  started: ResultExportStarted | null;
  /** Prefixes the test ids: `<testId>-button`, `-menu`, `-<format>`, and ExportStatus's. */
  testId: string;
  title: string;
  /** What the export holds (e.g. the grid's sort and filters), said at the top of the menu. */
  scope?: string;
  disabled?: boolean;
}) {
  const [menu, setMenu] = useState<{ x: number; y: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const job = useWorkspaceStore((s) => (started ? s.jobs[started.jobId] : undefined));
  const running = job?.state === 'running' || job?.state === 'queued';
  const choose = async (format: F) => {
    setError(null);
    try {
      await start(format);
    } catch (err) {
      setError(errorLine(err));
    }
  };
  return (
    <span className="grid-export">
      <button
        type="button"
        data-testid={`${testId}-button`}
        title={title}
        disabled={disabled || running}
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
          testId={`${testId}-menu`}
          {...(scope ? { caption: scope } : {})}
          items={choices.map((c) => ({
            label: c.label,
            hint: c.hint,
            testId: `${testId}-${c.format}`,
            onSelect: () => void choose(c.format),
          }))}
        />
      ) : null}
      {error ? (
        <span className="grid-export-status error" role="alert">
          {error}
        </span>
      ) : null}
      <ExportStatus started={started} testId={testId} />
    </span>
  );
}
