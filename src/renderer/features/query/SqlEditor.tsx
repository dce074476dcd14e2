/**
 * The SQL editor of one tab. There is one Monaco model per tab (kept when the
 * tab is hidden, with its undo history and cursor); the editor itself is only
 * mounted for the active tab.
 */
import { useEffect, useRef } from 'react';
import { monaco } from './monaco';

const models = new Map<string, monaco.editor.ITextModel>();
const viewStates = new Map<string, monaco.editor.ICodeEditorViewState>();

function modelFor(tabId: string, initialSql: string): monaco.editor.ITextModel {
  let model = models.get(tabId);
  if (!model || model.isDisposed()) {
    model = monaco.editor.createModel(initialSql, 'sql');
    models.set(tabId, model);
  }
  return model;
}

export function disposeEditorModel(tabId: string): void {
  models.get(tabId)?.dispose();
  models.delete(tabId);
  viewStates.delete(tabId);
}

export interface SqlEditorProps {
  tabId: string;
  initialSql: string;
  onChange: (sql: string) => void;
  /** Runs `sql`: the selection if any, else the whole text. */
  onRun: (sql: string) => void;
  onCancel: () => void;
  onNewTab: () => void;
  onCloseTab: () => void;
}

export function SqlEditor(props: SqlEditorProps) {
  const containerRef = useRef<HTMLDivElement>(null);
  // Monaco actions are registered once; they call whatever the latest props are.
  const latest = useRef(props);
  latest.current = props;
  const { tabId } = props;

  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    const model = modelFor(tabId, latest.current.initialSql);
    const editor = monaco.editor.create(container, {
      model,
      theme: 'dash-dark',
      automaticLayout: true,
      minimap: { enabled: false },
      fontSize: 13,
      lineHeight: 20,
      fontFamily: "'JetBrains Mono', 'DejaVu Sans Mono', Menlo, Consolas, monospace",
      scrollBeyondLastLine: false,
      renderLineHighlight: 'line',
      tabSize: 2,
      padding: { top: 8 },
      fixedOverflowWidgets: true,
    });
    const saved = viewStates.get(tabId);
    if (saved) editor.restoreViewState(saved);
    editor.focus();

    const selectedOrAll = (): string => {
      const selection = editor.getSelection();
      const text = selection && !selection.isEmpty() ? model.getValueInRange(selection) : '';
      return text.trim() ? text : model.getValue();
    };
    const disposables = [
      model.onDidChangeContent(() => latest.current.onChange(model.getValue())),
      editor.addAction({
        id: 'dash.runQuery',
        label: 'Run query (selection or all)',
        keybindings: [monaco.KeyMod.CtrlCmd | monaco.KeyCode.Enter],
        contextMenuGroupId: 'navigation',
        run: () => latest.current.onRun(selectedOrAll()),
      }),
      editor.addAction({
        id: 'dash.newTab',
        label: 'New SQL tab',
        keybindings: [monaco.KeyMod.CtrlCmd | monaco.KeyCode.KeyT],
        run: () => latest.current.onNewTab(),
      }),
      editor.addAction({
        id: 'dash.closeTab',
        label: 'Close tab',
        keybindings: [monaco.KeyMod.CtrlCmd | monaco.KeyCode.KeyW],
        run: () => latest.current.onCloseTab(),
      }),
      // Escape still closes Monaco's own widgets first; a bare Escape cancels a running query.
      editor.onKeyDown((e) => {
        if (e.keyCode === monaco.KeyCode.Escape) latest.current.onCancel();
      }),
    ];
    return () => {
      const state = editor.saveViewState();
      if (state && models.has(tabId)) viewStates.set(tabId, state);
      for (const d of disposables) d.dispose();
      editor.dispose();
    };
  }, [tabId]);

  return <div className="sql-editor" data-testid="sql-editor" ref={containerRef} />;
}
