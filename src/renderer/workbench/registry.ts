/**
 * What intents, parts and tab kinds share: one owner per name. A second owner is a
 * wiring bug, refused at start; taking an entry back removes only that owner's entry.
 */
export interface Registry<K, V> {
  /** Makes `value` the entry of `name`; returns how to take it back. */
  provide(name: K, value: V): () => void;
  get(name: K): V | undefined;
}

/** `twoOwners` says, for the error, who clashed over `name`. */
export function createRegistry<K, V>(twoOwners: (name: K) => string): Registry<K, V> {
  const entries = new Map<K, V>();
  return {
    provide(name, value) {
      if (entries.has(name)) throw new Error(twoOwners(name));
      entries.set(name, value);
      return () => {
        // An undo run late must not remove the entry of whoever owns the name now.
        if (entries.get(name) === value) entries.delete(name);
      };
    },
    get: (name) => entries.get(name),
  };
}
