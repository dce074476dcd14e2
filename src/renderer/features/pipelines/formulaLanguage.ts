/**
 * Monaco support for pipeline formulas (language `dash-formula`): highlighting
 * from the language's own tokenizer, completion of Bronze columns (type and an
 * example value from the preview sample), functions and earlier metrics, hover
 * docs, and go to the metric a name refers to. Diagnostics are set as markers
 * by the editor (see setFormulaMarkers), from checkPipeline.
 */
import { FORMULA_FUNCTIONS, tokenize, type FormulaDiagnostic } from '../../../shared/formula';
import { monaco } from '../../workbench/monaco';
import { getEditor } from './editorStore';
import { editors, models, slotKey, slots, type FormulaSlot } from './formulaModels';

export const FORMULA_LANGUAGE = 'dash-formula';
const MARKER_OWNER = 'dash.formula';

/** The model of a formula (kept while its tab lives, with its undo history). */
export function formulaModel(tabId: string, slot: string, text: string): monaco.editor.ITextModel {
  const key = slotKey(tabId, slot);
  const existing = models.get(key);
  if (existing && !existing.isDisposed()) return existing;
  const uri = monaco.Uri.parse(`dash-formula://${tabId}/${slot}`);
  const model = monaco.editor.getModel(uri) ?? monaco.editor.createModel(text, FORMULA_LANGUAGE, uri);
  models.set(key, model);
  slots.set(model.uri.toString(), { tabId, slot });
  return model;
}

export function registerFormulaEditor(
  tabId: string,
  slot: string,
  editor: monaco.editor.IStandaloneCodeEditor,
): () => void {
  const key = slotKey(tabId, slot);
  editors.set(key, editor);
  return () => {
    if (editors.get(key) === editor) editors.delete(key);
  };
}

/** Shows diagnostics on a formula's model; a suggestion is spelled out in the message. */
export function setFormulaMarkers(tabId: string, slot: string, diagnostics: readonly FormulaDiagnostic[]): void {
  const model = models.get(slotKey(tabId, slot));
  if (!model || model.isDisposed()) return;
  const length = model.getValueLength();
  monaco.editor.setModelMarkers(
    model,
    MARKER_OWNER,
    diagnostics.map((d) => {
      const start = model.getPositionAt(Math.min(d.range.start, length));
      // An empty range (e.g. "expected a value" at the end) still gets a visible squiggle.
      const endOffset = Math.max(d.range.end, d.range.start + 1);
      const end = model.getPositionAt(Math.min(endOffset, length));
      return {
        severity: d.severity === 'error' ? monaco.MarkerSeverity.Error : monaco.MarkerSeverity.Warning,
        message: diagnosticText(d),
        startLineNumber: start.lineNumber,
        startColumn: start.column,
        endLineNumber: end.lineNumber,
        endColumn: end.lineNumber === start.lineNumber && end.column === start.column ? start.column + 1 : end.column,
      };
    }),
  );
}

export function diagnosticText(d: FormulaDiagnostic): string {
  if (!d.suggestion || /did you mean/i.test(d.message)) return d.message;
  return `${d.message} — did you mean \`${d.suggestion}\`?`;
}

/** The metrics a slot may use: those defined before it (a filter may use none). */
function earlierMetrics(slot: FormulaSlot): { key: string; name: string; formula: string; unit: string }[] {
  const editor = getEditor(slot.tabId);
  if (!editor || slot.slot === 'filter') return [];
  const index = editor.edited.metrics.findIndex((m) => m.key === slot.slot);
  return editor.edited.metrics.slice(0, Math.max(0, index)).filter((m) => m.name.trim() !== '');
}

function identifierAt(
  model: monaco.editor.ITextModel,
  position: monaco.Position,
): { name: string; range: monaco.Range } | null {
  const text = model.getValue();
  const offset = model.getOffsetAt(position);
  for (const token of tokenize(text)) {
    if (
      token.range.start <= offset &&
      offset <= token.range.end &&
      (token.kind === 'identifier' || token.kind === 'function')
    ) {
      const start = model.getPositionAt(token.range.start);
      const end = model.getPositionAt(token.range.end);
      return {
        name: text.slice(token.range.start, token.range.end),
        range: new monaco.Range(start.lineNumber, start.column, end.lineNumber, end.column),
      };
    }
  }
  return null;
}

const TOKEN_CLASS: Record<ReturnType<typeof tokenize>[number]['kind'], string> = {
  number: 'number',
  duration: 'number',
  string: 'string',
  identifier: 'identifier',
  function: 'predefined.sql',
  keyword: 'keyword',
  operator: 'operator',
  paren: 'delimiter.parenthesis',
  comma: 'delimiter',
  error: 'invalid',
};

class LineState implements monaco.languages.IState {
  clone(): LineState {
    return this;
  }
  equals(other: monaco.languages.IState): boolean {
    return other === this;
  }
}
const LINE_STATE = new LineState();

/**
 * Registers the formula language with Monaco: called once when the workbench starts
 * (pipelines/contributions); the undo takes every provider back (a hot reload registers afresh).
 */
export function registerFormulaLanguage(): () => void {
  monaco.languages.register({ id: FORMULA_LANGUAGE });
  const disposables = [
    monaco.languages.setLanguageConfiguration(FORMULA_LANGUAGE, {
      brackets: [['(', ')']],
      autoClosingPairs: [
        { open: '(', close: ')' },
        { open: "'", close: "'", notIn: ['string'] },
      ],
      wordPattern: /[A-Za-z_][A-Za-z0-9_]*/,
    }),

    // Formulas are short: each line is tokenized on its own by the language's tokenizer.
    monaco.languages.setTokensProvider(FORMULA_LANGUAGE, {
      getInitialState: () => LINE_STATE,
      tokenize(line) {
        const tokens: monaco.languages.IToken[] = [];
        let covered = 0;
        for (const t of tokenize(line)) {
          if (t.range.start > covered) tokens.push({ startIndex: covered, scopes: '' });
          tokens.push({ startIndex: t.range.start, scopes: TOKEN_CLASS[t.kind] });
          covered = t.range.end;
        }
        if (covered < line.length) tokens.push({ startIndex: covered, scopes: '' });
        return { tokens, endState: LINE_STATE };
      },
    }),

    monaco.languages.registerCompletionItemProvider(FORMULA_LANGUAGE, {
      provideCompletionItems(model, position) {
        const slot = slots.get(model.uri.toString());
        const editor = slot ? getEditor(slot.tabId) : undefined;
        const word = model.getWordUntilPosition(position);
        const range = new monaco.Range(position.lineNumber, word.startColumn, position.lineNumber, word.endColumn);
        const suggestions: monaco.languages.CompletionItem[] = [];
        for (const column of editor?.schema ?? []) {
          const example = editor?.sample?.exampleValues[column.name];
          suggestions.push({
            label: { label: column.name, description: column.type },
            kind: monaco.languages.CompletionItemKind.Field,
            detail: `Bronze column · ${column.type}`,
            documentation:
              example === undefined ? 'Load a sample to see an example value.' : `Example from the sample: ${example}`,
            insertText: column.name,
            sortText: `1${column.name}`,
            range,
          });
        }
        for (const m of slot ? earlierMetrics(slot) : []) {
          suggestions.push({
            label: { label: m.name, description: m.unit || 'metric' },
            kind: monaco.languages.CompletionItemKind.Variable,
            detail: `Metric · ${m.unit}`,
            documentation: `= ${m.formula}`,
            insertText: m.name,
            sortText: `0${m.name}`,
            range,
          });
        }
        for (const f of FORMULA_FUNCTIONS) {
          suggestions.push({
            label: { label: f.name, description: f.kind },
            kind: monaco.languages.CompletionItemKind.Function,
            detail: f.signature,
            documentation: { value: `${f.doc}\n\n\`${f.example}\`` },
            insertText: `${f.name}($0)`,
            insertTextRules: monaco.languages.CompletionItemInsertTextRule.InsertAsSnippet,
            sortText: `2${f.name}`,
            range,
          });
        }
        return { suggestions };
      },
    }),

    monaco.languages.registerHoverProvider(FORMULA_LANGUAGE, {
      provideHover(model, position) {
        const slot = slots.get(model.uri.toString());
        const found = identifierAt(model, position);
        if (!slot || !found) return null;
        const editor = getEditor(slot.tabId);
        const fn = FORMULA_FUNCTIONS.find((f) => f.name === found.name.toLowerCase());
        if (fn) {
          return {
            range: found.range,
            contents: [{ value: `**${fn.signature}**` }, { value: fn.doc }, { value: `\`${fn.example}\`` }],
          };
        }
        const metric = earlierMetrics(slot).find((m) => m.name === found.name);
        if (metric) {
          return {
            range: found.range,
            contents: [
              { value: `**${metric.name}** — metric (${metric.unit || 'no unit'})` },
              { value: `\`${metric.formula}\`` },
              { value: 'F12 goes to its definition' },
            ],
          };
        }
        const column = editor?.schema?.find((c) => c.name === found.name);
        if (column) {
          const example = editor?.sample?.exampleValues[column.name];
          return {
            range: found.range,
            contents: [
              { value: `**${column.name}** — Bronze column, ${column.type}` },
              ...(example === undefined ? [] : [{ value: `Example: \`${example}\`` }]),
            ],
          };
        }
        return null;
      },
    }),

    monaco.languages.registerDefinitionProvider(FORMULA_LANGUAGE, {
      provideDefinition(model, position) {
        const slot = slots.get(model.uri.toString());
        const found = identifierAt(model, position);
        if (!slot || !found) return null;
        const metric = earlierMetrics(slot).find((m) => m.name === found.name);
        const target = metric ? models.get(slotKey(slot.tabId, metric.key)) : undefined;
        if (!target) return null;
        return { uri: target.uri, range: target.getFullModelRange() };
      },
    }),

    // A definition lives in another metric's editor: focus that one instead of opening a model.
    monaco.editor.registerEditorOpener({
      openCodeEditor(_source, resource, selectionOrPosition) {
        const slot = slots.get(resource.toString());
        if (!slot) return false;
        const editor = editors.get(slotKey(slot.tabId, slot.slot));
        if (!editor) return false;
        editor.getDomNode()?.scrollIntoView({ block: 'center' });
        editor.focus();
        if (selectionOrPosition && 'startLineNumber' in selectionOrPosition) editor.setSelection(selectionOrPosition);
        return true;
      },
    }),
  ];
  return () => {
    for (const disposable of disposables) disposable.dispose();
  };
}

export { monaco };
