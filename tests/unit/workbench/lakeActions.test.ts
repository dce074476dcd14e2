/**
 * The lake browser's actions over an in-memory transport: what a listing puts
 * in the tab's store entry, paging, failures, and that a closed tab keeps nothing.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  cacheFolder,
  finishedDownloads,
  loadMoreLake,
  settleDownloads,
  showLakeFolder,
} from '../../../src/renderer/features/lake/lakeActions';
import { lakeTab, patchLakeTab, useLakeStore } from '../../../src/renderer/features/lake/lakeStore';
import { lakeTabLifecycle } from '../../../src/renderer/features/lake/lakeTabKind';
import { provideWorkbenchClient } from '../../../src/renderer/state/workbench';
import { useWorkspaceStore } from '../../../src/renderer/state/workspaceStore';
import { closeTab, registerTabKind } from '../../../src/renderer/workbench/tabKinds';
import { openLakeTab } from '../../../src/renderer/workbench/tabsStore';
import type { JobSnapshot } from '../../../src/shared/api/contract';
import type { LakeBrowseResult, LakeEntry } from '../../../src/shared/api/lake';
import { WorkbenchError } from '../../../src/shared/errors';
import { memoryClient, type Handler } from '../../support/renderer/memoryClient';

const DAY = 'bronze/energy_meters/date=2026-10-01/';

function file(name: string) {
  return {
    kind: 'file',
    key: `${DAY}${name}`,
    name,
    size: 1024,
    lastModified: '2026-10-01T12:00:00Z',
    etag: `etag-${name}`,
    cache: 'not-cached',
    pinned: false,
  } as const;
}

/** A workbench whose `lake.browse` answers with `answer`; it records what was sent. */
function provideLake(answer: Handler<'lake.browse'>) {
  const server = memoryClient({ 'lake.browse': answer });
  cleanups.push(provideWorkbenchClient(server.client));
  return server.calls as Array<{ method: string; input: Record<string, unknown> }>;
}

const listing = (entries: LakeEntry[], nextToken: string | null = null) => ({ prefix: DAY, entries, nextToken });

const cleanups: Array<() => void> = [];

afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
  useLakeStore.setState({ tabs: {} }, true);
  useWorkspaceStore.setState({ jobs: {} });
});

function download(jobId: string, state: JobSnapshot['state'], message: string): JobSnapshot {
  return {
    jobId,
    kind: 'cache.download',
    title: 'Cache files',
    state,
    progress: { done: 1, total: 2, unit: 'files' },
    message,
    error: state === 'failed' ? 'The bucket cannot be reached' : null,
    startedAt: '2026-10-01T12:00:00Z',
    finishedAt: state === 'running' ? null : '2026-10-01T12:01:00Z',
  };
}

describe('lake actions', () => {
  it('fill the tab’s entry with the folder listed', async () => {
    const sent = provideLake(() => listing([file('batch-0001.parquet'), file('batch-0002.parquet')]));
    await showLakeFolder('tab-a', DAY);
    const tab = lakeTab('tab-a')!;
    expect(tab.listed?.prefix).toBe(DAY);
    expect(tab.entries.map((e) => e.name)).toEqual(['batch-0001.parquet', 'batch-0002.parquet']);
    expect([tab.nextToken, tab.loading, tab.error]).toEqual([null, false, null]);
    expect(sent).toEqual([{ method: 'lake.browse', input: { prefix: DAY, token: null, limit: 500 } }]);

    // Shown again (the user came back to the tab), the folder is not listed again.
    await showLakeFolder('tab-a', DAY);
    expect(sent).toHaveLength(1);
  });

  it('append the next page, asked for with its continuation token', async () => {
    const sent = provideLake((input) =>
      input.token === 'page-2'
        ? listing([file('batch-0002.parquet')])
        : listing([file('batch-0001.parquet')], 'page-2'),
    );
    await showLakeFolder('tab-b', DAY);
    expect(lakeTab('tab-b')!.nextToken).toBe('page-2');
    await loadMoreLake('tab-b');
    const tab = lakeTab('tab-b')!;
    expect(tab.entries.map((e) => e.name)).toEqual(['batch-0001.parquet', 'batch-0002.parquet']);
    expect([tab.nextToken, tab.loading]).toEqual([null, false]);
    expect(sent[1]?.input).toEqual({ prefix: DAY, token: 'page-2', limit: 500 });

    // Every entry is listed: nothing more is asked for.
    await loadMoreLake('tab-b');
    expect(sent).toHaveLength(2);
  });

  it('make a failed reply the entry’s error', async () => {
    provideLake(() => {
      throw new WorkbenchError('offline', 'The bucket cannot be reached', 'Check the network');
    });
    await showLakeFolder('tab-c', DAY);
    const tab = lakeTab('tab-c')!;
    expect(tab.error).toEqual({ code: 'offline', message: 'The bucket cannot be reached', hint: 'Check the network' });
    expect([tab.entries, tab.loading]).toEqual([[], false]);
  });

  it('keep nothing of a closed tab, not even what its listing brings afterwards', async () => {
    cleanups.push(registerTabKind({ ...lakeTabLifecycle, View: () => null }));
    let reply: (value: LakeBrowseResult) => void = () => undefined;
    provideLake(() => new Promise((resolve) => (reply = resolve)));
    const tabId = openLakeTab(DAY);
    const listed = showLakeFolder(tabId, DAY);
    expect(lakeTab(tabId)?.loading).toBe(true);

    closeTab(tabId);
    expect(lakeTab(tabId)).toBeUndefined();
    reply(listing([file('batch-0001.parquet')]));
    await listed;
    expect(useLakeStore.getState().tabs).not.toHaveProperty(tabId);
  });

  it('stop walking a folder to cache when its tab closes', async () => {
    cleanups.push(registerTabKind({ ...lakeTabLifecycle, View: () => null }));
    const pending: Array<(value: LakeBrowseResult) => void> = [];
    const sent = provideLake((input) =>
      input.limit === 1000
        ? new Promise((resolve) => pending.push(resolve))
        : listing([
            { kind: 'folder', prefix: DAY, name: 'date=2026-10-01', partition: { key: 'date', value: '2026-10-01' } },
          ]),
    );
    const tabId = openLakeTab('bronze/energy_meters/');
    await showLakeFolder(tabId, 'bronze/energy_meters/');
    const caching = cacheFolder(tabId, DAY, '2026-10-01');
    await expect.poll(() => pending.length).toBe(1);

    closeTab(tabId);
    pending[0]!(listing([file('batch-0001.parquet')], 'page-2'));
    await caching;
    expect(sent.map((s) => s.input.token ?? null)).toEqual([null, null]);
    expect(sent.some((s) => s.method === 'cache.download')).toBe(false);
    expect(lakeTab(tabId)).toBeUndefined();
  });

  it('say how a download started here went once it finished, and list the folder again', async () => {
    const sent = provideLake(() => listing([file('batch-0001.parquet')]));
    await showLakeFolder('tab-d', DAY);
    patchLakeTab('tab-d', { watching: ['job-1', 'job-2'] });
    const jobs = {
      'job-1': download('job-1', 'running', 'Caching…'),
      'job-2': download('job-2', 'succeeded', 'Cached 2 files'),
    };
    useWorkspaceStore.setState({ jobs });
    // Progress of a running download is not a finished one.
    expect(finishedDownloads(['job-1', 'job-2', 'job-3'], jobs).map((j) => j.jobId)).toEqual(['job-2']);

    settleDownloads('tab-d');
    expect(lakeTab('tab-d')).toMatchObject({ watching: ['job-1'], message: 'Cached 2 files' });
    await vi.waitFor(() => expect(sent).toHaveLength(2));
    expect(finishedDownloads(lakeTab('tab-d')!.watching, jobs)).toEqual([]);
  });
});
