/**
 * The "Sync metrics" dialog's actions over an in-memory workbench: what opening
 * reads and picks, the estimate and series search following the picks, the
 * sync started from the store's picks, failures shown as the store's errors,
 * and closing that forgets everything (a late reply included).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ESTIMATE_DELAY_MS,
  SERIES_SEARCH_DELAY_MS,
  afterSyncFinished,
  chooseAllSeries,
  closeSyncDialog,
  openSyncDialog,
  searchSeries,
  setRangeDay,
  startSync,
  toggleMetric,
  togglePipeline,
  toggleSeries,
} from '../../../src/renderer/features/sync/syncActions';
import { CLOSED_SYNC_DIALOG, selectionProblem, useSyncDialog } from '../../../src/renderer/features/sync/syncDialog';
import { provideWorkbenchClient } from '../../../src/renderer/state/workbench';
import { useWorkspaceStore } from '../../../src/renderer/state/workspaceStore';
import type { JobSnapshot } from '../../../src/shared/api/contract';
import type { SyncEstimate, SyncOptions, SyncStatus } from '../../../src/shared/api/sync';
import { WorkbenchError } from '../../../src/shared/errors';
import { memoryClient, type Script } from '../../support/renderer/memoryClient';
import { deferred } from '../../support/renderer/fixtures';

const OPTIONS: SyncOptions = {
  mode: 'timescaledb',
  pipelines: [
    { id: 'energy_meters', name: 'Energy meters', metrics: ['power_kw', 'energy_kwh'] },
    { id: 'temperature_sensors', name: 'Temperature sensors', metrics: ['temperature_c'] },
  ],
};

const STATUS: SyncStatus = { pipelines: [], runningJobId: null, lastMessage: null };
const ESTIMATE = { rows: 1200, bytes: 48_000, method: 'planner', note: 'planner estimate' } as const;

function job(jobId: string, finishedAt: string | null): JobSnapshot {
  return {
    jobId,
    kind: 'sync.metrics',
    title: 'Sync metrics',
    state: finishedAt ? 'succeeded' : 'running',
    progress: { done: 0, total: null, unit: 'days' },
    message: '',
    error: null,
    startedAt: '2026-03-29T00:00:00Z',
    finishedAt,
  };
}

let restore: () => void = () => undefined;

function provide(script: Script = {}) {
  const memory = memoryClient({
    'sync.options': () => OPTIONS,
    'sync.status': () => STATUS,
    'sync.estimate': () => ESTIMATE,
    ...script,
  });
  restore = provideWorkbenchClient(memory.client);
  return memory;
}

/** Lets the replies arrive and the debounced requests go out. */
const settle = () => vi.advanceTimersByTimeAsync(Math.max(ESTIMATE_DELAY_MS, SERIES_SEARCH_DELAY_MS));

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date('2026-03-29T12:00:00Z'));
});

afterEach(() => {
  closeSyncDialog();
  restore();
  useWorkspaceStore.setState({ jobs: {} });
  vi.useRealTimers();
});

describe('sync dialog actions', () => {
  it('opening reads the pipelines and the cache status, picks the pipeline asked for with its metrics, and estimates', async () => {
    const memory = provide();
    openSyncDialog('temperature_sensors');
    expect(useSyncDialog.getState()).toMatchObject({ open: true, range: 'everything', options: null });
    await settle();
    expect(useSyncDialog.getState()).toMatchObject({
      options: OPTIONS,
      status: STATUS,
      pipelines: ['temperature_sensors'],
      metrics: ['temperature_c'],
      estimate: ESTIMATE,
    });
    expect(memory.inputsOf('sync.estimate')).toEqual([
      { pipelines: ['temperature_sensors'], metricNames: null, seriesIds: null, from: null, to: null },
    ]);
  });

  it("a chart's preset picks its metrics and days (the API's end day is the dialog's last day plus one)", async () => {
    provide();
    openSyncDialog('energy_meters', { metrics: ['energy_kwh'], from: '2026-03-01', to: '2026-03-08' });
    await settle();
    expect(useSyncDialog.getState()).toMatchObject({
      range: 'custom',
      from: '2026-03-01',
      through: '2026-03-07',
      metrics: ['energy_kwh'],
    });
  });

  it('starts the sync with what the store holds, and follows the job it answers', async () => {
    const memory = provide({ 'sync.start': () => ({ jobId: 'job-1' }) });
    openSyncDialog();
    await settle();
    togglePipeline('temperature_sensors');
    toggleMetric('temperature_c');
    toggleMetric('energy_kwh');
    chooseAllSeries(false);
    expect(selectionProblem(useSyncDialog.getState())).toBe('Pick at least one series, or choose “All series”.');
    toggleSeries('meter-2');
    toggleSeries('meter-1');
    setRangeDay('from', '2026-03-01');
    setRangeDay('through', '2026-03-02');
    await startSync();
    expect(memory.inputsOf('sync.start')).toEqual([
      {
        pipelines: ['energy_meters', 'temperature_sensors'],
        metricNames: ['power_kw'],
        seriesIds: ['meter-1', 'meter-2'],
        from: '2026-03-01',
        to: '2026-03-03',
      },
    ]);
    expect(useSyncDialog.getState()).toMatchObject({ jobId: 'job-1', startError: null, range: 'custom' });

    // While it runs, Sync (and Ctrl+Enter) starts nothing more.
    useWorkspaceStore.setState({ jobs: { 'job-1': job('job-1', null) } });
    await startSync();
    expect(memory.count('sync.start')).toBe(1);
  });

  it('nothing is sent while the picks cannot be synced', async () => {
    const memory = provide({ 'sync.start': () => ({ jobId: 'job-1' }) });
    openSyncDialog();
    await settle();
    setRangeDay('from', '2026-03-05');
    setRangeDay('through', '2026-03-01');
    expect(selectionProblem(useSyncDialog.getState())).toBe('The “to” day is before the “from” day.');
    await startSync();
    await settle();
    expect(memory.count('sync.start')).toBe(0);
    expect(useSyncDialog.getState().estimate).toBeNull();
  });

  it('a failed reply becomes the error the dialog shows', async () => {
    provide({
      'sync.estimate': () => {
        throw new WorkbenchError('query_failed', 'The planner refused');
      },
      'sync.start': () => {
        throw new WorkbenchError('conflict', 'A sync is already running', 'Wait for it, or cancel it');
      },
    });
    openSyncDialog();
    await settle();
    expect(useSyncDialog.getState().estimateError).toEqual({ code: 'query_failed', message: 'The planner refused' });
    await startSync();
    expect(useSyncDialog.getState()).toMatchObject({
      jobId: null,
      startError: { code: 'conflict', message: 'A sync is already running', hint: 'Wait for it, or cancel it' },
    });
  });

  it('shows why the pipelines could not be read', async () => {
    provide({
      'sync.options': () => {
        throw new WorkbenchError('unavailable', 'PostgreSQL is not reachable');
      },
    });
    openSyncDialog();
    await settle();
    expect(useSyncDialog.getState()).toMatchObject({
      options: null,
      optionsError: { code: 'unavailable', message: 'PostgreSQL is not reachable' },
    });
  });

  it('searches series a moment after the last keystroke, only the last search', async () => {
    const memory = provide({ 'sync.series': ({ search }) => ({ series: [`meter-${search}`], more: false }) });
    openSyncDialog();
    await settle();
    chooseAllSeries(false);
    searchSeries('1');
    searchSeries('12');
    await settle();
    expect(memory.inputsOf('sync.series')).toEqual([{ pipelines: ['energy_meters'], search: '12', limit: 100 }]);
    expect(useSyncDialog.getState().found).toEqual({ series: ['meter-12'], more: false });
  });

  it('estimates a moment after the last pick, and drops the reply to an earlier pick', async () => {
    const earlier = deferred<SyncEstimate>();
    const later = { ...ESTIMATE, rows: 600 };
    const memory = provide({ 'sync.estimate': ({ from }) => (from ? later : earlier.promise) });
    openSyncDialog();
    await settle();
    setRangeDay('from', '2026-03-01');
    await vi.advanceTimersByTimeAsync(ESTIMATE_DELAY_MS - 1);
    setRangeDay('from', '2026-03-02');
    await settle();
    earlier.resolve(ESTIMATE);
    await settle();
    expect(memory.inputsOf('sync.estimate').map((input) => input.from)).toEqual([null, '2026-03-02']);
    expect(useSyncDialog.getState().estimate).toEqual(later);
  });

  it('closing forgets everything, a reply that arrives later included; reopening follows a sync still running', async () => {
    const options = deferred<SyncOptions>();
    const memory = provide({ 'sync.options': () => options.promise });
    openSyncDialog();
    await settle();
    closeSyncDialog();
    options.resolve(OPTIONS);
    await settle();
    expect(useSyncDialog.getState()).toEqual(CLOSED_SYNC_DIALOG);
    expect(memory.count('sync.estimate')).toBe(0);

    memory.handle('sync.options', () => OPTIONS);
    memory.handle('sync.status', () => ({ ...STATUS, runningJobId: 'job-7' }));
    openSyncDialog();
    await settle();
    expect(useSyncDialog.getState()).toMatchObject({ open: true, jobId: 'job-7', pipelines: ['energy_meters'] });
  });

  it('when the sync ends, reads the cache status and the catalog again', async () => {
    const memory = provide({ 'catalog.get': () => ({ relations: [] }) });
    openSyncDialog();
    await settle();
    await afterSyncFinished();
    expect(memory.count('sync.status')).toBe(2);
    expect(memory.count('catalog.get')).toBe(1);
  });
});
