/**
 * One formula in a small Monaco editor (language `dash-formula`) that grows with
 * its text; its problems are underlined and listed right under it.
 */
import { useEffect, useRef } from 'react';
import type { FormulaDiagnostic } from '../../../shared/formula';
import { createEditor } from '../../workbench/monaco';
import { diagnosticText, formulaModel, monaco, registerFormulaEditor, setFormulaMarkers } from './formulaLanguage';

export interface FormulaEditorProps {
  tabId: string;
  slot: string;
  initialText: string;
  diagnostics: readonly FormulaDiagnostic[];
  placeholder: string;
  testId: string;
  /** Focus this editor once mounted (a new metric, or go to definition). */
  autoFocus?: boolean;
  onChange: (text: string) => void;
  onSave: () => void;
}

const MIN_HEIGHT = 24;
const MAX_HEIGHT = 160;

export function FormulaEditor(props: FormulaEditorProps) {
  const containerRef = useRef<HTMLDivElement>(null);
  const latest = useRef(props);
  latest.current = props;
  const { tabId, slot, diagnostics } = props;

  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    const model = formulaModel(tabId, slot, latest.current.initialText);
    const editor = createEditor(container, {
      model,
      lineNumbers: 'off',
      glyphMargin: false,
      folding: false,
      lineDecorationsWidth: 6,
      lineNumbersMinChars: 0,
      renderLineHighlight: 'none',
      overviewRulerLanes: 0,
      hideCursorInOverviewRuler: true,
      scrollbar: { vertical: 'hidden', horizontal: 'hidden', alwaysConsumeMouseWheel: false },
      wordWrap: 'on',
      padding: { top: 2, bottom: 2 },
      placeholder: latest.current.placeholder,
    });
    const fit = () => {
      const height = Math.min(MAX_HEIGHT, Math.max(MIN_HEIGHT, editor.getContentHeight()));
      container.style.height = `${height}px`;
    };
    fit();
    if (latest.current.autoFocus) editor.focus();
    const unregister = registerFormulaEditor(tabId, slot, editor);
    const disposables = [
      editor.onDidContentSizeChange(fit),
      model.onDidChangeContent(() => latest.current.onChange(model.getValue())),
      editor.addAction({
        id: 'dash.saveDraft',
        label: 'Save the pipeline draft',
        keybindings: [monaco.KeyMod.CtrlCmd | monaco.KeyCode.KeyS],
        run: () => latest.current.onSave(),
      }),
    ];
    return () => {
      editor.trigger('dash', 'hideSuggestWidget', null);
      unregister();
      for (const d of disposables) d.dispose();
      editor.dispose();
    };
  }, [tabId, slot]);

  useEffect(() => setFormulaMarkers(tabId, slot, diagnostics), [tabId, slot, diagnostics]);

  return (
    <div className="formula-field">
      <div
        className={`formula-editor${diagnostics.some((d) => d.severity === 'error') ? ' has-error' : ''}`}
        data-testid={props.testId}
        ref={containerRef}
      />
      {diagnostics.length > 0 ? (
        <ul className="formula-problems" data-testid="formula-problems">
          {diagnostics.map((d, i) => (
            <li key={i} className={d.severity}>
              {diagnosticText(d)}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
