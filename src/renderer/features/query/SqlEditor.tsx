/**
 * The SQL editor of one tab. There is one Monaco model per tab (kept when the
 * tab is hidden, with its undo history and cursor); the editor itself is only
 * mounted for the active tab.
 */
import { useEffect, useRef } from 'react';
import { flashRan, modelFor, originOf, setCurrentRunner, type RunOrigin } from './editorModels';
import { createEditor, monaco } from '../../workbench/monaco';
import { statementAt } from './statements';
import { viewStates } from './sqlModels';

export interface SqlEditorProps {
  tabId: string;
  initialSql: string;
  onChange: (sql: string) => void;
  /** Runs `sql`, which starts at `origin.offset` in the tab's text. */
  onRun: (sql: string, origin: RunOrigin | undefined) => void;
  onCancel: () => void;
  onNewTab: () => void;
  onCloseTab: () => void;
  onSave: () => void;
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
    const editor = createEditor(container, {
      model,
      renderLineHighlight: 'line',
      padding: { top: 8 },
      suggest: { showStatusBar: true },
    });
    const saved = viewStates.get(tabId);
    if (saved) editor.restoreViewState(saved);
    editor.focus();

    const run = (start: number, end: number) => {
      flashRan(tabId, start, end);
      latest.current.onRun(model.getValue().slice(start, end), originOf(tabId, start));
    };
    /** The selection if there is one, else the statement under the cursor. */
    const runCurrent = () => {
      const selection = editor.getSelection();
      if (selection && !selection.isEmpty() && model.getValueInRange(selection).trim()) {
        run(model.getOffsetAt(selection.getStartPosition()), model.getOffsetAt(selection.getEndPosition()));
        return;
      }
      const position = editor.getPosition();
      const statement = position ? statementAt(model.getValue(), model.getOffsetAt(position)) : null;
      if (statement) run(statement.codeStart, statement.codeEnd);
      else latest.current.onRun('', undefined);
    };
    setCurrentRunner(tabId, runCurrent);

    const disposables = [
      model.onDidChangeContent(() => latest.current.onChange(model.getValue())),
      editor.addAction({
        id: 'dash.runQuery',
        label: 'Run the selection, or the statement under the cursor',
        keybindings: [monaco.KeyMod.CtrlCmd | monaco.KeyCode.Enter],
        contextMenuGroupId: 'navigation',
        contextMenuOrder: 1,
        run: runCurrent,
      }),
      editor.addAction({
        id: 'dash.runAll',
        label: 'Run the whole script',
        keybindings: [monaco.KeyMod.CtrlCmd | monaco.KeyMod.Shift | monaco.KeyCode.Enter],
        contextMenuGroupId: 'navigation',
        contextMenuOrder: 2,
        run: () => run(0, model.getValueLength()),
      }),
      editor.addAction({
        id: 'dash.saveQuery',
        label: 'Save query',
        keybindings: [monaco.KeyMod.CtrlCmd | monaco.KeyCode.KeyS],
        contextMenuGroupId: 'navigation',
        contextMenuOrder: 3,
        run: () => latest.current.onSave(),
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
      setCurrentRunner(tabId, null);
      // An open suggestion list left behind rejects with "Canceled" once the editor is gone.
      editor.trigger('dash', 'hideSuggestWidget', null);
      const state = editor.saveViewState();
      if (state && !model.isDisposed()) viewStates.set(tabId, state);
      for (const d of disposables) d.dispose();
      editor.dispose();
    };
  }, [tabId]);

  return <div className="sql-editor" data-testid="sql-editor" ref={containerRef} />;
}
