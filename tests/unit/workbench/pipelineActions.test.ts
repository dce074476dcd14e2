/**
 * The pipeline editor's actions in Node: the server's pipeline, draft file and
 * Bronze sample come from a scripted in-memory client; the sample loads into the
 * renderer's own WasmEngine (DuckDB-WASM's Node build), where the preview runs.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  getEditor,
  useEditorsStore,
  type PipelineEditorState,
} from '../../../src/renderer/features/pipelines/editorStore';
import {
  PREVIEW_DEBOUNCE_MS,
  discardDraft,
  disposePipelineEditor,
  loadSample,
  openPipelineEditor,
  saveDraft,
  setFilter,
  updateMetric,
} from '../../../src/renderer/features/pipelines/pipelineActions';
import { SLICE_RECORDS } from '../../../src/renderer/features/pipelines/previewSql';
import { useTabsStore } from '../../../src/renderer/workbench/tabsStore';
import { Warehouse } from '../../../src/main/services/warehouse/Warehouse';
import type { PipelineDraftFile } from '../../../src/shared/api/drafts';
import { ENGINE_WAIT, engineTables } from '../../support/renderer/engineTables';
import {
  BRONZE_SCHEMA,
  ENERGY_METERS,
  PIPELINE_ID,
  PREVIEW_SCRIPT,
  SAMPLE_RESULT_ID,
  bronzeSample,
} from '../../support/renderer/fixtures';
import { provideMemoryClient, type MemoryClient } from '../../support/renderer/memoryClient';
import { useRendererEngine } from '../../support/renderer/rendererEngine';

// The editor's actions must not need Monaco (Node cannot load it): loading it fails this file.
vi.mock('monaco-editor/esm/vs/editor/editor.api.js', () => {
  throw new Error('The pipeline actions loaded Monaco');
});

/** A draft file started from version 5, two versions behind the server. */
const DRAFT: PipelineDraftFile = {
  pipelineId: PIPELINE_ID,
  baseVersion: 5,
  filter: 'value > 0',
  metrics: [{ name: 'power_w', formula: 'value * multiplier * 1000', unit: 'W' }],
  savedAt: '2026-10-03T12:00:00Z',
};

const engine = useRendererEngine();
let server: MemoryClient;

beforeEach(() => {
  server = provideMemoryClient({
    'pipelines.list': () => ({ pipelines: [ENERGY_METERS] }),
    'drafts.read': () => ({ draft: null }),
    ...PREVIEW_SCRIPT,
    'results.chunk': () => bronzeSample(),
    'results.release': () => ({ released: true }),
  });
  useTabsStore.setState(useTabsStore.getInitialState(), true);
});

afterEach(() => {
  for (const tabId of Object.keys(useEditorsStore.getState().editors)) disposePipelineEditor(tabId);
  vi.useRealTimers();
});

function editor(tabId: string): PipelineEditorState {
  const found = getEditor(tabId);
  if (!found) throw new Error(`no pipeline editor in ${tabId}`);
  return found;
}

/** Opens the editor of the pipeline and waits until it has loaded and checked its draft. */
async function openEditor(): Promise<string> {
  openPipelineEditor(PIPELINE_ID, 'Energy meters');
  const tabId = useTabsStore.getState().activeTabId!;
  await vi.waitFor(() => expect(editor(tabId)).toMatchObject({ loading: false, checked: { ok: expect.any(Boolean) } }));
  return tabId;
}

/** Loads the scripted sample and waits for the first preview over it. */
async function previewSample(tabId: string): Promise<void> {
  await loadSample(tabId, ['s1', 's2'], '2026-10-04T00:00:00Z', '2026-10-05T00:00:00Z');
  await vi.waitFor(() => expect(editor(tabId).preview).not.toBeNull(), ENGINE_WAIT);
}

describe('the pipeline editor', () => {
  it('opens on the server definition when there is no draft, with the Bronze schema and its check', async () => {
    const tabId = await openEditor();
    expect(useTabsStore.getState().tabs).toContainEqual({
      kind: 'pipeline',
      id: tabId,
      title: 'Energy meters',
      pipelineId: PIPELINE_ID,
    });
    const state = editor(tabId);
    expect(state).toMatchObject({
      server: ENERGY_METERS,
      savedDraft: null,
      baseVersion: 7,
      error: null,
      schema: BRONZE_SCHEMA,
    });
    expect(state.edited).toMatchObject({ filter: '', metrics: [{ name: 'power', formula: 'value * multiplier' }] });
    expect(state.checked).toMatchObject({ ok: true, diagnostics: [] });
    expect(server.inputsOf('drafts.read')).toEqual([{ pipelineId: PIPELINE_ID }]);
    expect(server.inputsOf('preview.options')).toEqual([{ pipelineId: PIPELINE_ID }]);
    expect(server.count('pipelines.list')).toBe(1);
  });

  it('opens on the draft file when there is one, from the version it started from', async () => {
    server.handle('drafts.read', () => ({ draft: DRAFT }));
    const tabId = await openEditor();
    expect(editor(tabId)).toMatchObject({ savedDraft: DRAFT, baseVersion: 5, server: ENERGY_METERS });
    expect(editor(tabId).edited).toMatchObject({
      filter: 'value > 0',
      metrics: [{ name: 'power_w', formula: 'value * multiplier * 1000', unit: 'W' }],
    });
  });

  it('shows a pipeline neither the server nor a draft has as not found', async () => {
    server.handle('pipelines.list', () => ({ pipelines: [] }));
    const tabId = await openEditor();
    expect(editor(tabId).error).toMatchObject({ code: 'not_found', hint: 'Refresh the Pipelines list.' });
  });

  it('checks every edit of a formula against the Bronze schema', async () => {
    const tabId = await openEditor();
    const key = editor(tabId).edited.metrics[0]!.key;

    updateMetric(tabId, key, { formula: 'value * voltage' });
    expect(editor(tabId).edited.metrics[0]).toMatchObject({ key, name: 'power', formula: 'value * voltage' });
    expect(editor(tabId).checked?.ok).toBe(false);
    expect(editor(tabId).checked?.diagnostics).toContainEqual(
      expect.objectContaining({ where: { metric: 0 }, diagnostic: expect.objectContaining({ severity: 'error' }) }),
    );

    updateMetric(tabId, key, { formula: 'value / multiplier' });
    expect(editor(tabId).checked).toMatchObject({ ok: true, diagnostics: [] });
  });

  it('previews the draft over a sample loaded into the engine, and again after an edit', async () => {
    const tabId = await openEditor();
    await previewSample(tabId);

    expect(server.inputsOf('preview.sample')).toEqual([
      expect.objectContaining({
        pipelineId: PIPELINE_ID,
        seriesIds: ['s1', 's2'],
        from: '2026-10-04T00:00:00Z',
        to: '2026-10-05T00:00:00Z',
      }),
    ]);
    expect(server.inputsOf('results.chunk')).toEqual([{ resultId: SAMPLE_RESULT_ID, chunk: 0 }]);
    expect(server.inputsOf('results.release')).toEqual([{ resultId: SAMPLE_RESULT_ID }]);
    const { sample, preview, previewError } = editor(tabId);
    expect(sample).toMatchObject({ records: 10, truncated: false, seriesIds: ['s1', 's2'] });
    expect(sample?.exampleValues).toMatchObject({ series_id: 's1', value: '0', ts: '2026-10-04T00:00:00.000Z' });
    expect(previewError).toBeNull();
    expect(preview).toMatchObject({ rows: 10, stats: [{ name: 'power', nulls: 1, nans: 0, infinities: 0, sum: 132 }] });
    expect(preview?.chart?.series.map((s) => [s.seriesId, s.points.length])).toEqual([
      ['s1', 5],
      ['s2', 5],
    ]);
    expect(await engineTables(engine())).toContain(sample!.tableName);

    updateMetric(tabId, editor(tabId).edited.metrics[0]!.key, { formula: 'value * multiplier * 1000' });
    await vi.waitFor(() => expect(editor(tabId).preview?.stats[0]?.sum).toBe(132_000), ENGINE_WAIT);
    setFilter(tabId, 'value >= 10');
    await vi.waitFor(() => expect(editor(tabId).preview?.rows).toBe(5), ENGINE_WAIT);
    expect(editor(tabId).preview?.stats[0]).toMatchObject({ nulls: 0, sum: 120_000 });
    expect(server.count('preview.sample')).toBe(1); // edits re-run over the loaded sample
  });

  it('keeps the last preview and says why while a formula does not check', async () => {
    const tabId = await openEditor();
    await previewSample(tabId);
    const last = editor(tabId).preview;

    updateMetric(tabId, editor(tabId).edited.metrics[0]!.key, { formula: 'value *' });
    await vi.waitFor(() => expect(editor(tabId).previewError?.code).toBe('bad_request'), ENGINE_WAIT);
    expect(editor(tabId).preview).toBe(last);
  });

  it('saves the edited draft with the server version it started from', async () => {
    server.handle('drafts.read', () => ({ draft: DRAFT }));
    server.handle('drafts.save', (request) => ({ ...request, savedAt: '2026-10-04T08:00:00Z' }));
    const tabId = await openEditor();
    updateMetric(tabId, editor(tabId).edited.metrics[0]!.key, { formula: 'value * multiplier / 1000' });

    await saveDraft(tabId);

    const sent = {
      pipelineId: PIPELINE_ID,
      baseVersion: 5, // the draft's, not the server's 7
      filter: 'value > 0',
      metrics: [{ name: 'power_w', formula: 'value * multiplier / 1000', unit: 'W' }],
    };
    expect(server.inputsOf('drafts.save')).toEqual([sent]);
    expect(editor(tabId)).toMatchObject({ savedDraft: { ...sent, savedAt: '2026-10-04T08:00:00Z' }, error: null });
  });

  it('shows a refused save as the editor error and keeps the edits', async () => {
    const tabId = await openEditor();
    updateMetric(tabId, editor(tabId).edited.metrics[0]!.key, { unit: 'W' });
    // Unscripted, drafts.save fails as a server without it would.
    await saveDraft(tabId);
    expect(editor(tabId)).toMatchObject({ savedDraft: null, error: { code: 'unknown_method' } });
    expect(editor(tabId).edited.metrics[0]?.unit).toBe('W');
  });

  it('discards the draft file and goes back to the server definition', async () => {
    server.handle('drafts.read', () => ({ draft: DRAFT }));
    server.handle('drafts.delete', () => ({ deleted: true }));
    const tabId = await openEditor();
    expect(editor(tabId).baseVersion).toBe(5);

    await discardDraft(tabId);

    expect(server.inputsOf('drafts.delete')).toEqual([{ pipelineId: PIPELINE_ID }]);
    expect(editor(tabId)).toMatchObject({ savedDraft: null, baseVersion: 7, server: ENERGY_METERS, error: null });
    expect(editor(tabId).edited).toMatchObject({
      filter: '',
      metrics: [{ name: 'power', formula: 'value * multiplier', unit: 'kW' }],
    });
  });

  it('reads a Bronze field called rowid as the field, not the engine’s row id, in the slice and the whole sample', async () => {
    // The engine knows the field as rowid_1 (rowid is its row id, which the first answer's slice is cut by).
    const records = SLICE_RECORDS + 2_000;
    const warehouse = await Warehouse.open({ rowsPerChunk: 5_000 });
    try {
      const meta = await warehouse.query(
        'rowid-sample',
        `SELECT 'r' || i AS record_id, 's' || (i // 6000 + 1) AS series_id,
                TIMESTAMPTZ '2026-10-04 00:00:00+00' + to_seconds(i % 6000) AS ts,
                1.0 AS value, 2.0 AS multiplier, 1000000 + i AS rowid, 7 AS rowid_1
         FROM range(${records}) t(i) ORDER BY i`,
      );
      // rowid_1 is taken by then: the engine knows the field rowid_1 as rowid_1_1.
      expect(meta.columns.slice(-2)).toEqual([
        { name: 'rowid_1', type: 'BIGINT', queryName: 'rowid' },
        { name: 'rowid_1_1', type: 'INTEGER', queryName: 'rowid_1' },
      ]);
      server.handle('preview.options', (input) => ({
        ...PREVIEW_SCRIPT['preview.options'](input),
        columns: [...BRONZE_SCHEMA, { name: 'rowid', type: 'BIGINT' }, { name: 'rowid_1', type: 'INTEGER' }],
      }));
      server.handle('preview.sample', ({ queryId }) => ({ ...meta, queryId }));
      server.handle('results.chunk', ({ chunk }) => warehouse.resultChunk(meta.resultId, chunk));
      const tabId = await openEditor();
      updateMetric(tabId, editor(tabId).edited.metrics[0]!.key, { formula: 'rowid - 1000000' });
      const answers: [number, number | null | undefined][] = [];
      const unsubscribe = useEditorsStore.subscribe((state) => {
        const preview = state.editors[tabId]?.preview;
        if (preview && answers.at(-1)?.[0] !== preview.records) answers.push([preview.records, preview.stats[0]?.sum]);
      });
      try {
        await previewSample(tabId);
        await vi.waitFor(() => expect(editor(tabId).preview?.records).toBe(records), ENGINE_WAIT);
      } finally {
        unsubscribe();
      }
      expect(editor(tabId).sample?.exampleValues).toMatchObject({ rowid: '1000000', rowid_1: '7' });
      expect(editor(tabId).sample?.exampleValues).not.toHaveProperty('rowid_1_1');
      // The field's values less a million are 0, 1, 2, … in sample order: the slice's sum, then the whole's.
      const sumTo = (n: number) => (n * (n - 1)) / 2;
      expect(answers).toEqual([
        [SLICE_RECORDS, sumTo(SLICE_RECORDS)],
        [records, sumTo(records)],
      ]);
    } finally {
      await warehouse.close();
    }
  }, 60_000);

  it('gives back its engine tables, pending preview and state when disposed', async () => {
    const tabId = await openEditor();
    await previewSample(tabId);
    const before = await engineTables(engine());
    const held = before.filter((t) => t.startsWith('sample_') || t.startsWith('preview_'));
    expect(held).toHaveLength(2);

    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    updateMetric(tabId, editor(tabId).edited.metrics[0]!.key, { formula: 'value' });
    expect(vi.getTimerCount()).toBe(1); // the edit's preview, PREVIEW_DEBOUNCE_MS away

    disposePipelineEditor(tabId);

    expect(vi.getTimerCount()).toBe(0);
    expect(getEditor(tabId)).toBeUndefined();
    await vi.advanceTimersByTimeAsync(PREVIEW_DEBOUNCE_MS * 2);
    const after = await engineTables(engine());
    for (const table of held) expect(after).not.toContain(table);
  });
});
