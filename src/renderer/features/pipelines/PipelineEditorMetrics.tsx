/** The pipeline editor's metrics: "+ Add metric", then each metric's name, unit, type, order and formula. */
import type { FormulaDiagnostic } from '../../../shared/formula';
import type { EditedMetric, PipelineEditorState } from './editorStore';
import { FormulaEditor } from './FormulaEditor';
import { addMetric, moveMetric, removeMetric, updateMetric } from './pipelineActions';

export const NO_DIAGNOSTICS: readonly FormulaDiagnostic[] = [];

function MetricItem({
  tabId,
  metric: m,
  index: i,
  count,
  type,
  diagnostics,
  autoFocus,
  onSave,
}: {
  tabId: string;
  metric: EditedMetric;
  index: number;
  /** How many metrics there are (the last cannot move down). */
  count: number;
  /** The type the checker gives the formula; empty when not checked. */
  type: string;
  diagnostics: readonly FormulaDiagnostic[];
  autoFocus: boolean;
  onSave: () => void;
}) {
  return (
    <li className="metric-item" data-testid="metric" data-metric={m.name}>
      <div className="metric-row">
        <input
          className="metric-name"
          value={m.name}
          aria-label="Metric name"
          data-testid="metric-name"
          spellCheck={false}
          onChange={(e) => updateMetric(tabId, m.key, { name: e.target.value })}
        />
        <input
          className="metric-unit"
          value={m.unit}
          placeholder="unit"
          aria-label="Unit"
          data-testid="metric-unit"
          onChange={(e) => updateMetric(tabId, m.key, { unit: e.target.value })}
        />
        <span className="metric-type" title="The type the formula gives">
          {type}
        </span>
        <span className="metric-buttons">
          <button
            type="button"
            aria-label={`Move ${m.name} up`}
            title="Move up"
            disabled={i === 0}
            onClick={() => moveMetric(tabId, m.key, -1)}
          >
            ↑
          </button>
          <button
            type="button"
            aria-label={`Move ${m.name} down`}
            title="Move down"
            disabled={i === count - 1}
            onClick={() => moveMetric(tabId, m.key, 1)}
          >
            ↓
          </button>
          <button
            type="button"
            aria-label={`Remove ${m.name}`}
            title="Remove this metric"
            data-testid="remove-metric"
            onClick={() => removeMetric(tabId, m.key)}
          >
            ×
          </button>
        </span>
      </div>
      <FormulaEditor
        tabId={tabId}
        slot={m.key}
        initialText={m.formula}
        diagnostics={diagnostics}
        placeholder="e.g. value * multiplier / 1000"
        testId="metric-formula"
        autoFocus={autoFocus}
        onChange={(text) => updateMetric(tabId, m.key, { formula: text })}
        onSave={onSave}
      />
    </li>
  );
}

export function PipelineEditorMetrics({
  tabId,
  editor,
  diagnostics,
  onSave,
}: {
  tabId: string;
  editor: PipelineEditorState;
  /** The checker's problems by formula editor (a metric's key). */
  diagnostics: Map<string, FormulaDiagnostic[]>;
  onSave: () => void;
}) {
  const metrics = editor.edited.metrics;
  const errors = editor.checked?.diagnostics.filter((d) => d.diagnostic.severity === 'error').length ?? 0;
  return (
    <>
      <div className="metrics-head">
        <h3>Metrics</h3>
        <span className="hint">
          {errors ? `${errors} problem${errors === 1 ? '' : 's'} to fix` : 'a metric may use the metrics above it'}
        </span>
        <button type="button" data-testid="add-metric" onClick={() => addMetric(tabId)}>
          + Add metric
        </button>
      </div>
      {metrics.length === 0 ? (
        <p className="preview-empty">No metrics yet: add one to compute something from the Bronze records.</p>
      ) : null}
      <ol className="metric-list">
        {metrics.map((m, i) => (
          <MetricItem
            key={m.key}
            tabId={tabId}
            metric={m}
            index={i}
            count={metrics.length}
            type={editor.checked?.metricTypes[i] ?? ''}
            diagnostics={diagnostics.get(m.key) ?? NO_DIAGNOSTICS}
            autoFocus={editor.focusMetric === m.key}
            onSave={onSave}
          />
        ))}
      </ol>
    </>
  );
}
