/**
 * The tab's file controls in the query toolbar: Save (Ctrl/Cmd+S) and, for a
 * query saved for the first time, an inline "Save as" name prompt whose
 * errors (a taken or impossible name) show right there.
 */
import { useEffect, useRef, useState } from 'react';
import { QueryName } from '../../../shared/api/queries';
import type { ErrorView } from '../../state/errorView';
import { closeSavePrompt, isDirty, saveTab, useSqlFiles, writeTab } from './sqlFilesStore';
import type { QueryTab } from '../../workbench/tabsStore';

function SavePrompt({ tab }: { tab: QueryTab }) {
  const [name, setName] = useState(() => (/^Query \d+$/.test(tab.title) ? '' : tab.title));
  const [error, setError] = useState<ErrorView | null>(null);
  const [busy, setBusy] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);
  useEffect(() => inputRef.current?.focus(), []);

  const submit = async () => {
    const parsed = QueryName.safeParse(name.replace(/\.sql$/i, ''));
    if (!parsed.success) {
      setError({ code: 'bad_request', message: `Pick another name: ${parsed.error.issues[0]?.message ?? 'invalid'}` });
      return;
    }
    setBusy(true);
    const failed = await writeTab(tab.id, parsed.data, true);
    setBusy(false);
    setError(failed);
  };

  return (
    <form
      className="save-prompt"
      data-testid="save-prompt"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <label htmlFor={`save-name-${tab.id}`}>Save as</label>
      <input
        id={`save-name-${tab.id}`}
        ref={inputRef}
        data-testid="save-name"
        value={name}
        placeholder="daily energy by series"
        spellCheck={false}
        aria-invalid={error !== null}
        onChange={(e) => {
          setName(e.target.value);
          setError(null);
        }}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.stopPropagation();
            closeSavePrompt();
          }
        }}
      />
      <span className="dim">.sql</span>
      <button type="submit" className="plain-button primary" disabled={busy || name.trim() === ''}>
        Save
      </button>
      <button type="button" className="plain-button" onClick={() => closeSavePrompt()}>
        Cancel
      </button>
      {error ? (
        <span className="save-error" role="alert" data-testid="save-error" title={error.hint ?? ''}>
          {error.message}
          {error.hint ? ` — ${error.hint}` : ''}
        </span>
      ) : null}
    </form>
  );
}

export function SqlFileControls({ tab }: { tab: QueryTab }) {
  const prompting = useSqlFiles((s) => s.savePromptTab === tab.id);
  const [saveError, setSaveError] = useState<ErrorView | null>(null);
  const dirty = isDirty(tab);

  const save = async () => setSaveError(await saveTab(tab.id));

  // Ctrl/Cmd+S with the focus outside the editor (Monaco handles it inside).
  const saveRef = useRef(save);
  saveRef.current = save;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || !(e.ctrlKey || e.metaKey) || e.altKey || e.key.toLowerCase() !== 's') return;
      e.preventDefault();
      void saveRef.current();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  if (prompting) return <SavePrompt tab={tab} />;
  return (
    <>
      {saveError ? (
        <span className="save-error" role="alert" title={saveError.hint ?? ''}>
          Could not save: {saveError.message}
        </span>
      ) : null}
      {dirty ? (
        <span className="saved-state dim" data-testid="saved-state">
          Unsaved changes
        </span>
      ) : null}
      <button
        type="button"
        className="plain-button"
        data-testid="save-query"
        title={tab.saved ? `Save to queries/${tab.saved.name}.sql (Ctrl/Cmd+S)` : 'Save this query (Ctrl/Cmd+S)'}
        onClick={() => void save()}
      >
        Save
      </button>
    </>
  );
}
