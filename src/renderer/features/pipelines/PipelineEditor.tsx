/**
 * A pipeline editor tab: the filter and metrics of one pipeline as a local
 * draft (with its diff against the server's version), and the live preview
 * of the draft over a Bronze sample held in the in-app engine.
 */
import { formatInstant } from '../../../shared/timeZone';
import { useWorkspaceTimeZone } from '../../state/workspaceStore';
import { useMemo, useState } from 'react';
import type { FormulaDiagnostic } from '../../../shared/formula';
import type { PipelineTab } from '../../workbench/tabsStore';
import { DraftDiffView } from './DraftDiffView';
import { diffDraft } from './draftDiff';
import { toPipelineDraft, useEditorsStore, type PipelineEditorState } from './editorStore';
import { FormulaEditor } from './FormulaEditor';
import {
  addMetric,
  discardDraft,
  loadEditor,
  moveMetric,
  removeMetric,
  saveDraft,
  setFilter,
  updateMetric,
} from './pipelineActions';
import { PreviewPanel } from './PreviewPanel';
import { ReprocessingPanel } from './ReprocessingPanel';
import { SamplePicker } from './SamplePicker';
import { SkippedFilesNotice } from '../common/SkippedFilesNotice';

const NONE: readonly FormulaDiagnostic[] = [];

function diagnosticsBySlot(editor: PipelineEditorState): Map<string, FormulaDiagnostic[]> {
  const bySlot = new Map<string, FormulaDiagnostic[]>();
  for (const { where, diagnostic } of editor.checked?.diagnostics ?? []) {
    const slot = where === 'filter' ? editor.edited.filterKey : editor.edited.metrics[where.metric]?.key;
    if (!slot) continue;
    bySlot.set(slot, [...(bySlot.get(slot) ?? []), diagnostic]);
  }
  return bySlot;
}

export function PipelineEditor({ tab }: { tab: PipelineTab }) {
  const editor = useEditorsStore((s) => s.editors[tab.id]);
  const timeZone = useWorkspaceTimeZone();
  const [confirmDiscard, setConfirmDiscard] = useState(false);
  const diagnostics = useMemo(
    () => (editor ? diagnosticsBySlot(editor) : new Map<string, FormulaDiagnostic[]>()),
    [editor],
  );
  const draft = useMemo(() => (editor ? toPipelineDraft(editor.edited) : null), [editor]);
  const diff = useMemo(
    () =>
      editor?.server && draft
        ? diffDraft({ filter: editor.server.definition.filter, metrics: editor.server.definition.metrics }, draft)
        : [],
    [editor?.server, draft],
  );

  if (!editor || !draft) return <div className="pipeline-editor empty">Opening the pipeline…</div>;
  if (editor.loading && !editor.server && !editor.savedDraft)
    return <div className="pipeline-editor empty">Reading the pipeline from the server…</div>;

  const saved = editor.savedDraft
    ? JSON.stringify({ filter: editor.savedDraft.filter, metrics: editor.savedDraft.metrics })
    : null;
  const reference =
    saved ??
    (editor.server
      ? JSON.stringify(
          toPipelineDraft({
            filterKey: '',
            filter: editor.server.definition.filter ?? '',
            metrics: editor.server.definition.metrics.map((m) => ({ ...m, key: '' })),
          }),
        )
      : null);
  const dirty = JSON.stringify(draft) !== reference;
  const serverMoved = editor.server && editor.baseVersion !== null && editor.server.version !== editor.baseVersion;
  const errors = editor.checked?.diagnostics.filter((d) => d.diagnostic.severity === 'error').length ?? 0;
  const save = () => void saveDraft(tab.id);

  return (
    <div
      className="pipeline-editor"
      data-testid="pipeline-editor"
      data-pipeline={editor.pipelineId}
      onKeyDown={(e) => {
        // Ctrl/Cmd+S from the name and unit fields too (the formula editors handle it themselves).
        if ((e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey && e.key.toLowerCase() === 's') {
          e.preventDefault();
          if (dirty) save();
        }
      }}
    >
      <section className="pipeline-definition">
        <header className="pipeline-header">
          <div className="pipeline-title">
            <h2>{editor.server?.name ?? editor.pipelineId}</h2>
            <span className="pipeline-meta">
              {editor.pipelineId} · server v{editor.server?.version ?? '—'}
              {editor.savedDraft ? (
                <span className="draft-badge" data-testid="draft-badge">
                  draft from v{editor.savedDraft.baseVersion ?? '—'}, saved{' '}
                  {formatInstant(Date.parse(editor.savedDraft.savedAt), timeZone)}
                </span>
              ) : null}
              {dirty ? (
                <span className="dirty-badge" data-testid="draft-dirty">
                  unsaved changes
                </span>
              ) : null}
            </span>
          </div>
          <div className="pipeline-actions">
            <button
              type="button"
              onClick={() => void loadEditor(tab.id)}
              title="Re-read the pipeline, the draft file and the cached Bronze"
            >
              Reload
            </button>
            <button
              type="button"
              className="run-button"
              data-testid="save-draft"
              disabled={!dirty}
              onClick={save}
              title="Save the draft to pipelines/<id>.draft.json (Ctrl/Cmd+S)"
            >
              Save draft
            </button>
            {confirmDiscard ? (
              <span className="confirm">
                Discard the draft and go back to the server&apos;s version?
                <button
                  type="button"
                  className="danger"
                  data-testid="confirm-discard"
                  onClick={() => {
                    setConfirmDiscard(false);
                    void discardDraft(tab.id);
                  }}
                >
                  Discard
                </button>
                <button type="button" onClick={() => setConfirmDiscard(false)}>
                  Keep
                </button>
              </span>
            ) : (
              <button
                type="button"
                data-testid="discard-draft"
                disabled={!editor.savedDraft && !dirty}
                onClick={() => setConfirmDiscard(true)}
              >
                Discard draft
              </button>
            )}
          </div>
        </header>
        {editor.error ? (
          <div className="error-box" role="alert" data-testid="pipeline-error">
            {editor.error.message}
            {editor.error.hint ? <div className="hint">{editor.error.hint}</div> : null}
          </div>
        ) : null}
        {serverMoved ? (
          <div className="notice" data-testid="server-moved">
            The server&apos;s pipeline is now version {editor.server!.version}; this draft started from version{' '}
            {editor.baseVersion}. The diff below is against version {editor.server!.version}.
          </div>
        ) : null}

        <div className="formula-block">
          <label className="formula-label">
            Filter <span className="hint">records for which it is true are kept; empty keeps every record</span>
          </label>
          <FormulaEditor
            key={editor.edited.filterKey}
            tabId={tab.id}
            slot={editor.edited.filterKey}
            initialText={editor.edited.filter}
            diagnostics={diagnostics.get(editor.edited.filterKey) ?? NONE}
            placeholder="e.g. status = 'ok'"
            testId="filter-editor"
            onChange={(text) => setFilter(tab.id, text)}
            onSave={save}
          />
        </div>

        <div className="metrics-head">
          <h3>Metrics</h3>
          <span className="hint">
            {errors ? `${errors} problem${errors === 1 ? '' : 's'} to fix` : 'a metric may use the metrics above it'}
          </span>
          <button type="button" data-testid="add-metric" onClick={() => addMetric(tab.id)}>
            + Add metric
          </button>
        </div>
        {editor.edited.metrics.length === 0 ? (
          <p className="preview-empty">No metrics yet: add one to compute something from the Bronze records.</p>
        ) : null}
        <ol className="metric-list">
          {editor.edited.metrics.map((m, i) => (
            <li key={m.key} className="metric-item" data-testid="metric" data-metric={m.name}>
              <div className="metric-row">
                <input
                  className="metric-name"
                  value={m.name}
                  aria-label="Metric name"
                  data-testid="metric-name"
                  spellCheck={false}
                  onChange={(e) => updateMetric(tab.id, m.key, { name: e.target.value })}
                />
                <input
                  className="metric-unit"
                  value={m.unit}
                  placeholder="unit"
                  aria-label="Unit"
                  data-testid="metric-unit"
                  onChange={(e) => updateMetric(tab.id, m.key, { unit: e.target.value })}
                />
                <span className="metric-type" title="The type the formula gives">
                  {editor.checked?.metricTypes[i] ?? ''}
                </span>
                <span className="metric-buttons">
                  <button
                    type="button"
                    aria-label={`Move ${m.name} up`}
                    title="Move up"
                    disabled={i === 0}
                    onClick={() => moveMetric(tab.id, m.key, -1)}
                  >
                    ↑
                  </button>
                  <button
                    type="button"
                    aria-label={`Move ${m.name} down`}
                    title="Move down"
                    disabled={i === editor.edited.metrics.length - 1}
                    onClick={() => moveMetric(tab.id, m.key, 1)}
                  >
                    ↓
                  </button>
                  <button
                    type="button"
                    aria-label={`Remove ${m.name}`}
                    title="Remove this metric"
                    data-testid="remove-metric"
                    onClick={() => removeMetric(tab.id, m.key)}
                  >
                    ×
                  </button>
                </span>
              </div>
              <FormulaEditor
                tabId={tab.id}
                slot={m.key}
                initialText={m.formula}
                diagnostics={diagnostics.get(m.key) ?? NONE}
                placeholder="e.g. value * multiplier / 1000"
                testId="metric-formula"
                autoFocus={editor.focusMetric === m.key}
                onChange={(text) => updateMetric(tab.id, m.key, { formula: text })}
                onSave={save}
              />
            </li>
          ))}
        </ol>

        <div className="diff-section">
          <h3>Changes against the server</h3>
          {editor.server ? (
            <DraftDiffView entries={diff} serverVersion={editor.server.version} />
          ) : (
            <p className="hint">The server has no pipeline with this id: everything here is new.</p>
          )}
        </div>
      </section>

      <section className="pipeline-preview">
        <h3>Live preview</h3>
        <SkippedFilesNotice files={editor.skippedFiles} missingFrom="the series listed and the sample" />
        <SamplePicker key={editor.series ? 'ready' : 'waiting'} tabId={tab.id} editor={editor} />
        <PreviewPanel editor={editor} />
        <ReprocessingPanel tabId={tab.id} editor={editor} draft={draft} />
      </section>
    </div>
  );
}
