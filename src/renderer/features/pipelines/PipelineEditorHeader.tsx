/** The pipeline editor's header: the pipeline's name, version and draft state, and Reload, Save draft, Discard draft. */
import { formatInstant } from '../../../shared/timeZone';
import { useWorkspaceTimeZone } from '../../state/workspaceStore';
import type { PipelineEditorState } from './editorStore';
import { discardDraft, loadEditor } from './pipelineActions';

export function PipelineEditorHeader({
  tabId,
  editor,
  dirty,
  onSave,
  confirmDiscard,
  onConfirmDiscard,
}: {
  tabId: string;
  editor: PipelineEditorState;
  dirty: boolean;
  onSave: () => void;
  /** "Discard the draft…?" is asked. */
  confirmDiscard: boolean;
  onConfirmDiscard: (asking: boolean) => void;
}) {
  const timeZone = useWorkspaceTimeZone();
  return (
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
          onClick={() => void loadEditor(tabId)}
          title="Re-read the pipeline, the draft file and the cached Bronze"
        >
          Reload
        </button>
        <button
          type="button"
          className="run-button"
          data-testid="save-draft"
          disabled={!dirty}
          onClick={onSave}
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
                onConfirmDiscard(false);
                void discardDraft(tabId);
              }}
            >
              Discard
            </button>
            <button type="button" onClick={() => onConfirmDiscard(false)}>
              Keep
            </button>
          </span>
        ) : (
          <button
            type="button"
            data-testid="discard-draft"
            disabled={!editor.savedDraft && !dirty}
            onClick={() => onConfirmDiscard(true)}
          >
            Discard draft
          </button>
        )}
      </div>
    </header>
  );
}
