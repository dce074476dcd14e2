/**
 * The inspector tab closed (or a new search started) while `inspector.search`
 * is still on its way: the late reply shows nothing, starts no polling and
 * cancels its search on the server. On fake timers, so a poll left behind shows.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  cancelSearch,
  disposeInspector,
  runSearch,
  useInspectorStore,
} from '../../../src/renderer/features/inspector/inspectorStore';
import { provideWorkbenchClient } from '../../../src/renderer/state/workbench';
import type { InspectorMatchesPage } from '../../../src/shared/api/inspector';
import { WorkbenchError } from '../../../src/shared/errors';
import { memoryClient, type MemoryClient } from '../../support/renderer/memoryClient';
import { deferred, type Deferred } from '../../support/renderer/fixtures';

type SearchStarted = { searchId: string; jobId: string };

function runningPage(searchId: string): InspectorMatchesPage {
  return {
    searchId,
    state: 'running',
    error: null,
    total: 0,
    limited: false,
    firstMatchMs: null,
    elapsedMs: 5,
    stats: {
      filesTotal: 1,
      filesSkipped: 0,
      filesScanned: 0,
      rowGroupsScanned: 0,
      rowGroupsSkipped: 0,
      rowsScanned: 0,
      bytesRead: 0,
      localFiles: 1,
      remoteFiles: 0,
    },
    problems: [],
    offset: 0,
    matches: [],
  };
}

let server: MemoryClient;
let undoClient: () => void;
/** The replies to `inspector.search`, in the order the searches were sent. */
let replies: Deferred<SearchStarted>[];

beforeEach(() => {
  vi.useFakeTimers();
  replies = [];
  server = memoryClient({
    'inspector.search': () => {
      const reply = deferred<SearchStarted>();
      replies.push(reply);
      return reply.promise;
    },
    'inspector.matches': ({ searchId }) => runningPage(searchId),
    'jobs.cancel': () => ({ cancelled: true }),
  });
  undoClient = provideWorkbenchClient(server.client);
});

afterEach(() => {
  disposeInspector();
  undoClient();
  vi.useRealTimers();
});

/** Starts `runSearch` and waits until its `inspector.search` is on its way to the server. */
async function searchSent(): Promise<{ finished: Promise<void> }> {
  const sent = replies.length;
  const finished = runSearch();
  await vi.waitFor(() => expect(replies).toHaveLength(sent + 1));
  return { finished };
}

describe('closing the inspector while its search starts', () => {
  it('shows nothing of the late reply, polls nothing and cancels the search on the server', async () => {
    const searching = await searchSent();

    disposeInspector();
    replies[0]!.resolve({ searchId: 'search-1', jobId: 'job-1' });
    await searching.finished;

    expect(useInspectorStore.getState()).toMatchObject({ searchId: null, jobId: null, page: null, matches: [] });
    expect(server.count('inspector.matches')).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    expect(server.inputsOf('jobs.cancel')).toEqual([{ jobId: 'job-1' }]);
  });

  it('shows no error of a search refused after the close', async () => {
    const searching = await searchSent();

    disposeInspector();
    replies[0]!.reject(new WorkbenchError('offline', 'The lake store does not answer'));
    await searching.finished;

    expect(useInspectorStore.getState().error).toBeNull();
    expect(server.count('jobs.cancel')).toBe(0);
  });
});

describe('a second search while the first starts', () => {
  it('shows the second; the first is cancelled on the server when its reply comes', async () => {
    const first = await searchSent();
    const second = await searchSent();

    replies[1]!.resolve({ searchId: 'search-2', jobId: 'job-2' });
    await second.finished;
    replies[0]!.resolve({ searchId: 'search-1', jobId: 'job-1' });
    await first.finished;

    expect(useInspectorStore.getState()).toMatchObject({ searchId: 'search-2', jobId: 'job-2' });
    expect(server.inputsOf('inspector.matches').map((m) => m.searchId)).toEqual(['search-2']);
    expect(server.inputsOf('jobs.cancel')).toEqual([{ jobId: 'job-1' }]);
    expect(vi.getTimerCount()).toBe(1); // the second search's poll, and only it
  });
});

describe('"Cancel"', () => {
  it('cancels the running search on the server; a failure to is no error thrown', async () => {
    const searching = await searchSent();
    replies[0]!.resolve({ searchId: 'search-1', jobId: 'job-1' });
    await searching.finished;

    await cancelSearch();
    expect(server.inputsOf('jobs.cancel')).toEqual([{ jobId: 'job-1' }]);

    server.handle('jobs.cancel', () => {
      throw new WorkbenchError('not_found', 'No such job');
    });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    await expect(cancelSearch()).resolves.toBeUndefined();
    expect(warn).toHaveBeenCalledOnce();
    warn.mockRestore();
    server.handle('jobs.cancel', () => ({ cancelled: true }));
  });
});
