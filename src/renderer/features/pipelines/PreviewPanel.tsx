/**
 * The live preview: per-metric counts (rows, nulls, NaN, ±inf — silent breakage
 * shows here), a chart of one metric per series, and the first rows — first of
 * a slice of the sample, then of all of it, saying which.
 */
import { useMemo } from 'react';
import { useWorkspaceStore } from '../../state/workspaceStore';
import { decimalsFor, formatCell, formatCount, isNumericKind } from '../../workbench/format';
import type { PipelineEditorState } from './editorStore';
import { chooseChartMetric } from './pipelineActions';
import { PreviewChart } from './PreviewChart';

/** What the e2e test and a curious user can compare: rows and each metric's finite sum. */
function checksum(preview: NonNullable<PipelineEditorState['preview']>): string {
  return [
    preview.rows,
    ...preview.stats.map((s) => `${s.name}=${s.sum === null ? 'null' : s.sum.toPrecision(12)}`),
  ].join(';');
}

/** Which records the shown answer covers: a slice while the whole sample is computed, then all of them. */
function scopeText(preview: NonNullable<PipelineEditorState['preview']>, updating: boolean): string {
  if (preview.records >= preview.sampleRecords) return `all ${formatCount(preview.sampleRecords)} records`;
  const slice = `Preview of ${formatCount(preview.records)} of ${formatCount(preview.sampleRecords)} records`;
  return updating ? `${slice}…` : slice;
}

export function PreviewPanel({ tabId, editor }: { tabId: string; editor: PipelineEditorState }) {
  const { preview } = editor;
  const timeZone = useWorkspaceStore((s) => s.status?.timeZone);
  // Per column, the decimals that show its first rows exactly, so numbers line up like in the grid.
  const decimals = useMemo(
    () =>
      preview?.columns.map((c, i) =>
        c.kind === 'float' ? decimalsFor(preview.firstRows.map((r) => r[i] ?? null)) : undefined,
      ) ?? [],
    [preview],
  );
  if (!editor.sample) {
    return (
      <div className="preview-empty">Load a sample above: the metrics are then recomputed over it on every edit.</div>
    );
  }
  if (!preview) {
    return (
      <div className="preview-empty">
        {editor.previewError ? (
          <span className="error-text">{editor.previewError.message}</span>
        ) : (
          'Computing the preview…'
        )}
      </div>
    );
  }
  const metric = preview.chart;
  const unit = editor.edited.metrics.find((m) => m.name === metric?.metric)?.unit ?? '';
  return (
    <div
      className={`preview${editor.previewError ? ' stale' : ''}`}
      data-testid="preview"
      data-checksum={checksum(preview)}
      data-rows={preview.rows}
    >
      <div className="preview-head">
        <span data-testid="preview-timing">
          {formatCount(preview.rows)} rows · computed in{' '}
          {preview.engineMs < 10 ? preview.engineMs.toFixed(1) : Math.round(preview.engineMs)} ms
          {editor.previewRunning ? ' · updating…' : ''}
        </span>
        <span data-testid="preview-scope" data-records={preview.records} data-sample-records={preview.sampleRecords}>
          {scopeText(preview, editor.previewRunning)}
        </span>
        {editor.previewError ? (
          <span className="preview-stale" data-testid="preview-error" title={editor.previewError.hint}>
            {editor.previewError.message}
            {editor.previewError.hint ? ` — ${editor.previewError.hint}` : ''}
          </span>
        ) : null}
      </div>
      <table className="preview-stats" data-testid="preview-stats">
        <thead>
          <tr>
            <th>metric</th>
            <th>values</th>
            <th>null</th>
            <th>NaN</th>
            <th>±inf</th>
          </tr>
        </thead>
        <tbody>
          {preview.stats.map((s) => {
            const values = preview.rows - s.nulls - s.nans - s.infinities;
            return (
              <tr
                key={s.name}
                className={`${s.name === metric?.metric ? 'chosen' : ''}${values === 0 ? ' broken' : ''}`}
                data-testid="preview-metric"
                data-metric={s.name}
                onClick={() => chooseChartMetric(tabId, s.name)}
                title="Chart this metric"
              >
                <td>{s.name}</td>
                <td>{formatCount(values)}</td>
                <td className={s.nulls ? 'warn' : ''}>{formatCount(s.nulls)}</td>
                <td className={s.nans ? 'warn' : ''}>{formatCount(s.nans)}</td>
                <td className={s.infinities ? 'warn' : ''}>{formatCount(s.infinities)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {metric ? (
        <PreviewChart tabId={tabId} chart={metric} unit={unit} />
      ) : (
        <div className="preview-empty">No metrics to chart.</div>
      )}
      <div className="preview-rows">
        <table data-testid="preview-table">
          <thead>
            <tr>
              {preview.columns.map((c) => (
                <th key={c.name}>{c.name}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {preview.firstRows.map((row, r) => (
              <tr key={r}>
                {row.map((v, i) => (
                  <td
                    key={i}
                    className={`${v === null ? 'null' : ''}${isNumericKind(preview.columns[i]?.kind ?? 'other') ? ' num' : ''}`}
                    data-column={preview.columns[i]?.name}
                  >
                    {formatCell(v, preview.columns[i]?.kind ?? 'other', timeZone, decimals[i])}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
