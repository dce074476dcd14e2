/** What the pipeline editor derives from its draft: the formula problems per editor, the diff and whether it is saved. */
import { useMemo } from 'react';
import type { FormulaDiagnostic, PipelineDraft } from '../../../shared/formula';
import { diffDraft } from './draftDiff';
import { toPipelineDraft, type PipelineEditorState } from './editorStore';

/** The checker's problems keyed by the formula editor they belong to (the filter's or a metric's). */
function diagnosticsBySlot(editor: PipelineEditorState): Map<string, FormulaDiagnostic[]> {
  const bySlot = new Map<string, FormulaDiagnostic[]>();
  for (const { where, diagnostic } of editor.checked?.diagnostics ?? []) {
    const slot = where === 'filter' ? editor.edited.filterKey : editor.edited.metrics[where.metric]?.key;
    if (!slot) continue;
    bySlot.set(slot, [...(bySlot.get(slot) ?? []), diagnostic]);
  }
  return bySlot;
}

/** Whether the draft differs from the draft file, or from the server's definition when there is no file. */
function isDirty(editor: PipelineEditorState, draft: PipelineDraft): boolean {
  const saved = editor.savedDraft
    ? JSON.stringify({ filter: editor.savedDraft.filter, metrics: editor.savedDraft.metrics })
    : null;
  const reference =
    saved ??
    (editor.server
      ? JSON.stringify(
          toPipelineDraft({
            filterKey: '',
            filter: editor.server.definition.filter ?? '',
            metrics: editor.server.definition.metrics.map((m) => ({ ...m, key: '' })),
          }),
        )
      : null);
  return JSON.stringify(draft) !== reference;
}

export function usePipelineEditorDraft(editor: PipelineEditorState | undefined) {
  const diagnostics = useMemo(
    () => (editor ? diagnosticsBySlot(editor) : new Map<string, FormulaDiagnostic[]>()),
    [editor],
  );
  const draft = useMemo(() => (editor ? toPipelineDraft(editor.edited) : null), [editor]);
  const diff = useMemo(
    () =>
      editor?.server && draft
        ? diffDraft({ filter: editor.server.definition.filter, metrics: editor.server.definition.metrics }, draft)
        : [],
    [editor?.server, draft],
  );
  const dirty = useMemo(() => (editor && draft ? isDirty(editor, draft) : false), [editor, draft]);
  return { draft, diagnostics, diff, dirty };
}
