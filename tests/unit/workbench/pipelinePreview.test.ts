/**
 * The live preview on a sample larger than its first slice, in Node over the
 * real DuckDB-WASM: a slice of the sample answers first, then the whole sample;
 * the screen says which; and an answer computed for an older draft is never
 * shown once the draft changed, so rows, counts and chart are always one draft's.
 */
import { Float64, Table, Utf8, vectorFromArray } from 'apache-arrow';
import { afterEach, beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import {
  getEditor,
  useEditorsStore,
  type PipelineEditorState,
  type PreviewResult,
} from '../../../src/renderer/features/pipelines/editorStore';
import {
  addMetric,
  chooseChartMetric,
  disposePipelineEditor,
  loadSample,
  openPipelineEditor,
  updateMetric,
} from '../../../src/renderer/features/pipelines/pipelineActions';
import { SLICE_RECORDS, previewChartLines } from '../../../src/renderer/features/pipelines/previewSql';
import { useTabsStore } from '../../../src/renderer/workbench/tabsStore';
import {
  BRONZE_SCHEMA,
  ENERGY_METERS,
  PIPELINE_ID,
  PREVIEW_SCRIPT,
  deferred,
  ipcStream,
  utcMicros,
} from '../../support/renderer/fixtures';
import { provideMemoryClient } from '../../support/renderer/memoryClient';
import { useRendererEngine } from '../../support/renderer/rendererEngine';

vi.mock('monaco-editor/esm/vs/editor/editor.api.js', () => {
  throw new Error('The pipeline actions loaded Monaco');
});

const SERIES = 10;
const PER_SERIES = 3_000;
const RECORDS = SERIES * PER_SERIES;
/** How long a test waits for answers over the whole sample. */
const WAIT = { timeout: 20_000 };
const DAY_MICROS = 1_791_072_000_000_000n; // 2026-10-04 00:00:00 UTC

/** Sum of 0..n-1. */
const upTo = (n: number) => (n * (n - 1)) / 2;

/** 10 series of 3,000 records a second apart (in series, ts order), value 0..2999 in each, multiplier 1. */
function largeSample(): Uint8Array {
  const index = Array.from({ length: RECORDS }, (_, i) => i);
  const series = (i: number) => `s${String(Math.floor(i / PER_SERIES)).padStart(2, '0')}`;
  return ipcStream(
    new Table({
      record_id: vectorFromArray(
        index.map((i) => `r${i}`),
        new Utf8(),
      ),
      series_id: vectorFromArray(index.map(series), new Utf8()),
      ts: utcMicros(index.map((i) => DAY_MICROS + BigInt(i % PER_SERIES) * 1_000_000n)),
      value: vectorFromArray(
        index.map((i) => i % PER_SERIES),
        new Float64(),
      ),
      multiplier: vectorFromArray(
        index.map(() => 1),
        new Float64(),
      ),
    }),
  );
}

const engine = useRendererEngine();

beforeEach(() => {
  provideMemoryClient({
    'pipelines.list': () => ({ pipelines: [ENERGY_METERS] }),
    'drafts.read': () => ({ draft: null }),
    ...PREVIEW_SCRIPT,
    'preview.sample': ({ queryId }) => ({
      queryId,
      resultId: 'large-sample',
      columns: BRONZE_SCHEMA,
      rowCount: RECORDS,
      chunkCount: 1,
      elapsedMs: 2,
    }),
    'results.chunk': () => largeSample(),
    'results.release': () => ({ released: true }),
  });
  useTabsStore.setState(useTabsStore.getInitialState(), true);
});

afterEach(() => {
  for (const tabId of Object.keys(useEditorsStore.getState().editors)) disposePipelineEditor(tabId);
  vi.restoreAllMocks();
});

function editor(tabId: string): PipelineEditorState {
  const found = getEditor(tabId);
  if (!found) throw new Error(`no pipeline editor in ${tabId}`);
  return found;
}

/** Opens the editor and records every preview it shows, in order. */
async function openRecording(): Promise<{ tabId: string; shown: PreviewResult[] }> {
  openPipelineEditor(PIPELINE_ID, 'Energy meters');
  const tabId = useTabsStore.getState().activeTabId!;
  await vi.waitFor(() => expect(editor(tabId)).toMatchObject({ loading: false, checked: { ok: true } }));
  const shown: PreviewResult[] = [];
  const stop = useEditorsStore.subscribe((s, before) => {
    const preview = s.editors[tabId]?.preview;
    if (preview && preview !== before.editors[tabId]?.preview) shown.push(preview);
  });
  onTestFinished(stop);
  return { tabId, shown };
}

/**
 * The factor k of a preview of `power = value * k`, read from its first rows,
 * after checking that its counts and chart say the same k: one draft throughout.
 */
function factorOf(preview: PreviewResult): number {
  const power = preview.columns.findIndex((c) => c.name === 'power');
  const k = Number(preview.firstRows[1]![power]); // the first series' value 1
  preview.firstRows.forEach((row, i) => expect(Number(row[power])).toBe(i * k));
  const wholeSeries = Math.floor(preview.records / PER_SERIES);
  const expectedSum = (wholeSeries * upTo(PER_SERIES) + upTo(preview.records % PER_SERIES)) * k;
  expect(preview.stats[0]?.sum).toBe(expectedSum);
  const first = preview.chart?.series[0]?.points ?? [];
  expect(Math.max(...first.map(([, v]) => v ?? -Infinity))).toBe((PER_SERIES - 1) * k);
  return k;
}

// Each test previews 30,000 records a few times: more than the default 5 s on a busy machine.
describe('the live preview of a large sample', { timeout: 30_000 }, () => {
  it('answers from a slice of the sample first, then from all of it, each answer whole', async () => {
    const { tabId, shown } = await openRecording();
    await loadSample(tabId, ['s00'], '2026-10-04T00:00:00Z', '2026-10-05T00:00:00Z');
    await vi.waitFor(() => expect(editor(tabId).preview?.records).toBe(RECORDS), WAIT);

    expect(shown.map((p) => [p.records, p.sampleRecords, p.rows])).toEqual([
      [SLICE_RECORDS, RECORDS, SLICE_RECORDS],
      [RECORDS, RECORDS, RECORDS],
    ]);
    expect(shown.map(factorOf)).toEqual([1, 1]);
    // The chart: the slice's series only, then every series; a pixel column's low and high at most.
    expect(shown[0]!.chart?.series).toHaveLength(Math.ceil(SLICE_RECORDS / PER_SERIES));
    expect(shown[1]!.chart?.series.map((s) => s.seriesId)).toHaveLength(SERIES);
    for (const s of shown[1]!.chart!.series) expect(s.points.length).toBeLessThanOrEqual(2 * 800);
    expect(editor(tabId).previewRunning).toBe(false);
  });

  it('charts only the chosen metric, computed when it is chosen', async () => {
    const { tabId } = await openRecording();
    updateMetric(tabId, editor(tabId).edited.metrics[0]!.key, { formula: 'value * multiplier' });
    await loadSample(tabId, ['s00'], '2026-10-04T00:00:00Z', '2026-10-05T00:00:00Z');
    await vi.waitFor(() => expect(editor(tabId).preview?.records).toBe(RECORDS), WAIT);
    expect(editor(tabId).preview?.chart?.metric).toBe('power');

    // A second metric, then chart it: the chart follows, the rows and counts stay those of the same draft.
    const key = addMetric(tabId);
    updateMetric(tabId, key, { name: 'negative', formula: '0 - value' });
    await vi.waitFor(() => expect(editor(tabId).preview?.stats.map((s) => s.name)).toContain('negative'), WAIT);
    chooseChartMetric(tabId, 'negative');
    await vi.waitFor(() => expect(editor(tabId).preview?.chart?.metric).toBe('negative'), WAIT);
    const points = editor(tabId).preview!.chart!.series[0]!.points;
    expect(Math.min(...points.map(([, v]) => v ?? Infinity))).toBe(-(PER_SERIES - 1));
  });

  it('never shows an answer computed for an older draft once the draft changed', async () => {
    const { tabId, shown } = await openRecording();
    // Hold the whole-sample answer of the first draft until the second draft has been previewed.
    const held = deferred<void>();
    const heldStarted = deferred<void>();
    let heldDone = false;
    const script = engine().script.bind(engine());
    vi.spyOn(engine(), 'script').mockImplementation(async (statements, key) => {
      const build = statements[0]!;
      const firstDraftWhole = build.startsWith('CREATE') && !build.includes('rowid <') && !build.includes('1000');
      if (!firstDraftWhole) return script(statements, key);
      heldStarted.resolve();
      await held.promise;
      const answer = await script(statements, key);
      heldDone = true;
      return answer;
    });
    await loadSample(tabId, ['s00'], '2026-10-04T00:00:00Z', '2026-10-05T00:00:00Z');
    await heldStarted.promise; // the first draft's slice is shown, its whole answer is computing

    updateMetric(tabId, editor(tabId).edited.metrics[0]!.key, { formula: 'value * multiplier * 1000' });
    const editedAt = shown.length;
    await vi.waitFor(() => expect(editor(tabId).preview?.stats[0]?.sum).toBeGreaterThan(upTo(PER_SERIES) * 1000), WAIT);
    held.resolve();
    await vi.waitFor(() => expect(heldDone).toBe(true), WAIT);
    await vi.waitFor(() => expect(editor(tabId).preview?.records).toBe(RECORDS), WAIT);

    const factors = shown.map(factorOf); // each shown answer is one draft's rows, counts and chart
    expect(factors.slice(0, editedAt)).toEqual([1]); // the first draft's slice only
    expect(factors.slice(editedAt)).toEqual([1000, 1000]); // then the second draft's slice and whole
    expect(shown.slice(editedAt).map((p) => p.records)).toEqual([SLICE_RECORDS, RECORDS]);
  });
});

describe('stopping an answer no longer wanted', { timeout: 30_000 }, () => {
  it('an edit stops the answer still computing for the older draft, and closing the editor stops its own', async () => {
    const { tabId } = await openRecording();
    await loadSample(tabId, ['s00'], '2026-10-04T00:00:00Z', '2026-10-05T00:00:00Z');
    await vi.waitFor(() => expect(editor(tabId).preview?.records).toBe(RECORDS), WAIT);
    const cancel = vi.spyOn(engine(), 'cancel');
    const scripts = vi.spyOn(engine(), 'script');

    updateMetric(tabId, editor(tabId).edited.metrics[0]!.key, { formula: 'value * multiplier * 1000' });
    // At once, not after the debounce: the engine is free by the time the new draft's answer is asked for.
    await vi.waitFor(() => expect(cancel).toHaveBeenCalledTimes(1));
    expect(scripts).not.toHaveBeenCalled();
    const key = cancel.mock.calls[0]![0];
    await vi.waitFor(() => expect(editor(tabId).preview?.stats[0]?.sum).toBe(upTo(PER_SERIES) * SERIES * 1000), WAIT);
    // The previews of this tab run under that key, so that it is what stops them.
    expect(scripts.mock.calls.map(([, k]) => k)).toEqual([key, key]);

    disposePipelineEditor(tabId);
    await vi.waitFor(() => expect(cancel).toHaveBeenCalledTimes(2));
    expect(cancel.mock.calls[1]![0]).toBe(key);
  });
});

describe('previewChartLines', () => {
  it('draws a pixel column as its low then its high, once when equal, and a column without values as a gap', () => {
    const lines = previewChartLines([
      ['b', 1, 3000, 5, 5],
      ['a', 2, 2000, -1, 4],
      ['a', 0, 1000, null, null],
      ['a', 1, 3000, 7, 7],
    ]);
    expect(lines).toEqual([
      {
        seriesId: 'a',
        points: [
          [1000, null],
          [2000, -1],
          [2000, 4],
          [3000, 7],
        ],
      },
      { seriesId: 'b', points: [[3000, 5]] },
    ]);
  });
});
