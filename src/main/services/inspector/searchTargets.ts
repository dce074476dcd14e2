/** Where a search lists and reads Bronze files: the workspace's lake (folder or bucket + cache), or a bare store. */
import type { BronzeLake } from '../lake/BronzeLake';
import { FolderObjectStore } from '../objectStore/FolderObjectStore';
import type { ObjectStore } from '../objectStore/ObjectStore';
import type { SearchTarget } from './BronzeSearch';
import type { ListedObject } from './searchPlan';

async function listAll(store: ObjectStore, prefix: string, signal?: AbortSignal) {
  const objects: ListedObject[] = [];
  let token: string | null = null;
  do {
    const page = await store.list({ prefix, maxKeys: 1000, token, ...(signal ? { signal } : {}) });
    objects.push(...page.objects);
    token = page.nextToken;
  } while (token);
  return objects;
}

/** Every file read from `store` (a folder is 'local', a bucket 'store'). */
export function storeTarget(store: ObjectStore, source: 'local' | 'store'): SearchTarget {
  return { list: (prefix, signal) => listAll(store, prefix, signal), open: async () => ({ store, source }) };
}

/** The workspace's lake: a folder in place; a bucket's cached files locally, the others by range reads. */
export function lakeTarget(lake: BronzeLake): SearchTarget {
  const cache = lake.cache;
  if (!cache) return storeTarget(lake.store, 'local');
  const local = new FolderObjectStore(cache.root);
  return {
    list: (prefix, signal) => listAll(lake.store, prefix, signal),
    open: async (key) => {
      const state = (await cache.status([key]))[key];
      return state === 'cached' || state === 'stale'
        ? { store: local, source: 'cache' }
        : { store: lake.store, source: 'store' };
    },
  };
}
