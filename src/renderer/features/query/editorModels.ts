/**
 * One Monaco model per SQL tab (kept while the tab is hidden, with its undo
 * history), and what runs draw on it: the error marker of a failed query and
 * a brief highlight of the statement that ran.
 */
import { errorRange } from './errorPosition';
import { monaco } from '../../workbench/monaco';
import { currentRunners, flashes, models } from './sqlModels';

const MARKER_OWNER = 'dash.query';

/** Where the text that ran came from in its tab, to place what DuckDB says about it. */
export interface RunOrigin {
  offset: number;
  /** The model's version when it ran: after an edit the offsets no longer fit. */
  versionId: number;
}

export function modelFor(tabId: string, initialSql: string): monaco.editor.ITextModel {
  let model = models.get(tabId);
  if (!model || model.isDisposed()) {
    const created = monaco.editor.createModel(initialSql, 'sql');
    // An edit makes the marker stale: clear it, as IDEs do.
    created.onDidChangeContent(() => {
      monaco.editor.setModelMarkers(created, MARKER_OWNER, []);
      const flash = flashes.get(tabId);
      if (flash) {
        flashes.delete(tabId);
        created.deltaDecorations(flash, []);
      }
    });
    models.set(tabId, created);
    model = created;
  }
  return model;
}

export function originOf(tabId: string, offset: number): RunOrigin | undefined {
  const model = models.get(tabId);
  return model && !model.isDisposed() ? { offset, versionId: model.getAlternativeVersionId() } : undefined;
}

export function clearRunMarkers(tabId: string): void {
  const model = models.get(tabId);
  if (model && !model.isDisposed()) monaco.editor.setModelMarkers(model, MARKER_OWNER, []);
}

/** Underlines where the error points, when DuckDB says where; true when a marker was placed. */
export function markRunError(tabId: string, origin: RunOrigin, sql: string, message: string): boolean {
  const model = models.get(tabId);
  if (!model || model.isDisposed() || model.getAlternativeVersionId() !== origin.versionId) return false;
  const range = errorRange(sql, message);
  if (!range) return false;
  const start = model.getPositionAt(origin.offset + range.start);
  const end = model.getPositionAt(origin.offset + Math.max(range.end, range.start + 1));
  monaco.editor.setModelMarkers(model, MARKER_OWNER, [
    {
      severity: monaco.MarkerSeverity.Error,
      // The first line says what is wrong; the caret drawing is for terminals.
      message: message.split('\n\nLINE ')[0]!.trim(),
      source: 'DuckDB',
      startLineNumber: start.lineNumber,
      startColumn: start.column,
      endLineNumber: end.lineNumber,
      endColumn: end.column,
    },
  ]);
  return true;
}

/** Briefly highlights the text that ran, so it is clear which statement that was. */
export function flashRan(tabId: string, start: number, end: number): void {
  const model = models.get(tabId);
  if (!model || model.isDisposed()) return;
  const from = model.getPositionAt(start);
  const to = model.getPositionAt(end);
  const ids = model.deltaDecorations(flashes.get(tabId) ?? [], [
    {
      range: new monaco.Range(from.lineNumber, from.column, to.lineNumber, to.column),
      options: { className: 'sql-ran-statement', isWholeLine: false, stickiness: 1 },
    },
  ]);
  flashes.set(tabId, ids);
  setTimeout(() => {
    if (model.isDisposed() || flashes.get(tabId) !== ids) return;
    model.deltaDecorations(ids, []);
    flashes.delete(tabId);
  }, 900);
}

export function setCurrentRunner(tabId: string, run: (() => void) | null): void {
  if (run) currentRunners.set(tabId, run);
  else currentRunners.delete(tabId);
}

/** Runs what Ctrl/Cmd+Enter would; false when the tab's editor is not mounted. */
export function runCurrent(tabId: string): boolean {
  const run = currentRunners.get(tabId);
  run?.();
  return run !== undefined;
}
