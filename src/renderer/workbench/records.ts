/** Records of per-tab state (by tab id), as the features' stores keep them. */

/** The record without `key`; the same object when it has no such key (so a store does not re-render). */
export function withoutKey<T>(record: Record<string, T>, key: string): Record<string, T> {
  if (!(key in record)) return record;
  const { [key]: _dropped, ...rest } = record;
  return rest;
}
