import type { GetOptions, GetResult, ObjectStore } from '../../../src/main/services/objectStore/ObjectStore';

/**
 * A real store whose GETs pass through `get` (which calls the real one): to
 * watch what was asked for, or to slow bodies down as a real network would.
 */
export function storeWithGet(
  store: ObjectStore,
  get: (key: string, options: GetOptions | undefined, real: ObjectStore) => Promise<GetResult>,
): ObjectStore {
  return {
    description: store.description,
    list: (options) => store.list(options),
    head: (key, signal) => store.head(key, signal),
    get: (key, options) => get(key, options, store),
  };
}
