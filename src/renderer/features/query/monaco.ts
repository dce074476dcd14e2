/**
 * Monaco, trimmed: the editor core with its usual editing features and only the
 * SQL language (no TypeScript/JSON/CSS/HTML language services). One worker
 * for the editor core, bundled by Vite, never loaded from a CDN.
 */
import * as monaco from 'monaco-editor/esm/vs/editor/editor.api.js';
import 'monaco-editor/esm/vs/editor/edcore.main.js';
import 'monaco-editor/esm/vs/basic-languages/sql/sql.contribution.js';
import EditorWorker from 'monaco-editor/esm/vs/editor/editor.worker.js?worker';
import type { Catalog } from '../../../shared/api/contract';
import type { WarehouseFunction } from '../../../shared/api/queries';
import { suggestionsAt, type SuggestionKind } from './completion';
import { duckdbMonarch } from './duckdbSql';

self.MonacoEnvironment = { getWorker: () => new EditorWorker() };

// Monaco cancels its pending work (suggestions, highlights) when an editor goes away;
// a cancellation is not an error.
window.addEventListener('unhandledrejection', (e) => {
  if (e.reason instanceof Error && e.reason.name === 'Canceled' && e.reason.message === 'Canceled') e.preventDefault();
});

monaco.editor.defineTheme('dash-dark', {
  base: 'vs-dark',
  inherit: true,
  rules: [
    { token: 'type.sql', foreground: '4ec9b0' },
    { token: 'predefined.sql', foreground: 'dcdcaa' },
  ],
  colors: {
    'editor.background': '#1b1d21',
    'editor.lineHighlightBackground': '#23262b',
    'editorLineNumber.foreground': '#4b515a',
    'editorGutter.background': '#1b1d21',
  },
});

// DuckDB's words on top of the stock SQL language (its brackets and comments stay).
monaco.languages.setMonarchTokensProvider('sql', duckdbMonarch([]) as monaco.languages.IMonarchLanguage);

/** Completion from the warehouse: relations and columns (catalog), functions (duckdb_functions()). */
let catalogSource: () => Catalog | null = () => null;
let functionsSource: () => readonly WarehouseFunction[] = () => [];
let highlighted = 0;

export function setCompletionCatalog(source: () => Catalog | null): void {
  catalogSource = source;
}

export function setCompletionFunctions(source: () => readonly WarehouseFunction[]): void {
  functionsSource = source;
}

/** Highlights the warehouse's own function names too, once they are known. */
export function highlightFunctions(names: readonly string[]): void {
  if (names.length === highlighted) return;
  highlighted = names.length;
  monaco.languages.setMonarchTokensProvider('sql', duckdbMonarch(names) as monaco.languages.IMonarchLanguage);
}

const KINDS: Record<SuggestionKind, monaco.languages.CompletionItemKind> = {
  keyword: monaco.languages.CompletionItemKind.Keyword,
  type: monaco.languages.CompletionItemKind.TypeParameter,
  schema: monaco.languages.CompletionItemKind.Module,
  relation: monaco.languages.CompletionItemKind.Struct,
  column: monaco.languages.CompletionItemKind.Field,
  function: monaco.languages.CompletionItemKind.Function,
};

monaco.languages.registerCompletionItemProvider('sql', {
  triggerCharacters: ['.'],
  provideCompletionItems(model, position) {
    const word = model.getWordUntilPosition(position);
    const range = new monaco.Range(position.lineNumber, word.startColumn, position.lineNumber, word.endColumn);
    const offset = model.getOffsetAt(position);
    const suggestions = suggestionsAt(model.getValue(), offset, catalogSource(), functionsSource()).map(
      (s): monaco.languages.CompletionItem => ({
        label: { label: s.label, description: s.kind === 'column' ? s.detail.split(' — ')[0] : undefined },
        kind: KINDS[s.kind],
        detail: s.detail,
        ...(s.documentation ? { documentation: s.documentation } : {}),
        insertText: s.insertText,
        sortText: s.sortText,
        range,
      }),
    );
    return { suggestions };
  },
});

/**
 * Creates an editor with what every editor in the workbench shares (theme, font, no
 * minimap, widgets free to overflow the panel); `options` adds or overrides the rest.
 */
export function createEditor(
  container: HTMLElement,
  options: monaco.editor.IStandaloneEditorConstructionOptions,
): monaco.editor.IStandaloneCodeEditor {
  return monaco.editor.create(container, {
    theme: 'dash-dark',
    automaticLayout: true,
    minimap: { enabled: false },
    fontSize: 13,
    lineHeight: 20,
    fontFamily: "'JetBrains Mono', 'DejaVu Sans Mono', Menlo, Consolas, monospace",
    scrollBeyondLastLine: false,
    fixedOverflowWidgets: true,
    tabSize: 2,
    ...options,
  });
}

export { monaco };
