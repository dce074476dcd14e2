/**
 * Monaco, trimmed: the editor core with its usual editing features and only the
 * SQL tokenizer (no TypeScript/JSON/CSS/HTML language services). One worker
 * for the editor core, bundled by Vite, never loaded from a CDN.
 */
import * as monaco from 'monaco-editor/esm/vs/editor/editor.api.js';
import 'monaco-editor/esm/vs/editor/edcore.main.js';
import 'monaco-editor/esm/vs/basic-languages/sql/sql.contribution.js';
import EditorWorker from 'monaco-editor/esm/vs/editor/editor.worker.js?worker';
import type { Catalog } from '../../../shared/api/contract';

self.MonacoEnvironment = { getWorker: () => new EditorWorker() };

monaco.editor.defineTheme('dash-dark', {
  base: 'vs-dark',
  inherit: true,
  rules: [],
  colors: {
    'editor.background': '#1b1d21',
    'editor.lineHighlightBackground': '#23262b',
    'editorLineNumber.foreground': '#4b515a',
    'editorGutter.background': '#1b1d21',
  },
});

/** Completion for the relations and columns of the local warehouse. */
let catalogSource: () => Catalog | null = () => null;

export function setCompletionCatalog(source: () => Catalog | null): void {
  catalogSource = source;
}

monaco.languages.registerCompletionItemProvider('sql', {
  provideCompletionItems(model, position) {
    const word = model.getWordUntilPosition(position);
    const range = new monaco.Range(position.lineNumber, word.startColumn, position.lineNumber, word.endColumn);
    const catalog = catalogSource();
    if (!catalog) return { suggestions: [] };
    const seen = new Set<string>();
    const suggestions: monaco.languages.CompletionItem[] = [];
    for (const relation of catalog.relations) {
      const name = relation.schema === 'main' ? relation.name : `${relation.schema}.${relation.name}`;
      suggestions.push({
        label: name,
        kind: monaco.languages.CompletionItemKind.Struct,
        detail: relation.kind,
        insertText: name,
        range,
      });
      for (const column of relation.columns) {
        if (seen.has(column.name)) continue;
        seen.add(column.name);
        suggestions.push({
          label: column.name,
          kind: monaco.languages.CompletionItemKind.Field,
          detail: column.type,
          insertText: column.name,
          range,
        });
      }
    }
    return { suggestions };
  },
});

export { monaco };
