/**
 * The lake cache's actions over an in-memory workbench: what each sends, the
 * listing read again after it, and a failed reply shown as the section's error.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  evictFromCache,
  loadCache,
  revalidateCache,
  setPinned,
  useCacheStore,
  verifyCache,
} from '../../../src/renderer/features/cache/cacheActions';
import { provideWorkbenchClient } from '../../../src/renderer/state/workbench';
import type { CacheListing } from '../../../src/shared/api/lake';
import { WorkbenchError } from '../../../src/shared/errors';
import { memoryClient, type Script } from '../../support/renderer/memoryClient';
import { deferred } from '../../support/renderer/fixtures';

let restore: () => void = () => undefined;

function provide(script: Script) {
  const memory = memoryClient(script);
  restore = provideWorkbenchClient(memory.client);
  return memory;
}

const key = 'bronze/meter/2026-03-29/part-0.parquet';
const listing: CacheListing = {
  enabled: true,
  usage: { bytes: 2048, files: 1, pinnedBytes: 0, quotaBytes: 1 << 30 },
  entries: [
    {
      key,
      size: 2048,
      etag: '"abc"',
      state: 'fresh',
      pinned: false,
      downloadedAt: '2026-03-29T00:00:00Z',
      lastUsedAt: '2026-03-29T00:00:00Z',
    },
  ],
};

afterEach(() => {
  restore();
  useCacheStore.setState({ listing: null, error: null, check: null, busy: false });
});

describe('cache actions', () => {
  it('read the listing, and show a failure to read it', async () => {
    const memory = provide({ 'cache.list': () => listing });
    await loadCache();
    expect(useCacheStore.getState()).toMatchObject({ listing, error: null });

    memory.handle('cache.list', () => {
      throw new WorkbenchError('offline', 'The store is offline');
    });
    await loadCache();
    expect(useCacheStore.getState()).toMatchObject({
      listing,
      error: { code: 'offline', message: 'The store is offline' },
    });
  });

  it('verify the bytes and look for updates, keeping the answer and reading the listing again', async () => {
    const memory = provide({
      'cache.list': () => listing,
      'cache.verify': () => ({ ok: 3, corrupt: [{ key, reason: 'checksum differs' }] }),
      'cache.revalidate': () => ({ fresh: 2, stale: [key], notRevalidated: [] }),
    });
    await verifyCache();
    expect(memory.calls.map((c) => c.method)).toEqual(['cache.verify', 'cache.list']);
    expect(useCacheStore.getState()).toMatchObject({
      check: { kind: 'verify', ok: 3, corrupt: [{ key, reason: 'checksum differs' }] },
      listing,
      busy: false,
    });

    await revalidateCache();
    expect(memory.count('cache.list')).toBe(2);
    expect(useCacheStore.getState().check).toEqual({ kind: 'revalidate', fresh: 2, stale: [key], notRevalidated: [] });
  });

  it('pin, unpin and evict one file', async () => {
    const memory = provide({
      'cache.list': () => listing,
      'cache.pin': ({ keys }) => ({ keys }),
      'cache.unpin': ({ keys }) => ({ keys }),
      'cache.evict': ({ keys }) => ({ evicted: keys }),
    });
    await setPinned(key, true);
    await setPinned(key, false);
    await evictFromCache(key);
    expect(memory.calls.filter((c) => c.method !== 'cache.list')).toEqual([
      { method: 'cache.pin', input: { keys: [key] } },
      { method: 'cache.unpin', input: { keys: [key] } },
      { method: 'cache.evict', input: { keys: [key] } },
    ]);
    expect(memory.count('cache.list')).toBe(3);
  });

  it('are busy while they run, and clear the last error when they start', async () => {
    const verified = deferred<{ ok: number; corrupt: [] }>();
    provide({ 'cache.list': () => listing, 'cache.verify': () => verified.promise });
    useCacheStore.setState({ error: { code: 'offline', message: 'The store is offline' } });
    const verifying = verifyCache();
    expect(useCacheStore.getState()).toMatchObject({ busy: true, error: null });
    verified.resolve({ ok: 1, corrupt: [] });
    await verifying;
    expect(useCacheStore.getState()).toMatchObject({ busy: false, error: null, check: { kind: 'verify', ok: 1 } });
  });

  it('turn a failed action into the section’s error, and stop being busy', async () => {
    const memory = provide({
      'cache.evict': () => {
        throw new WorkbenchError('conflict', 'The file is being read', 'Try again');
      },
    });
    await evictFromCache(key);
    expect(memory.calls.map((c) => c.method)).toEqual(['cache.evict']);
    expect(useCacheStore.getState()).toMatchObject({
      busy: false,
      error: { code: 'conflict', message: 'The file is being read', hint: 'Try again' },
    });
  });
});
