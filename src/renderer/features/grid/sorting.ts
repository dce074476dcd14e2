/** Header clicks cycle a column through ascending → descending → unsorted. */
import type { SortKey } from '../../engine/pagingSql';

export function cycleSort(sort: readonly SortKey[], column: string, additive = false): SortKey[] {
  const current = sort.find((s) => s.column === column);
  const next: SortKey | null = !current ? { column, desc: false } : !current.desc ? { column, desc: true } : null;
  if (!additive) return next ? [next] : [];
  const others = sort.filter((s) => s.column !== column);
  if (!next) return others;
  return current ? sort.map((s) => (s.column === column ? next : s)) : [...others, next];
}

export function sortSignature(sort: readonly SortKey[]): string {
  return sort.map((s) => `${s.column}\u0000${s.desc ? 'd' : 'a'}`).join('\u0001');
}
