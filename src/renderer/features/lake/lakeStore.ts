/**
 * The lake browsers' state, kept per lake tab (by its id) so switching tabs
 * keeps the listing, the filters, the selection, the downloads being watched
 * and the open file. lakeActions.ts fills it from the workbench.
 */
import { create } from 'zustand';
import type { LakeEntry } from '../../../shared/api/lake';
import type { ErrorView } from '../../state/errorView';
import { withoutKey } from '../../workbench/records';
import { dayInRange } from './lakePaths';

export type FileEntry = Extract<LakeEntry, { kind: 'file' }>;
export type FolderEntry = Extract<LakeEntry, { kind: 'folder' }>;

export interface LakeTabState {
  /** The folder and the lake the entries are of; null before the first listing. */
  listed: { prefix: string; location: string | null } | null;
  entries: LakeEntry[];
  /** Where the next page starts; null when every entry is listed. */
  nextToken: string | null;
  loading: boolean;
  /** A failed listing or cache action, shown above the list. */
  error: ErrorView | null;
  /** The workspace's `cacheVersion` the cache badges were read at. */
  cacheVersion: number;
  nameFilter: string;
  /** Landing days (YYYY-MM-DD) the `date=` folders are filtered to; '' for no end. */
  from: string;
  to: string;
  /** Keys of the files checked for caching. */
  selected: ReadonlySet<string>;
  /** The row last checked: a shift-click checks or unchecks the files from it. */
  anchor: number | null;
  /** Downloads started here and not finished yet (job ids). */
  watching: string[];
  message: string | null;
  /** A cache action runs: its buttons wait for it. */
  busy: boolean;
  /** The file open in the panel below the list. */
  openKey: string | null;
  /** The panel's height as the user dragged it; null for the stylesheet's. */
  panelHeight: number | null;
}

const EMPTY_LAKE_TAB: LakeTabState = {
  listed: null,
  entries: [],
  nextToken: null,
  loading: false,
  error: null,
  cacheVersion: 0,
  nameFilter: '',
  from: '',
  to: '',
  selected: new Set(),
  anchor: null,
  watching: [],
  message: null,
  busy: false,
  openKey: null,
  panelHeight: null,
};

interface LakeStore {
  tabs: Record<string, LakeTabState>;
}

export const useLakeStore = create<LakeStore>(() => ({ tabs: {} }));

/** The tab's state as components read it (the empty state until it is first shown). */
export function useLakeTab(tabId: string): LakeTabState {
  return useLakeStore((s) => s.tabs[tabId] ?? EMPTY_LAKE_TAB);
}

export function lakeTab(tabId: string): LakeTabState | undefined {
  return useLakeStore.getState().tabs[tabId];
}

/** The tab's state, made empty when it has none yet. */
export function ensureLakeTab(tabId: string): LakeTabState {
  const existing = lakeTab(tabId);
  if (existing) return existing;
  useLakeStore.setState((s) => ({ tabs: { ...s.tabs, [tabId]: EMPTY_LAKE_TAB } }));
  return EMPTY_LAKE_TAB;
}

/**
 * Changes a tab's state. A closed tab has none and gets none back: work that
 * finishes after its tab closed changes nothing.
 */
export function patchLakeTab(
  tabId: string,
  patch: Partial<LakeTabState> | ((state: LakeTabState) => Partial<LakeTabState>),
): void {
  useLakeStore.setState((s) => {
    const current = s.tabs[tabId];
    if (!current) return s;
    const changes = typeof patch === 'function' ? patch(current) : patch;
    return { tabs: { ...s.tabs, [tabId]: { ...current, ...changes } } };
  });
}

export function removeLakeTab(tabId: string): void {
  useLakeStore.setState((s) => {
    const tabs = withoutKey(s.tabs, tabId);
    return tabs === s.tabs ? s : { tabs };
  });
}

/** The entries the name and day filters let through, in the listing's order. */
export function visibleEntries(state: Pick<LakeTabState, 'entries' | 'nameFilter' | 'from' | 'to'>): LakeEntry[] {
  const { entries, from, to } = state;
  const needle = state.nameFilter.trim().toLowerCase();
  return entries.filter((entry) => {
    const name = entry.kind === 'folder' ? (entry.partition?.value ?? entry.name) : entry.name;
    if (needle && !name.toLowerCase().includes(needle)) return false;
    if ((from || to) && entry.kind === 'folder' && entry.partition?.key === 'date') {
      return dayInRange(entry.partition.value, from, to);
    }
    return true;
  });
}

export function fileKeys(entries: readonly LakeEntry[]): string[] {
  return entries.filter((e): e is FileEntry => e.kind === 'file').map((e) => e.key);
}

/**
 * Checks or unchecks the file at `index` of the shown entries; with shift, every
 * file between it and the row last clicked follows it.
 */
export function toggleSelected(
  tabId: string,
  shown: readonly LakeEntry[],
  index: number,
  key: string,
  range: boolean,
): void {
  patchLakeTab(tabId, ({ selected, anchor }) => {
    const next = new Set(selected);
    if (range && anchor !== null) {
      const [a, b] = anchor < index ? [anchor, index] : [index, anchor];
      const on = !selected.has(key);
      for (const fileKey of fileKeys(shown.slice(a, b + 1))) {
        if (on) next.add(fileKey);
        else next.delete(fileKey);
      }
    } else if (next.has(key)) next.delete(key);
    else next.add(key);
    return { selected: next, anchor: index };
  });
}
