/**
 * The lake cache as the sidebar shows it, and what the user does to it: read
 * the listing, verify the bytes, look for updates on the server, pin, unpin and
 * evict. Every action changes what the cache holds, so the listing is read
 * again after it; a failure is shown in the section, never thrown.
 */
import { create } from 'zustand';
import type { ApiOutput } from '../../../shared/api/contract';
import type { CacheListing, CacheRevalidateResult } from '../../../shared/api/lake';
import { toErrorView, type ErrorView } from '../../state/errorView';
import { workbench } from '../../state/workbench';
import { runAction } from '../../workbench/runAction';

/** The last check's answer, shown under the buttons. */
type CacheCheck = ({ kind: 'verify' } & ApiOutput<'cache.verify'>) | ({ kind: 'revalidate' } & CacheRevalidateResult);

interface CacheStore {
  listing: CacheListing | null;
  error: ErrorView | null;
  check: CacheCheck | null;
  /** An action is running (reading the listing alone is not one). */
  busy: boolean;
}

export const useCacheStore = create<CacheStore>(() => ({ listing: null, error: null, check: null, busy: false }));

export async function loadCache(): Promise<void> {
  try {
    useCacheStore.setState({ listing: await workbench().call('cache.list', {}), error: null });
  } catch (err) {
    useCacheStore.setState({ error: toErrorView(err) });
  }
}

/** A user's action on the cache, then the listing read again: its buttons wait, and its failure is shown. */
function act(work: () => Promise<void>): Promise<void> {
  return runAction<CacheStore>(
    (changes) => useCacheStore.setState(changes),
    { running: { busy: true, error: null }, done: { busy: false }, failed: (error) => ({ error }) },
    async () => {
      await work();
      await loadCache();
    },
  );
}

/** Reads every cached file back and checks its bytes. */
export function verifyCache(): Promise<void> {
  return act(async () => {
    useCacheStore.setState({ check: { kind: 'verify', ...(await workbench().call('cache.verify', {})) } });
  });
}

/** Asks the server whether the cached files are still the latest. */
export function revalidateCache(): Promise<void> {
  return act(async () => {
    useCacheStore.setState({ check: { kind: 'revalidate', ...(await workbench().call('cache.revalidate', {})) } });
  });
}

/** Pins a file (never evicted) or unpins it (may be evicted). */
export function setPinned(key: string, pinned: boolean): Promise<void> {
  return act(async () => {
    await workbench().call(pinned ? 'cache.pin' : 'cache.unpin', { keys: [key] });
  });
}

export function evictFromCache(key: string): Promise<void> {
  return act(async () => {
    await workbench().call('cache.evict', { keys: [key] });
  });
}
