/** What a draft changes against the server's version of the pipeline, metric by metric (matched by name). */
import type { PipelineDraft } from '../../../shared/formula';

export type DiffEntry =
  | { kind: 'filter'; before: string | null; after: string | null }
  | { kind: 'added'; metric: string; formula: string; unit: string }
  | { kind: 'removed'; metric: string; formula: string; unit: string }
  | {
      kind: 'changed';
      metric: string;
      formula: { before: string; after: string } | null;
      unit: { before: string; after: string } | null;
    }
  | { kind: 'reordered'; before: string[]; after: string[] };

function norm(text: string | null): string | null {
  return text === null || text.trim() === '' ? null : text.trim();
}

export function diffDraft(server: PipelineDraft, draft: PipelineDraft): DiffEntry[] {
  const entries: DiffEntry[] = [];
  const before = norm(server.filter);
  const after = norm(draft.filter);
  if (before !== after) entries.push({ kind: 'filter', before, after });
  const serverByName = new Map(server.metrics.map((m) => [m.name, m]));
  const draftNames = new Set(draft.metrics.map((m) => m.name));
  for (const m of draft.metrics) {
    const old = serverByName.get(m.name);
    if (!old) {
      entries.push({ kind: 'added', metric: m.name, formula: m.formula, unit: m.unit });
      continue;
    }
    const formula = old.formula.trim() === m.formula.trim() ? null : { before: old.formula, after: m.formula };
    const unit = old.unit === m.unit ? null : { before: old.unit, after: m.unit };
    if (formula || unit) entries.push({ kind: 'changed', metric: m.name, formula, unit });
  }
  for (const m of server.metrics) {
    if (!draftNames.has(m.name)) entries.push({ kind: 'removed', metric: m.name, formula: m.formula, unit: m.unit });
  }
  // Order matters (a metric may only use the ones before it): say when the kept ones moved.
  const keptBefore = server.metrics.map((m) => m.name).filter((n) => draftNames.has(n));
  const keptAfter = draft.metrics.map((m) => m.name).filter((n) => serverByName.has(n));
  if (keptBefore.join('\n') !== keptAfter.join('\n')) {
    entries.push({ kind: 'reordered', before: keptBefore, after: keptAfter });
  }
  return entries;
}
