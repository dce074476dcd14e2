/**
 * The reprocessing panel's actions over an in-memory workbench: the preview
 * started from the tab's range, its result and first overlay, the push
 * history, an undo, and what follows a push; then "Review push…": the plan,
 * the push sent from the dialog's state, its outcome, and closing that forgets
 * the credentials. Failures become the errors the panel and dialog show.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { initialEditor, removeEditor, setEditor } from '../../../src/renderer/features/pipelines/editorStore';
import {
  afterPush,
  afterUndo,
  loadPreviewResult,
  loadPushHistory,
  startPreview,
  undoPush,
} from '../../../src/renderer/features/pipelines/reprocessingActions';
import {
  checkPushPlanAs,
  openPushPlan,
  readPushOutcome,
  rereadPushOutcome,
  runPush,
  setIncludeDefinition,
} from '../../../src/renderer/features/pipelines/pushPlanActions';
import {
  CLOSED_PUSH_PLAN,
  closePushPlan,
  setPushComment,
  setPushCredentials,
  usePushPlan,
} from '../../../src/renderer/features/pipelines/pushPlanStore';
import {
  closeUndo,
  forgetReprocessing,
  openUndo,
  patchReprocessing,
  pickPreviewRange,
  reprocessingOf,
} from '../../../src/renderer/features/pipelines/reprocessingStore';
import { provideWorkbenchClient } from '../../../src/renderer/state/workbench';
import { useTabsStore } from '../../../src/renderer/workbench/tabsStore';
import type {
  PreviewSeries,
  PreviewSummary,
  PushOutcome,
  PushPlanView,
  PushRecord,
  WriteCredentials,
} from '../../../src/shared/api/push';
import { WorkbenchError } from '../../../src/shared/errors';
import { memoryClient, type Script } from '../../support/renderer/memoryClient';
import { deferred } from '../../support/renderer/fixtures';

const TAB = 'pipeline-tab-1';
const PIPELINE = 'energy_meters';
const CREDENTIALS: WriteCredentials = { kind: 'password', user: 'writer', password: 'secret' };
const DRAFT = {
  filter: "series_id <> 'test'",
  metrics: [{ name: 'power_kw', formula: 'value * 2', unit: 'kW' }],
};
const counts = (changed: number) => ({ added: 0, removed: 0, changed, unchanged: 10 - changed });

const SUMMARY: PreviewSummary = {
  previewId: 'pv-1',
  pipelineId: PIPELINE,
  baseVersion: 7,
  range: { start: '2026-03-01T00:00:00.000Z', end: '2026-03-03T00:00:00.000Z' },
  tolerance: 1e-9,
  createdAt: '2026-03-29T00:00:00Z',
  bronzeDays: { first: '2026-03-01', last: '2026-03-05', lateDays: 3 },
  filesCached: 0,
  skippedFiles: [],
  recomputedRows: 20,
  serverRows: 20,
  serverChecksum: 'sha256:abc',
  totals: counts(3),
  perMetric: [
    { metricName: 'energy_kwh', ...counts(1) },
    { metricName: 'power_kw', ...counts(2) },
  ],
  perSeries: [{ seriesId: 'meter-1', ...counts(3) }],
  perDay: [{ day: '2026-03-01', ...counts(3) }],
  largestAbsolute: [],
  largestRelative: [],
  push: null,
  elapsedMs: 1200,
};

const OVERLAY: PreviewSeries = {
  seriesId: 'meter-1',
  metricName: 'power_kw',
  points: [[Date.parse('2026-03-01T00:00:00Z'), 1, 2]],
  changed: [],
  truncated: false,
};

const PUSH: PushRecord = {
  pushId: '0b7e6a52-5f6c-4a2e-9a53-1f2a3b4c5d6e',
  pushedAt: '2026-03-28T10:00:00Z',
  pushedBy: 'writer',
  baseVersion: 7,
  pipelineVersion: 8,
  rangeStart: '2026-03-01T00:00:00Z',
  rangeEnd: '2026-03-03T00:00:00Z',
  rowsReplaced: 20,
  rowsInserted: 20,
  values: counts(3),
  checksum: 'sha256:def',
  undoOf: null,
  undoneBy: null,
  comment: null,
  aggregates: null,
};

const NO_PIPELINES = { pipelines: [] };

/** Every reply already settled has been handled (a macrotask runs after all queued microtasks). */
const repliesArrived = () => new Promise((resolve) => setTimeout(resolve, 0));

let restore: () => void = () => undefined;

function provide(script: Script) {
  const memory = memoryClient(script);
  restore = provideWorkbenchClient(memory.client);
  return memory;
}

// The tab is open: its reprocessing state is kept only while it is.
beforeEach(() => {
  useTabsStore.setState({ tabs: [{ kind: 'pipeline', id: TAB, title: 'Energy meters', pipelineId: PIPELINE }] });
});

afterEach(() => {
  closePushPlan();
  restore();
  forgetReprocessing(TAB);
  removeEditor(TAB);
  useTabsStore.setState(useTabsStore.getInitialState(), true);
});

describe('reprocessing actions', () => {
  it("start the preview over the tab's UTC days, both included", async () => {
    const memory = provide({ 'preview.start': () => ({ jobId: 'job-1', previewId: 'pv-1' }) });
    pickPreviewRange(TAB, 'week', {
      first: Date.parse('2026-02-01T00:00:00Z'),
      last: Date.parse('2026-03-09T13:00:00Z'),
    });
    expect(reprocessingOf(TAB)).toMatchObject({ startDay: '2026-03-03', endDay: '2026-03-09' });
    patchReprocessing(TAB, { startDay: '2026-03-01', endDay: '2026-03-02' });

    await startPreview(TAB, { pipelineId: PIPELINE, baseVersion: 7, draft: DRAFT });
    expect(memory.inputsOf('preview.start')).toEqual([
      {
        pipelineId: PIPELINE,
        baseVersion: 7,
        ...DRAFT,
        range: { start: '2026-03-01T00:00:00.000Z', end: '2026-03-03T00:00:00.000Z' },
        tolerance: 1e-9,
        lateDays: 3,
      },
    ]);
    expect(reprocessingOf(TAB)).toMatchObject({ jobId: 'job-1', previewId: 'pv-1', error: null });
  });

  it('a refused preview becomes the tab’s error', async () => {
    provide({
      'preview.start': () => {
        throw new WorkbenchError('not_ready', 'The warehouse is still starting', 'Wait a moment');
      },
    });
    patchReprocessing(TAB, { startDay: '2026-03-01', endDay: '2026-03-02', previewId: 'pv-0' });
    await startPreview(TAB, { pipelineId: PIPELINE, baseVersion: 7, draft: DRAFT });
    expect(reprocessingOf(TAB)).toMatchObject({
      previewId: null,
      error: { code: 'not_ready', message: 'The warehouse is still starting', hint: 'Wait a moment' },
    });
  });

  it('read the result and chart the metric with the most changes first', async () => {
    const memory = provide({ 'preview.result': () => SUMMARY, 'preview.series': () => OVERLAY });
    patchReprocessing(TAB, { previewId: 'pv-1', jobId: 'job-1' });
    await loadPreviewResult(TAB);
    expect(memory.inputsOf('preview.series')).toEqual([
      { previewId: 'pv-1', seriesId: 'meter-1', metricName: 'power_kw' },
    ]);
    expect(reprocessingOf(TAB)).toMatchObject({
      summary: SUMMARY,
      chosen: { seriesId: 'meter-1', metricName: 'power_kw' },
      overlay: OVERLAY,
    });
  });

  it('read the push history, and show why it could not be read', async () => {
    const memory = provide({ 'push.history': () => ({ pushes: [PUSH] }) });
    await loadPushHistory(TAB, PIPELINE);
    expect(memory.inputsOf('push.history')).toEqual([{ pipelineId: PIPELINE, limit: 50 }]);
    expect(reprocessingOf(TAB)).toMatchObject({ history: [PUSH], historyError: null });

    memory.handle('push.history', () => {
      throw new WorkbenchError('unavailable', 'PostgreSQL is not reachable');
    });
    await loadPushHistory(TAB, PIPELINE);
    expect(reprocessingOf(TAB)).toMatchObject({
      history: [PUSH],
      historyError: { code: 'unavailable', message: 'PostgreSQL is not reachable' },
    });
  });

  it('undo the push the dialog is open for; a failure shows in the dialog, a reply after it closed is dropped', async () => {
    const memory = provide({ 'push.undo': () => ({ jobId: 'job-undo', pushId: PUSH.pushId }) });
    openUndo(TAB, PUSH);
    await undoPush(TAB, CREDENTIALS);
    expect(memory.inputsOf('push.undo')).toEqual([{ pushId: PUSH.pushId, comment: null, credentials: CREDENTIALS }]);
    expect(reprocessingOf(TAB).undo).toEqual({ push: PUSH, jobId: 'job-undo', error: null });

    memory.handle('push.undo', () => {
      throw new WorkbenchError('auth_failed', 'password authentication failed for user "writer"');
    });
    openUndo(TAB, PUSH);
    await undoPush(TAB, CREDENTIALS);
    expect(reprocessingOf(TAB).undo).toMatchObject({
      jobId: null,
      error: { code: 'auth_failed', message: 'password authentication failed for user "writer"' },
    });

    const late = deferred<{ jobId: string; pushId: string }>();
    memory.handle('push.undo', () => late.promise);
    openUndo(TAB, PUSH);
    const undoing = undoPush(TAB, CREDENTIALS);
    closeUndo(TAB);
    late.resolve({ jobId: 'job-late', pushId: PUSH.pushId });
    await undoing;
    expect(reprocessingOf(TAB).undo).toBeNull();
  });

  it('after an undo: the dialog closes, the history and the Pipelines section are read again', async () => {
    const memory = provide({ 'push.history': () => ({ pushes: [] }), 'pipelines.list': () => NO_PIPELINES });
    openUndo(TAB, PUSH);
    await afterUndo(TAB, PIPELINE);
    expect(reprocessingOf(TAB)).toMatchObject({ undo: null, history: [] });
    expect(memory.count('pipelines.list')).toBe(1);
  });

  it('after a push that made a new version: the draft file goes and the editor reloads from the server', async () => {
    const memory = provide({
      'push.history': () => ({ pushes: [PUSH] }),
      'pipelines.list': () => NO_PIPELINES,
      'drafts.delete': () => ({ deleted: true }),
      'drafts.read': () => ({ draft: null }),
      'preview.options': () => {
        throw new WorkbenchError('not_found', 'No Bronze');
      },
    });
    setEditor(TAB, initialEditor(PIPELINE));
    patchReprocessing(TAB, { previewId: 'pv-1', chosen: { seriesId: 'meter-1', metricName: 'power_kw' } });
    const pushed: PreviewSummary = {
      ...SUMMARY,
      push: {
        pushId: PUSH.pushId,
        alreadyApplied: false,
        pipelineVersion: 8,
        rowsReplaced: 20,
        rowsInserted: 20,
        values: counts(3),
        checksum: 'sha256:def',
        aggregates: [],
      },
    };
    await afterPush(TAB, PIPELINE, pushed);
    expect(reprocessingOf(TAB)).toMatchObject({ summary: pushed, history: [PUSH] });
    expect(memory.inputsOf('drafts.delete')).toEqual([{ pipelineId: PIPELINE }]);
    const methods = memory.calls.map((c) => c.method);
    expect(methods.indexOf('drafts.read')).toBeGreaterThan(methods.indexOf('drafts.delete'));
    // The summary came with the push: no second request for it.
    expect(memory.count('preview.result')).toBe(0);
  });

  it('after a push that was already applied, the draft stays', async () => {
    const memory = provide({ 'push.history': () => ({ pushes: [PUSH] }), 'pipelines.list': () => NO_PIPELINES });
    patchReprocessing(TAB, { previewId: 'pv-1', chosen: { seriesId: 'meter-1', metricName: 'power_kw' } });
    await afterPush(TAB, PIPELINE, {
      ...SUMMARY,
      push: {
        pushId: PUSH.pushId,
        alreadyApplied: true,
        pipelineVersion: 8,
        rowsReplaced: 0,
        rowsInserted: 0,
        values: null,
        checksum: 'sha256:def',
        aggregates: [],
      },
    });
    expect(memory.count('drafts.delete')).toBe(0);
  });
});

const PLAN: PushPlanView = {
  pipelineId: PIPELINE,
  serverVersion: 7,
  newVersion: 8,
  definitionChanged: true,
  range: { start: '2026-03-01T00:00:00.000Z', end: '2026-03-03T00:00:00.000Z' },
  days: [{ day: '2026-03-01', metricName: 'power_kw', rowsToDelete: 3, rowsToInsert: 3, values: counts(3) }],
  rowsToDelete: 3,
  rowsToInsert: 3,
  values: counts(3),
  mode: 'plain',
  checkedAs: 'explorer',
  missingGrants: [],
  chunks: [],
  maxTuplesDecompressed: null,
  tuplesToDecompress: 0,
  continuousAggregates: [],
  warnings: [],
  server: { host: '127.0.0.1', port: 5432, database: 'dash', embedded: false },
};

const OUTCOME: PushOutcome = {
  pushId: PUSH.pushId,
  alreadyApplied: false,
  pipelineVersion: 7,
  rowsReplaced: 3,
  rowsInserted: 3,
  values: counts(3),
  checksum: 'sha256:def',
  aggregates: [],
};

describe('push plan actions', () => {
  it('ask for the plan when the dialog opens, and again for each change; only the last answer shows', async () => {
    const first = deferred<PushPlanView>();
    const memory = provide({ 'push.plan': () => first.promise });
    openPushPlan(TAB, PIPELINE, 'pv-1');
    expect(usePushPlan.getState()).toMatchObject({ tabId: TAB, previewId: 'pv-1', checking: true, plan: null });

    memory.handle('push.plan', ({ includeDefinition, credentials }) => ({
      ...PLAN,
      definitionChanged: includeDefinition,
      checkedAs: credentials?.kind === 'password' ? credentials.user : 'explorer',
    }));
    setIncludeDefinition(false);
    await vi.waitFor(() => expect(usePushPlan.getState().checking).toBe(false));
    first.resolve(PLAN);
    await repliesArrived();
    expect(usePushPlan.getState().plan).toMatchObject({ definitionChanged: false, checkedAs: 'explorer' });

    checkPushPlanAs(CREDENTIALS);
    await vi.waitFor(() => expect(usePushPlan.getState().plan?.checkedAs).toBe('writer'));
    expect(memory.inputsOf('push.plan')).toEqual([
      { previewId: 'pv-1', includeDefinition: true },
      { previewId: 'pv-1', includeDefinition: false },
      { previewId: 'pv-1', includeDefinition: false, credentials: CREDENTIALS },
    ]);
    expect(usePushPlan.getState()).toMatchObject({ checkedWith: CREDENTIALS, checking: false, planError: null });
  });

  it("push with the dialog's choices and credentials; a refused push becomes the dialog's error", async () => {
    const memory = provide({ 'push.plan': () => PLAN, 'push.run': () => ({ jobId: 'job-push', pushId: PUSH.pushId }) });
    openPushPlan(TAB, PIPELINE, 'pv-1');
    await runPush();
    expect(memory.count('push.run')).toBe(0);

    setPushCredentials(CREDENTIALS);
    setPushComment('  fix the power formula  ');
    await runPush();
    expect(memory.inputsOf('push.run')).toEqual([
      { previewId: 'pv-1', includeDefinition: true, comment: 'fix the power formula', credentials: CREDENTIALS },
    ]);
    expect(usePushPlan.getState()).toMatchObject({ jobId: 'job-push', error: null });

    memory.handle('push.run', () => {
      throw new WorkbenchError('conflict', 'The server changed since your preview', 'Preview again');
    });
    await runPush();
    expect(usePushPlan.getState().error).toEqual({
      code: 'conflict',
      message: 'The server changed since your preview',
      hint: 'Preview again',
    });
  });

  it("after the push: its outcome shows, and the tab's summary and history follow", async () => {
    const pushed: PreviewSummary = { ...SUMMARY, push: OUTCOME };
    const memory = provide({
      'push.plan': () => PLAN,
      'preview.result': () => pushed,
      'push.history': () => ({ pushes: [PUSH] }),
      'pipelines.list': () => NO_PIPELINES,
    });
    patchReprocessing(TAB, {
      previewId: 'pv-1',
      summary: SUMMARY,
      chosen: { seriesId: 'meter-1', metricName: 'power_kw' },
    });
    openPushPlan(TAB, PIPELINE, 'pv-1');
    await readPushOutcome();
    expect(usePushPlan.getState().outcome).toEqual(OUTCOME);
    expect(reprocessingOf(TAB)).toMatchObject({ summary: pushed, history: [PUSH] });
    // The push kept the base version (metrics only): the draft stays.
    expect(memory.count('drafts.delete')).toBe(0);
  });

  it('runs what follows the push once, however often the dialog remounts on a tab switch', async () => {
    const pushed: PreviewSummary = { ...SUMMARY, push: { ...OUTCOME, pipelineVersion: 8 } };
    const memory = provide({
      'push.plan': () => PLAN,
      'preview.result': () => pushed,
      'push.history': () => ({ pushes: [PUSH] }),
      'pipelines.list': () => NO_PIPELINES,
      'drafts.delete': () => ({ deleted: true }),
    });
    patchReprocessing(TAB, {
      previewId: 'pv-1',
      summary: SUMMARY,
      chosen: { seriesId: 'meter-1', metricName: 'power_kw' },
    });
    openPushPlan(TAB, PIPELINE, 'pv-1');

    // The dialog's effect, once per mount: the first while the outcome is on its way, one after.
    await Promise.all([readPushOutcome(), readPushOutcome()]);
    await readPushOutcome();

    expect(usePushPlan.getState().outcome).toEqual(pushed.push);
    expect(memory.count('preview.result')).toBe(1);
    expect(memory.count('push.history')).toBe(1);
    expect(memory.count('pipelines.list')).toBe(1);
    expect(memory.count('drafts.delete')).toBe(1);
  });

  it('after "Refresh again" of the aggregates: the outcome and the history are read again, nothing else', async () => {
    const failed = { name: 'metrics_hourly', refreshed: false, window: null, error: 'permission denied' };
    const pushed: PreviewSummary = {
      ...SUMMARY,
      push: { ...OUTCOME, pipelineVersion: 8, aggregates: [failed] },
    };
    const memory = provide({
      'push.plan': () => PLAN,
      'preview.result': () => pushed,
      'push.history': () => ({ pushes: [PUSH] }),
      'pipelines.list': () => NO_PIPELINES,
      'drafts.delete': () => ({ deleted: true }),
    });
    patchReprocessing(TAB, {
      previewId: 'pv-1',
      summary: SUMMARY,
      chosen: { seriesId: 'meter-1', metricName: 'power_kw' },
    });
    openPushPlan(TAB, PIPELINE, 'pv-1');
    await readPushOutcome();
    const before = memory.calls.length;

    const refreshed = { ...failed, refreshed: true, error: null };
    memory.handle('preview.result', () => ({ ...pushed, push: { ...pushed.push!, aggregates: [refreshed] } }));
    await rereadPushOutcome();

    expect(usePushPlan.getState().outcome?.aggregates).toEqual([refreshed]);
    expect(
      memory.calls
        .slice(before)
        .map((c) => c.method)
        .sort(),
    ).toEqual(['preview.result', 'push.history']);
  });

  it('a new preview from the tab closes its push dialog: Push would push the old preview', async () => {
    provide({ 'push.plan': () => PLAN, 'preview.start': () => ({ jobId: 'job-2', previewId: 'pv-2' }) });
    patchReprocessing(TAB, { startDay: '2026-03-01', endDay: '2026-03-02', previewId: 'pv-1' });
    openPushPlan(TAB, PIPELINE, 'pv-1');
    setPushCredentials(CREDENTIALS);

    await startPreview(TAB, { pipelineId: PIPELINE, baseVersion: 7, draft: DRAFT });

    expect(usePushPlan.getState()).toEqual(CLOSED_PUSH_PLAN);
    expect(reprocessingOf(TAB)).toMatchObject({ jobId: 'job-2', previewId: 'pv-2' });
  });

  it('a new preview in one tab leaves the push dialog of another tab open', async () => {
    provide({ 'push.plan': () => PLAN, 'preview.start': () => ({ jobId: 'job-2', previewId: 'pv-2' }) });
    patchReprocessing(TAB, { startDay: '2026-03-01', endDay: '2026-03-02' });
    openPushPlan('pipeline-tab-2', PIPELINE, 'pv-1');

    await startPreview(TAB, { pipelineId: PIPELINE, baseVersion: 7, draft: DRAFT });

    expect(usePushPlan.getState()).toMatchObject({ tabId: 'pipeline-tab-2', previewId: 'pv-1' });
  });

  it('closing forgets the plan and the credentials; a plan that arrives later is dropped', async () => {
    const late = deferred<PushPlanView>();
    provide({ 'push.plan': () => late.promise });
    openPushPlan(TAB, PIPELINE, 'pv-1');
    setPushCredentials(CREDENTIALS);
    closePushPlan();
    late.resolve(PLAN);
    await repliesArrived();
    expect(usePushPlan.getState()).toEqual(CLOSED_PUSH_PLAN);
  });
});
