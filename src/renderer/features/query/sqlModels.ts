/**
 * The SQL tabs' Monaco models, run highlights and runners, by tab. Kept apart from
 * the editor code (editorModels) so closing a tab can free them without loading
 * Monaco: only the types come from it.
 */
import type { editor as monacoEditor } from 'monaco-editor/esm/vs/editor/editor.api.js';

export const models = new Map<string, monacoEditor.ITextModel>();
export const flashes = new Map<string, string[]>();
/** The mounted editor's "run the selection or the statement under the cursor", per tab. */
export const currentRunners = new Map<string, () => void>();
/** Where each tab's editor was scrolled and its cursor, restored when the tab shows again. */
export const viewStates = new Map<string, monacoEditor.ICodeEditorViewState>();

export function disposeEditorModel(tabId: string): void {
  models.get(tabId)?.dispose();
  models.delete(tabId);
  flashes.delete(tabId);
  currentRunners.delete(tabId);
  viewStates.delete(tabId);
}

/** How many SQL tabs hold editor state (the tab lifecycle test checks a closed tab leaves none). */
export function sqlEditorStateCount(): number {
  return new Set([...models.keys(), ...flashes.keys(), ...currentRunners.keys(), ...viewStates.keys()]).size;
}
