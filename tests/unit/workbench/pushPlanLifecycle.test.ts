/**
 * Closing a pipeline tab through `closeTab`, with its reprocessing at work: the
 * "Review push" dialog opened from it closes (the write credentials typed in it
 * go), a preview still running is cancelled on the server (a finished one is
 * left alone), and a reply that arrives after the close brings nothing back.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { initialEditor, removeEditor, setEditor } from '../../../src/renderer/features/pipelines/editorStore';
import { openPushPlan } from '../../../src/renderer/features/pipelines/pushPlanActions';
import {
  CLOSED_PUSH_PLAN,
  closePushPlan,
  setPushCredentials,
  usePushPlan,
} from '../../../src/renderer/features/pipelines/pushPlanStore';
import { pipelineTabLifecycle } from '../../../src/renderer/features/pipelines/pipelineTabKind';
import { loadPushHistory, startPreview } from '../../../src/renderer/features/pipelines/reprocessingActions';
import {
  forgetReprocessing,
  patchReprocessing,
  useReprocessingStore,
} from '../../../src/renderer/features/pipelines/reprocessingStore';
import { provideWorkbenchClient } from '../../../src/renderer/state/workbench';
import { useWorkspaceStore } from '../../../src/renderer/state/workspaceStore';
import { closeTab, registerTabKind } from '../../../src/renderer/workbench/tabKinds';
import { useTabsStore } from '../../../src/renderer/workbench/tabsStore';
import type { JobSnapshot } from '../../../src/shared/api/contract';
import type { PushRecord, WriteCredentials } from '../../../src/shared/api/push';
import { WorkbenchError } from '../../../src/shared/errors';
import { memoryClient, type MemoryClient } from '../../support/renderer/memoryClient';
import { deferred } from '../../support/renderer/fixtures';

const TAB = 'pipeline-tab-1';
const OTHER_TAB = 'pipeline-tab-2';
const PIPELINE = 'energy_meters';
const CREDENTIALS: WriteCredentials = { kind: 'password', user: 'writer', password: 'secret' };
const DRAFT = { filter: null, metrics: [{ name: 'power_kw', formula: 'value * 2', unit: 'kW' }] };

function previewJob(jobId: string, state: JobSnapshot['state']): JobSnapshot {
  const finished = state !== 'running' && state !== 'queued';
  return {
    jobId,
    kind: 'preview',
    title: 'Reprocessing preview',
    state,
    progress: { done: 0, total: null, unit: 'files' },
    message: '',
    error: null,
    startedAt: '2026-03-29T00:00:00Z',
    finishedAt: finished ? '2026-03-29T00:00:05Z' : null,
  };
}

let server: MemoryClient;
const undo: Array<() => void> = [];

/** A reply to whatever the test awaits has arrived (a macrotask runs after the queued microtasks). */
const repliesArrived = () => new Promise((resolve) => setTimeout(resolve, 0));

beforeEach(() => {
  server = memoryClient({
    'push.plan': () => {
      throw new WorkbenchError('unavailable', 'PostgreSQL is not reachable');
    },
    'jobs.cancel': () => ({ cancelled: true }),
  });
  undo.push(provideWorkbenchClient(server.client));
  // The pipeline tab's lifecycle without its view (the view loads Monaco).
  undo.push(registerTabKind({ ...pipelineTabLifecycle, View: () => null }));
  useTabsStore.setState({
    tabs: [TAB, OTHER_TAB].map((id) => ({
      kind: 'pipeline' as const,
      id,
      title: 'Energy meters',
      pipelineId: PIPELINE,
    })),
    activeTabId: TAB,
  });
  for (const id of [TAB, OTHER_TAB]) setEditor(id, initialEditor(PIPELINE));
});

afterEach(() => {
  closePushPlan();
  for (const id of [TAB, OTHER_TAB]) {
    forgetReprocessing(id);
    removeEditor(id);
  }
  for (const step of undo.splice(0).reverse()) step();
  useTabsStore.setState(useTabsStore.getInitialState(), true);
  useWorkspaceStore.setState({ jobs: {} });
});

describe('closing a pipeline tab', () => {
  it('closes the push dialog opened from it, and the write credentials typed in it go', () => {
    openPushPlan(TAB, PIPELINE, 'pv-1');
    setPushCredentials(CREDENTIALS);
    expect(usePushPlan.getState()).toMatchObject({ tabId: TAB, credentials: CREDENTIALS });

    closeTab(TAB);

    expect(usePushPlan.getState()).toEqual(CLOSED_PUSH_PLAN);
  });

  it('leaves the push dialog of another tab open', () => {
    openPushPlan(OTHER_TAB, PIPELINE, 'pv-2');
    setPushCredentials(CREDENTIALS);

    closeTab(TAB);

    expect(usePushPlan.getState()).toMatchObject({ tabId: OTHER_TAB, previewId: 'pv-2', credentials: CREDENTIALS });
  });

  it('cancels a preview still running on the server, and forgets it', () => {
    patchReprocessing(TAB, { jobId: 'job-preview', previewId: 'pv-1' });
    useWorkspaceStore.setState({ jobs: { 'job-preview': previewJob('job-preview', 'running') } });

    closeTab(TAB);

    expect(server.inputsOf('jobs.cancel')).toEqual([{ jobId: 'job-preview' }]);
    expect(useReprocessingStore.getState().byTab[TAB]).toBeUndefined();
  });

  it('cancels a preview whose job has not reported yet', () => {
    patchReprocessing(TAB, { jobId: 'job-preview', previewId: 'pv-1' });

    closeTab(TAB);

    expect(server.inputsOf('jobs.cancel')).toEqual([{ jobId: 'job-preview' }]);
  });

  it('leaves a finished preview alone on the server', () => {
    patchReprocessing(TAB, { jobId: 'job-preview', previewId: 'pv-1' });
    useWorkspaceStore.setState({ jobs: { 'job-preview': previewJob('job-preview', 'succeeded') } });

    closeTab(TAB);

    expect(server.count('jobs.cancel')).toBe(0);
    expect(useReprocessingStore.getState().byTab[TAB]).toBeUndefined();
  });

  it('keeps nothing of a reply that arrives after the close', async () => {
    const history = deferred<{ pushes: PushRecord[] }>();
    server.handle('push.history', () => history.promise);
    const loading = loadPushHistory(TAB, PIPELINE);

    closeTab(TAB);
    history.resolve({ pushes: [] });
    await loading;

    expect(useReprocessingStore.getState().byTab[TAB]).toBeUndefined();
  });

  it('cancels a preview the server started after the close', async () => {
    const started = deferred<{ jobId: string; previewId: string }>();
    server.handle('preview.start', () => started.promise);
    patchReprocessing(TAB, { startDay: '2026-03-01', endDay: '2026-03-02' });
    const starting = startPreview(TAB, { pipelineId: PIPELINE, baseVersion: 7, draft: DRAFT });
    await repliesArrived();
    expect(server.count('preview.start')).toBe(1);

    closeTab(TAB);
    started.resolve({ jobId: 'job-late', previewId: 'pv-late' });
    await starting;

    expect(server.inputsOf('jobs.cancel')).toEqual([{ jobId: 'job-late' }]);
    expect(useReprocessingStore.getState().byTab[TAB]).toBeUndefined();
  });
});
