/**
 * The pipeline editor's work: loading a pipeline and its draft, editing,
 * saving/discarding the draft file, loading a Bronze sample into the WASM
 * working set once, and re-running the draft over it on every edit.
 */
import type { PipelineSummary } from '../../../shared/api/contract';
import { WorkbenchError, errorMessage } from '../../../shared/errors';
import { checkPipeline, compilePipeline, type PipelineDraft } from '../../../shared/formula';
import { dropTable, getEngine } from '../../engine/engineStore';
import { disposeFormulaModels } from './formulaModels';
import { SupersededError } from '../../engine/SerialQueue';
import type { CellValue } from '../../engine/rows';
import { toErrorView } from '../../state/errorView';
import { workbench } from '../../state/workbench';
import { fetchChunks } from '../../engine/resultChunks';
import { openPipelineTab } from '../../workbench/tabsStore';
import {
  acceptPreview,
  editedFrom,
  getEditor,
  initialEditor,
  newMetricKey,
  patchEditor,
  removeEditor,
  setEditor,
  toPipelineDraft,
  useEditorsStore,
  type EditedDraft,
  type EditedMetric,
  type MetricStats,
  type PreviewResult,
} from './editorStore';
import {
  SLICE_RECORDS,
  previewChartLines,
  previewCompileSchema,
  previewStatements,
  sampleRenames,
  sampleSource,
} from './previewSql';

/** Keystrokes closer than this share one preview run. */
export const PREVIEW_DEBOUNCE_MS = 150;

const previewTables = new Map<string, string>();
const timers = new Map<string, ReturnType<typeof setTimeout>>();
let sampleSeq = 0;

export function openPipelineEditor(pipelineId: string, title: string): void {
  const tabId = openPipelineTab(pipelineId, title);
  if (getEditor(tabId)) return;
  setEditor(tabId, initialEditor(pipelineId));
  void loadEditor(tabId);
}

async function serverPipeline(pipelineId: string): Promise<PipelineSummary | null> {
  const { pipelines } = await workbench().call('pipelines.list', {});
  return pipelines.find((p) => p.id === pipelineId) ?? null;
}

/** (Re)loads the server's pipeline, the draft file and what can be sampled. */
export async function loadEditor(tabId: string): Promise<void> {
  const editor = getEditor(tabId);
  if (!editor) return;
  const { pipelineId } = editor;
  patchEditor(tabId, { loading: true, error: null });
  const client = workbench();
  const options = client.call('preview.options', { pipelineId }).then(
    (o) => patchEditor(tabId, { schema: o.columns, series: o.series, skippedFiles: o.skippedFiles, schemaError: null }),
    (err: unknown) => patchEditor(tabId, { schemaError: toErrorView(err), schema: null, series: null }),
  );
  try {
    const [server, { draft }] = await Promise.all([
      serverPipeline(pipelineId),
      client.call('drafts.read', { pipelineId }),
    ]);
    if (!server && !draft) {
      throw new WorkbenchError(
        'not_found',
        `The server has no pipeline "${pipelineId}"`,
        'Refresh the Pipelines list.',
      );
    }
    const source = draft ?? server!.definition;
    patchEditor(tabId, {
      loading: false,
      server,
      savedDraft: draft,
      baseVersion: draft ? draft.baseVersion : (server?.version ?? null),
      edited: editedFrom(source),
    });
  } catch (err) {
    patchEditor(tabId, { loading: false, error: toErrorView(err) });
  }
  await options;
  recheck(tabId);
}

/** Whether the editor shows exactly the server's definition: no draft file, no unsaved edits. */
function showsServerDefinition(editor: NonNullable<ReturnType<typeof getEditor>>): boolean {
  if (editor.savedDraft || !editor.server) return false;
  const server = toPipelineDraft(editedFrom(editor.server.definition));
  return JSON.stringify(toPipelineDraft(editor.edited)) === JSON.stringify(server);
}

/**
 * After the server's pipeline changed under an open editor (an undo restored
 * an older definition as a new version): an editor that showed the server's
 * definition follows it, as after a push; a draft or unsaved edits are kept,
 * and the editor says the server moved on (its diff is against the new version).
 */
export async function followServerPipeline(tabId: string): Promise<void> {
  const editor = getEditor(tabId);
  if (!editor) return;
  if (showsServerDefinition(editor)) {
    disposeFormulaModels(tabId);
    await loadEditor(tabId);
    return;
  }
  try {
    const server = await serverPipeline(editor.pipelineId);
    if (server) patchEditor(tabId, { server });
  } catch (err) {
    patchEditor(tabId, { error: toErrorView(err) });
  }
}

// ---------------------------------------------------------------- editing

function edit(tabId: string, change: (edited: EditedDraft) => EditedDraft): void {
  const editor = getEditor(tabId);
  if (!editor) return;
  patchEditor(tabId, { edited: change(editor.edited) });
  recheck(tabId);
}

export function setFilter(tabId: string, filter: string): void {
  edit(tabId, (d) => ({ ...d, filter }));
}

export function updateMetric(tabId: string, key: string, patch: Partial<Omit<EditedMetric, 'key'>>): void {
  edit(tabId, (d) => ({ ...d, metrics: d.metrics.map((m) => (m.key === key ? { ...m, ...patch } : m)) }));
}

export function addMetric(tabId: string): string {
  const key = newMetricKey();
  edit(tabId, (d) => {
    const taken = new Set(d.metrics.map((m) => m.name));
    let n = d.metrics.length + 1;
    while (taken.has(`metric_${n}`)) n++;
    return { ...d, metrics: [...d.metrics, { key, name: `metric_${n}`, formula: '', unit: '' }] };
  });
  patchEditor(tabId, { focusMetric: key });
  return key;
}

export function removeMetric(tabId: string, key: string): void {
  edit(tabId, (d) => ({ ...d, metrics: d.metrics.filter((m) => m.key !== key) }));
  const editor = getEditor(tabId);
  if (editor)
    disposeFormulaModels(tabId, new Set([editor.edited.filterKey, ...editor.edited.metrics.map((m) => m.key)]));
}

export function moveMetric(tabId: string, key: string, by: -1 | 1): void {
  edit(tabId, (d) => {
    const from = d.metrics.findIndex((m) => m.key === key);
    const to = from + by;
    if (from < 0 || to < 0 || to >= d.metrics.length) return d;
    const metrics = [...d.metrics];
    [metrics[from], metrics[to]] = [metrics[to]!, metrics[from]!];
    return { ...d, metrics };
  });
}

/** Checks the draft against the Bronze schema now (markers), and schedules a preview. */
export function recheck(tabId: string): void {
  const editor = getEditor(tabId);
  if (!editor) return;
  const checked = checkPipeline(toPipelineDraft(editor.edited), editor.schema ?? []);
  patchEditor(tabId, { checked });
  schedulePreview(tabId);
}

// ---------------------------------------------------------------- drafts

export async function saveDraft(tabId: string): Promise<void> {
  const editor = getEditor(tabId);
  if (!editor) return;
  try {
    const draft = toPipelineDraft(editor.edited);
    const saved = await workbench().call('drafts.save', {
      pipelineId: editor.pipelineId,
      baseVersion: editor.baseVersion,
      filter: draft.filter,
      metrics: draft.metrics,
    });
    patchEditor(tabId, { savedDraft: saved, error: null });
  } catch (err) {
    patchEditor(tabId, { error: toErrorView(err) });
  }
}

/** Throws the draft away (file included) and goes back to the server's version. */
export async function discardDraft(tabId: string): Promise<void> {
  const editor = getEditor(tabId);
  if (!editor) return;
  try {
    await workbench().call('drafts.delete', { pipelineId: editor.pipelineId });
    const server = (await serverPipeline(editor.pipelineId)) ?? editor.server;
    disposeFormulaModels(tabId);
    patchEditor(tabId, {
      savedDraft: null,
      server,
      baseVersion: server?.version ?? null,
      edited: editedFrom(server?.definition ?? { filter: null, metrics: [] }),
      error: null,
    });
    recheck(tabId);
  } catch (err) {
    patchEditor(tabId, { error: toErrorView(err) });
  }
}

// ---------------------------------------------------------------- the sample

function cellText(value: CellValue): string {
  return value === null ? 'null' : typeof value === 'bigint' ? value.toString() : String(value);
}

/** Loads the sample into the WASM working set once; every edit then runs over it there. */
export async function loadSample(tabId: string, seriesIds: string[], from: string, to: string): Promise<void> {
  const editor = getEditor(tabId);
  if (!editor || editor.sampleLoading) return;
  patchEditor(tabId, { sampleLoading: true, sampleError: null });
  const client = workbench();
  const started = performance.now();
  let table: string | null = null;
  try {
    const engine = await getEngine();
    sampleSeq++;
    const queryId = `sample-${tabId}-${sampleSeq}`;
    const meta = await client.call('preview.sample', { pipelineId: editor.pipelineId, seriesIds, from, to, queryId });
    // The sample may have found (and set aside) a damaged file the options did not know of.
    patchEditor(tabId, { skippedFiles: meta.skippedFiles ?? [] });
    try {
      if (meta.rowCount === 0) {
        throw new WorkbenchError(
          'not_found',
          'The sample is empty: the cached Bronze has no records of these series in this window',
          'Pick other series or a wider window.',
        );
      }
      table = engine.newTableName('sample');
      await engine.loadResult(table, fetchChunks(client, meta));
    } finally {
      void client.call('results.release', { resultId: meta.resultId }).catch(() => undefined);
    }
    const renamed = sampleRenames(meta.columns);
    const [first] = await engine.script([`SELECT * FROM ${sampleSource({ tableName: table, renamed })} LIMIT 1`]);
    const exampleValues: Record<string, string> = {};
    first?.columns.forEach((c, i) => {
      const value = first.rows[0]?.[i] ?? null;
      exampleValues[c.name] =
        c.kind === 'timestamp' && typeof value === 'number'
          ? new Date(value).toISOString()
          : cellText(value).slice(0, 80);
    });
    if (!getEditor(tabId)) {
      dropTable(table); // the tab closed while its sample loaded
      return;
    }
    const previous = getEditor(tabId)?.sample?.tableName;
    if (previous) dropTable(previous);
    patchEditor(tabId, {
      sampleLoading: false,
      sample: {
        tableName: table,
        renamed,
        seriesIds,
        from,
        to,
        records: meta.rowCount,
        truncated: meta.rowCount >= 1_000_000,
        exampleValues,
        loadMs: performance.now() - started,
      },
    });
    schedulePreview(tabId, 0);
  } catch (err) {
    if (table) dropTable(table);
    patchEditor(tabId, { sampleLoading: false, sampleError: toErrorView(err) });
  }
}

// ---------------------------------------------------------------- the preview

/**
 * Asks for a preview of the draft as it is now, `delay` ms from now (the
 * debounce): a new generation, so any answer still computing for an older
 * draft is dropped when it comes, and a pending refine of it never starts.
 */
export function schedulePreview(tabId: string, delay = PREVIEW_DEBOUNCE_MS): void {
  const editor = getEditor(tabId);
  if (!editor) return;
  const generation = editor.previewGeneration + 1;
  patchEditor(tabId, { previewGeneration: generation });
  // An answer still computing is for an older draft: the engine stops it and is free for this one.
  stopPreview(tabId);
  later(tabId, delay, () => runPreview(tabId, generation));
}

/** Stops the tab's preview the engine is computing or has queued (none before a sample is loaded). */
function stopPreview(tabId: string): void {
  if (getEditor(tabId)?.sample) void getEngine().then((engine) => engine.cancel(previewKey(tabId)));
}

/** The engine's key for a tab's preview: a newer one replaces (or stops) an older one. */
function previewKey(tabId: string): string {
  return `preview-${tabId}`;
}

/** The tab's one pending preview step (the debounce); a newer one replaces it. */
function later(tabId: string, delay: number, step: () => Promise<unknown>): void {
  clearTimeout(timers.get(tabId));
  timers.set(
    tabId,
    setTimeout(() => {
      timers.delete(tabId);
      void step();
    }, delay),
  );
}

/** Charts this metric's lines (the chart is computed for the chosen metric only). */
export function chooseChartMetric(tabId: string, metric: string): void {
  const editor = getEditor(tabId);
  if (!editor || editor.chartMetric === metric) return;
  patchEditor(tabId, { chartMetric: metric });
  if (editor.preview && editor.preview.chart?.metric !== metric) schedulePreview(tabId, 0);
}

/** The chart's width in pixels, for the next preview's columns (a resize alone does not recompute). */
export function setChartWidth(tabId: string, width: number): void {
  const editor = getEditor(tabId);
  const rounded = Math.max(1, Math.round(width));
  if (editor && editor.chartWidth !== rounded) patchEditor(tabId, { chartWidth: rounded });
}

function num(value: CellValue | undefined): number {
  return value === null || value === undefined ? 0 : Number(value);
}

/**
 * One keystroke's preview: first over a slice of the sample (SLICE_RECORDS),
 * then at once over the whole sample, unless something newer was asked (the
 * next keystroke stops it: schedulePreview). Each answer is whole in itself (rows, counts and chart
 * of one draft over one set of records) and shown only while its generation is
 * the editor's.
 */
async function runPreview(tabId: string, generation: number): Promise<void> {
  const editor = getEditor(tabId);
  if (!editor?.sample || !editor.schema || editor.previewGeneration !== generation) return;
  const draft = toPipelineDraft(editor.edited);
  const checked = editor.checked ?? checkPipeline(draft, editor.schema);
  if (!checked.ok) {
    patchEditor(tabId, {
      previewRunning: false,
      previewError: {
        code: 'bad_request',
        message: 'The preview shows the last formulas that checked',
        hint: 'Fix the errors underlined in the editor and it updates.',
      },
    });
    return;
  }
  const records = editor.sample.records;
  const first = Math.min(records, SLICE_RECORDS);
  patchEditor(tabId, { previewRunning: true });
  const shown = await previewAnswer(tabId, generation, draft, first);
  if (shown && first < records) await previewAnswer(tabId, generation, draft, records);
}

/** Computes one answer over the sample's first `records` records and shows it if still wanted; whether it was shown. */
async function previewAnswer(
  tabId: string,
  generation: number,
  draft: PipelineDraft,
  records: number,
): Promise<boolean> {
  const editor = getEditor(tabId);
  if (!editor?.sample || !editor.schema || editor.previewGeneration !== generation) return false;
  const sample = editor.sample;
  const metrics = draft.metrics.map((m) => m.name);
  const charted = editor.chartMetric && metrics.includes(editor.chartMetric) ? editor.chartMetric : metrics[0];
  try {
    const engine = await getEngine();
    let table = previewTables.get(tabId);
    if (!table) {
      table = engine.newTableName('preview');
      previewTables.set(tabId, table);
    }
    const started = performance.now();
    const source = sampleSource(sample, records < sample.records ? records : undefined);
    const sql = compilePipeline(draft, previewCompileSchema(draft, editor.schema), source, { ordered: false });
    const chartSpec = charted ? { metric: charted, width: editor.chartWidth } : null;
    const [, head, statsRows, chartRows] = await engine.script(
      previewStatements(sql, table, metrics, chartSpec),
      previewKey(tabId),
    );
    const engineMs = performance.now() - started;
    if (!getEditor(tabId)) {
      previewTables.delete(tabId); // the tab closed while its preview ran
      dropTable(table);
      return false;
    }
    const statsRow = statsRows!.rows[0] ?? [];
    const stats: MetricStats[] = metrics.map((name, i) => ({
      name,
      nulls: num(statsRow[1 + i * 4]),
      nans: num(statsRow[2 + i * 4]),
      infinities: num(statsRow[3 + i * 4]),
      sum: statsRow[4 + i * 4] === null || statsRow[4 + i * 4] === undefined ? null : Number(statsRow[4 + i * 4]),
    }));
    const result: PreviewResult = {
      generation,
      records,
      sampleRecords: sample.records,
      engineMs,
      rows: num(statsRow[0]),
      columns: head!.columns,
      firstRows: head!.rows,
      stats,
      chart: charted ? { metric: charted, series: previewChartLines(chartRows!.rows) } : null,
    };
    return acceptPreview(tabId, result, { previewRunning: records < sample.records });
  } catch (err) {
    if (err instanceof SupersededError || getEditor(tabId)?.previewGeneration !== generation) return false;
    patchEditor(tabId, {
      previewRunning: false,
      previewError: {
        code: 'query_failed',
        message: `The preview could not run: ${errorMessage(err)}`,
        hint: 'The formulas checked, so this is likely a bug in the formula compiler: please report it with the formula.',
      },
    });
    return false;
  }
}

// ---------------------------------------------------------------- cleanup

/** A closed editor tab gives back its engine tables, pending preview timer and state (its tab kind's dispose). */
export function disposePipelineEditor(tabId: string): void {
  clearTimeout(timers.get(tabId));
  timers.delete(tabId);
  stopPreview(tabId);
  const editor = useEditorsStore.getState().editors[tabId];
  const tables = [editor?.sample?.tableName, previewTables.get(tabId)].filter((t): t is string => !!t);
  previewTables.delete(tabId);
  for (const table of tables) dropTable(table);
  removeEditor(tabId);
}
