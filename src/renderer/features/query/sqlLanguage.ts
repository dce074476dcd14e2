/**
 * DuckDB's SQL in Monaco: its words highlighted on top of the stock SQL language,
 * and completion from the warehouse's catalog and functions. The SQL editor loads it.
 */
import type { Catalog } from '../../../shared/api/contract';
import type { WarehouseFunction } from '../../../shared/api/queries';
import { useWorkspaceStore } from '../../state/workspaceStore';
import { monaco } from '../../workbench/monaco';
import { suggestionsAt, type SuggestionKind } from './completion';
import { duckdbMonarch } from './duckdbSql';
import { useSqlFiles } from './sqlFilesStore';

// DuckDB's words on top of the stock SQL language (its brackets and comments stay).
monaco.languages.setMonarchTokensProvider('sql', duckdbMonarch([]) as monaco.languages.IMonarchLanguage);

/** Completion from the warehouse: relations and columns (catalog), functions (duckdb_functions()). */
const catalogSource = (): Catalog | null => useWorkspaceStore.getState().catalog.data;
const functionsSource = (): readonly WarehouseFunction[] => useSqlFiles.getState().functions;
let highlighted = 0;

/** Highlights the warehouse's own function names too, once they are known. */
function highlightFunctions(functions: readonly WarehouseFunction[]): void {
  if (functions.length === highlighted) return;
  highlighted = functions.length;
  const names = functions.map((f) => f.name);
  monaco.languages.setMonarchTokensProvider('sql', duckdbMonarch(names) as monaco.languages.IMonarchLanguage);
}
// The language lives as long as the window: so does this subscription.
useSqlFiles.subscribe((s) => highlightFunctions(s.functions));

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
