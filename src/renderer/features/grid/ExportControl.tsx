/**
 * Export of the tab's result as the grid shows it — every row of the query
 * re-run by the native warehouse, with the grid's sort, filters and visible
 * columns, not just the loaded pages — as a job: progress and cancel, then the
 * file's path and, in the browser shell, a download link.
 */
import type { ExportFormat } from '../../../shared/api/export';
import { viewSummary, type GridViewSpec } from '../../../shared/gridView';
import { ExportButton, type ExportChoice } from '../common/ExportButton';
import { startExport } from './gridActions';
import type { GridLayout } from './gridStore';

/** True when the view changes nothing: then the query is exported as it is (any statement DuckDB can COPY). */
function isWholeResult(view: GridViewSpec, names: readonly string[]): boolean {
  return (
    view.sort.length === 0 &&
    view.filters.length === 0 &&
    view.columns.length === names.length &&
    view.columns.every((c, i) => c === names[i])
  );
}

export function ExportControl({
  sql,
  view,
  names,
  exported,
  onStarted,
}: {
  sql: string;
  /** What the grid shows: its sort, filters and visible columns in display order. */
  view: GridViewSpec;
  /** Every column of the result, in the query's order. */
  names: readonly string[];
  exported: GridLayout['exported'];
  onStarted: (started: NonNullable<GridLayout['exported']>) => void;
}) {
  const whole = isWholeResult(view, names);
  const summary = viewSummary(view, names.length);
  const scope = whole ? 'Every row and column, as the query returns them' : `As the grid shows it: ${summary}`;
  return (
    <ExportButton
      testId="export"
      title={`Export to a file: ${scope.charAt(0).toLowerCase()}${scope.slice(1)} (every row, not just the loaded ones)`}
      scope={scope}
      started={exported}
      choices={CHOICES}
      start={async (format) => onStarted({ ...(await startExport(sql, format, whole ? null : view)), format })}
    />
  );
}

const CHOICES: ExportChoice<ExportFormat>[] = [
  { format: 'csv', label: 'CSV', hint: 'with header' },
  { format: 'parquet', label: 'Parquet', hint: 'zstd' },
];
