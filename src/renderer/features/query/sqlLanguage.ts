/**
 * DuckDB's SQL in Monaco: its words highlighted on top of the stock SQL language,
 * and completion from the warehouse's catalog and functions. The query feature
 * registers it when the workbench starts (`contributeQuery`); importing it does nothing.
 */
import type { Catalog } from '../../../shared/api/contract';
import type { WarehouseFunction } from '../../../shared/api/queries';
import { useWorkspaceStore } from '../../state/workspaceStore';
import { monaco } from '../../workbench/monaco';
import { suggestionsAt, type SuggestionKind } from './completion';
import { duckdbMonarch } from './duckdbSql';
import { useSqlFiles } from './sqlFilesStore';

/** Completion from the warehouse: relations and columns (catalog), functions (duckdb_functions()). */
const catalogSource = (): Catalog | null => useWorkspaceStore.getState().catalog.data;
const functionsSource = (): readonly WarehouseFunction[] => useSqlFiles.getState().functions;

const KINDS: Record<SuggestionKind, monaco.languages.CompletionItemKind> = {
  keyword: monaco.languages.CompletionItemKind.Keyword,
  type: monaco.languages.CompletionItemKind.TypeParameter,
  schema: monaco.languages.CompletionItemKind.Module,
  relation: monaco.languages.CompletionItemKind.Struct,
  column: monaco.languages.CompletionItemKind.Field,
  function: monaco.languages.CompletionItemKind.Function,
};

const completionProvider: monaco.languages.CompletionItemProvider = {
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
};

/**
 * Registers the highlighting and the completion; returns how to take them back, so a
 * hot reload that registers again leaves no second provider or subscription behind.
 */
export function registerSqlLanguage(): () => void {
  let tokens: monaco.IDisposable | null = null;
  let highlighted = -1;
  /** DuckDB's words on top of the stock SQL language (its brackets and comments stay), the warehouse's functions once known. */
  const highlight = (functions: readonly WarehouseFunction[]): void => {
    if (functions.length === highlighted) return;
    highlighted = functions.length;
    const names = functions.map((f) => f.name);
    // Setting again replaces the last tokens: only the current one needs taking back.
    tokens = monaco.languages.setMonarchTokensProvider(
      'sql',
      duckdbMonarch(names) as monaco.languages.IMonarchLanguage,
    );
  };
  highlight(useSqlFiles.getState().functions);
  const unsubscribe = useSqlFiles.subscribe((s) => highlight(s.functions));
  const completion = monaco.languages.registerCompletionItemProvider('sql', completionProvider);
  return () => {
    unsubscribe();
    completion.dispose();
    tokens?.dispose();
  };
}
