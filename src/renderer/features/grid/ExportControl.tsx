/**
 * Export of the tab's full result (the query re-run by the native warehouse,
 * not the grid's pages) as a job: progress and cancel, then the file's path
 * and, in the browser shell, a download link.
 */
import type { ExportFormat } from '../../../shared/api/export';
import { workbench } from '../../state/workbench';
import { ExportButton, type ExportChoice } from '../common/ExportButton';
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
  return (
    <ExportButton
      testId="export"
      title="Export the full result (every row, not just this page) to a file"
      started={exported}
      choices={CHOICES}
      start={async (format) => onStarted({ ...(await workbench().call('results.export', { sql, format })), format })}
    />
  );
}

const CHOICES: ExportChoice<ExportFormat>[] = [
  { format: 'csv', label: 'CSV', hint: 'with header' },
  { format: 'parquet', label: 'Parquet', hint: 'zstd' },
];
