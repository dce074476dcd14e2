/**
 * A pipeline editor tab: the filter and metrics of one pipeline as a local
 * draft (with its diff against the server's version), and the live preview
 * of the draft over a Bronze sample held in the in-app engine. The header
 * (PipelineEditorHeader) and the metrics (PipelineEditorMetrics) are their own.
 */
import { useState } from 'react';
import type { PipelineTab } from '../../workbench/tabsStore';
import { SkippedFilesNotice } from '../common/SkippedFilesNotice';
import { DraftDiffView } from './DraftDiffView';
import { useEditorsStore } from './editorStore';
import { FormulaEditor } from './FormulaEditor';
import { saveDraft, setFilter } from './pipelineActions';
import { usePipelineEditorDraft } from './PipelineEditorDraft';
import { PipelineEditorHeader } from './PipelineEditorHeader';
import { NO_DIAGNOSTICS, PipelineEditorMetrics } from './PipelineEditorMetrics';
import { PreviewPanel } from './PreviewPanel';
import { ReprocessingPanel } from './ReprocessingPanel';
import { SamplePicker } from './SamplePicker';

export function PipelineEditor({ tab }: { tab: PipelineTab }) {
  const editor = useEditorsStore((s) => s.editors[tab.id]);
  const { draft, diagnostics, diff, dirty } = usePipelineEditorDraft(editor);
  // Here rather than in the header, so the question outlives a reload's "Reading…".
  const [confirmDiscard, setConfirmDiscard] = useState(false);

  if (!editor || !draft) return <div className="pipeline-editor empty">Opening the pipeline…</div>;
  if (editor.loading && !editor.server && !editor.savedDraft)
    return <div className="pipeline-editor empty">Reading the pipeline from the server…</div>;

  const serverMoved = editor.server && editor.baseVersion !== null && editor.server.version !== editor.baseVersion;
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
        <PipelineEditorHeader
          tabId={tab.id}
          editor={editor}
          dirty={dirty}
          onSave={save}
          confirmDiscard={confirmDiscard}
          onConfirmDiscard={setConfirmDiscard}
        />
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
            diagnostics={diagnostics.get(editor.edited.filterKey) ?? NO_DIAGNOSTICS}
            placeholder="e.g. status = 'ok'"
            testId="filter-editor"
            onChange={(text) => setFilter(tab.id, text)}
            onSave={save}
          />
        </div>

        <PipelineEditorMetrics tabId={tab.id} editor={editor} diagnostics={diagnostics} onSave={save} />

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
        <PreviewPanel tabId={tab.id} editor={editor} />
        <ReprocessingPanel tabId={tab.id} editor={editor} draft={draft} />
      </section>
    </div>
  );
}
