/**
 * The formula editors' Monaco models and mounted editors, by tab and slot. Kept
 * apart from the language (formulaLanguage) so the pipeline actions can free a
 * tab's models without loading Monaco: only the types come from it.
 */
import type { editor as monacoEditor } from 'monaco-editor/esm/vs/editor/editor.api.js';

/** Which formula a model holds: a tab's filter, or one of its metrics (by key). */
export interface FormulaSlot {
  tabId: string;
  /** 'filter' or a metric key. */
  slot: string;
}

export const slots = new Map<string, FormulaSlot>();
export const models = new Map<string, monacoEditor.ITextModel>();
/** Mounted editors by `tabId/slot`, to jump to a metric. */
export const editors = new Map<string, monacoEditor.IStandaloneCodeEditor>();

export function slotKey(tabId: string, slot: string): string {
  return `${tabId}/${slot}`;
}

export function disposeFormulaModels(tabId: string, keep?: ReadonlySet<string>): void {
  for (const [key, model] of models) {
    const slot = key.slice(tabId.length + 1);
    if (!key.startsWith(`${tabId}/`) || keep?.has(slot)) continue;
    slots.delete(model.uri.toString());
    models.delete(key);
    model.dispose();
  }
}

/** How many formula models are open (the tab lifecycle test checks a closed tab leaves none). */
export function formulaModelCount(): number {
  return models.size;
}
