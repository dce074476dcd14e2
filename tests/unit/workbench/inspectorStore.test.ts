/**
 * The record inspector's store over a scripted in-memory client: the search it
 * sends, the matches it pages in (polling every 250 ms while the search runs,
 * on fake timers), the record and lineage it shows, and what closing it frees.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  disposeInspector,
  openLineage,
  openRecord,
  runSearch,
  setForm,
  useInspectorStore,
} from '../../../src/renderer/features/inspector/inspectorStore';
import { useTabsStore } from '../../../src/renderer/workbench/tabsStore';
import type {
  InspectorLineage,
  InspectorMatch,
  InspectorMatchesPage,
  InspectorRecord,
} from '../../../src/shared/api/inspector';
import { INSPECTOR_STATS, matchesPage } from '../../support/renderer/fixtures';
import { fails, provideMemoryClient, type MemoryClient } from '../../support/renderer/memoryClient';

const KEY = 'bronze/energy_meters/date=2026-10-04/batch-0001.parquet';

function match(row: number): InspectorMatch {
  return {
    pipelineId: 'energy_meters',
    date: '2026-10-04',
    key: KEY,
    etag: '"etag-1"',
    rowGroup: 0,
    row,
    recordId: `r${row}`,
    seriesId: 's1',
    ts: `2026-10-04T08:15:${String(row).padStart(2, '0')}Z`,
    fields: [{ name: 'value', type: 'DOUBLE', value: row * 1.5 }],
  };
}

/** The page of the matches in `rows`, from `offset` on. */
function page(offset: number, rows: number[], state: InspectorMatchesPage['state']): InspectorMatchesPage {
  return matchesPage(state, rows.map(match), offset);
}

function record(row: number): InspectorRecord {
  const before = row > 0 ? [match(row - 1)] : [];
  return { record: match(row), size: 180, source: 'local', before, after: [match(row + 1)] };
}

const LINEAGE: InspectorLineage = {
  pipeline: {
    id: 'energy_meters',
    name: 'Energy meters',
    version: 7,
    filter: null,
    metrics: [{ name: 'power', formula: 'value * 2', unit: 'kW' }],
  },
  pipelineNote: null,
  records: [match(30)],
  previous: match(29),
  evaluation: { available: true, note: null, rows: [{ outcome: 'kept', filter: true, values: { power: 90 } }] },
  stats: INSPECTOR_STATS,
  problems: [],
};

let server: MemoryClient;

/** `inspector.matches` answers these pages in turn (the last one again after that). */
function servePages(...pages: InspectorMatchesPage[]): void {
  let next = 0;
  server.handle('inspector.matches', () => pages[Math.min(next++, pages.length - 1)]!);
}

beforeEach(() => {
  vi.useFakeTimers();
  server = provideMemoryClient({
    'inspector.search': () => ({ searchId: 'search-1', jobId: 'job-1' }),
    'inspector.record': ({ row }) => record(row),
    'jobs.cancel': () => ({ cancelled: true }),
  });
  useTabsStore.setState(useTabsStore.getInitialState(), true);
});

afterEach(() => {
  disposeInspector();
  vi.useRealTimers();
});

describe('the inspector search', () => {
  it('sends the form as criteria, pages in the matches every 250 ms while the search runs, and opens the first', async () => {
    setForm({
      pipelines: ['energy_meters'],
      seriesId: ' s1 ',
      from: '2026-10-04T00:00',
      to: '2026-10-05T00:00',
      predicates: [
        { field: 'status', op: '=', value: 'ok' },
        { field: ' ', op: '=', value: '' },
      ],
    });
    servePages(page(0, [0, 1], 'running'), page(2, [2], 'succeeded'));

    await runSearch();

    expect(server.inputsOf('inspector.search')).toEqual([
      {
        pipelines: ['energy_meters'],
        recordId: null,
        seriesId: 's1',
        from: '2026-10-04T00:00:00Z',
        to: '2026-10-05T00:00:00Z',
        text: null,
        predicates: [{ field: 'status', op: '=', value: 'ok' }],
        limit: 1000,
      },
    ]);
    expect(server.inputsOf('inspector.matches')).toEqual([{ searchId: 'search-1', offset: 0, limit: 1000 }]);
    expect(useInspectorStore.getState()).toMatchObject({
      searchId: 'search-1',
      jobId: 'job-1',
      page: { state: 'running', total: 2 },
      selected: 0,
      error: null,
    });
    expect(useInspectorStore.getState().matches.map((m) => m.row)).toEqual([0, 1]);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(0); // the record's reply, without moving the clock
    expect(useInspectorStore.getState().detail).toMatchObject({ kind: 'record', record: record(0) });
    expect(server.inputsOf('inspector.record')).toEqual([{ key: KEY, row: 0, neighbours: 3 }]);

    await vi.advanceTimersByTimeAsync(249);
    expect(server.count('inspector.matches')).toBe(1);
    await vi.advanceTimersByTimeAsync(1);

    expect(server.inputsOf('inspector.matches')[1]).toEqual({ searchId: 'search-1', offset: 2, limit: 1000 });
    expect(useInspectorStore.getState().matches.map((m) => m.row)).toEqual([0, 1, 2]);
    expect(useInspectorStore.getState().page).toMatchObject({ state: 'succeeded', total: 3 });
    expect(vi.getTimerCount()).toBe(0); // a finished search is not polled
  });

  it('shows a refused search as its error view, with nothing fetched or polled', async () => {
    server.handle('inspector.search', fails('offline', 'The lake store does not answer', 'Check the connection'));
    await runSearch();
    expect(useInspectorStore.getState()).toMatchObject({
      error: { code: 'offline', message: 'The lake store does not answer', hint: 'Check the connection' },
      searchId: null,
      matches: [],
    });
    expect(server.count('inspector.matches')).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('shows a failed page of matches as the error view and stops polling', async () => {
    servePages(page(0, [0], 'running'));
    await runSearch();
    server.handle('inspector.matches', fails('not_found', 'The search is gone', 'Search again'));
    await vi.advanceTimersByTimeAsync(250);
    expect(useInspectorStore.getState().error).toEqual({
      code: 'not_found',
      message: 'The search is gone',
      hint: 'Search again',
    });
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('the inspector detail', () => {
  it('opens a record with its neighbours', async () => {
    await openRecord(KEY, 5);
    expect(useInspectorStore.getState().detail).toEqual({
      kind: 'record',
      key: KEY,
      row: 5,
      record: record(5),
      error: null,
    });
    expect(server.inputsOf('inspector.record')).toEqual([{ key: KEY, row: 5, neighbours: 3 }]);
  });

  it('shows a record that cannot be read as the detail error', async () => {
    server.handle('inspector.record', fails('query_failed', 'The file is truncated'));
    await openRecord(KEY, 5);
    expect(useInspectorStore.getState().detail).toEqual({
      kind: 'record',
      key: KEY,
      row: 5,
      record: null,
      error: { code: 'query_failed', message: 'The file is truncated' },
    });
  });

  it('opens lineage in the inspector tab and searches that series at that second', async () => {
    server.handle('inspector.lineage', () => LINEAGE);
    servePages(page(0, [30], 'succeeded'));
    const request = { pipelineId: 'energy_meters', seriesId: 's1', time: '2026-10-04T10:15:30+02:00' };

    await openLineage(request);

    const { tabs, activeTabId } = useTabsStore.getState();
    expect(tabs.filter((t) => t.kind === 'inspector')).toEqual([
      { kind: 'inspector', id: activeTabId, title: 'Inspector' },
    ]);
    expect(server.inputsOf('inspector.lineage')).toEqual([{ ...request, time: '2026-10-04T08:15:30.000Z' }]);
    expect(server.inputsOf('inspector.search')).toEqual([
      expect.objectContaining({
        pipelines: ['energy_meters'],
        seriesId: 's1',
        from: '2026-10-04T08:15:30Z',
        to: '2026-10-04T08:15:31Z',
      }),
    ]);
    await vi.waitFor(() => expect(useInspectorStore.getState().matches).toHaveLength(1));
    // The lineage stays the detail: the first match is not opened over it.
    expect(useInspectorStore.getState().detail).toEqual({ kind: 'lineage', request, lineage: LINEAGE, error: null });
    expect(server.count('inspector.record')).toBe(0);

    // A second lineage reuses the one inspector tab.
    await openLineage({ ...request, seriesId: 's2' });
    expect(useTabsStore.getState().tabs.filter((t) => t.kind === 'inspector')).toHaveLength(1);
  });
});

describe('closing the inspector', () => {
  it('stops polling, cancels the running search and forgets what it showed', async () => {
    setForm({ pipelines: ['energy_meters'], text: 'overflow' });
    servePages(page(0, [0, 1], 'running'));
    await runSearch();
    expect(vi.getTimerCount()).toBe(1);

    disposeInspector();

    expect(vi.getTimerCount()).toBe(0);
    expect(server.inputsOf('jobs.cancel')).toEqual([{ jobId: 'job-1' }]);
    expect(useInspectorStore.getState()).toEqual(useInspectorStore.getInitialState());
    await vi.advanceTimersByTimeAsync(1000);
    expect(server.count('inspector.matches')).toBe(1);
  });

  it('leaves a finished search alone on the server', async () => {
    servePages(page(0, [0], 'succeeded'));
    await runSearch();
    disposeInspector();
    expect(server.count('jobs.cancel')).toBe(0);
    expect(useInspectorStore.getState().matches).toEqual([]);
  });
});
