/**
 * Saved queries (`queries/<name>.sql`), the run history and the warehouse's
 * functions, as the SQL editor and its sidebar sections show them.
 */
import { create } from 'zustand';
import type { HistoryEntry, SavedQueryInfo, WarehouseFunction } from '../../../shared/api/queries';
import { toErrorView, type ErrorView } from '../../state/errorView';
import { workbench } from '../../state/workbench';
import type { Loadable } from '../../state/workspaceStore';
import { addTab, activateTab, getTab, updateTab, useTabsStore, type QueryTab } from '../../workbench/tabsStore';

interface SqlFilesStore {
  saved: Loadable<SavedQueryInfo[]>;
  history: Loadable<HistoryEntry[]>;
  functions: WarehouseFunction[];
  /** The tab whose "Save as" prompt is open. */
  savePromptTab: string | null;
}

const idle = <T>(): Loadable<T> => ({ data: null, error: null, loading: false });

export const useSqlFiles = create<SqlFilesStore>(() => ({
  saved: idle(),
  history: idle(),
  functions: [],
  savePromptTab: null,
}));

async function load<K extends 'saved' | 'history'>(
  key: K,
  fetch: () => Promise<NonNullable<SqlFilesStore[K]['data']>>,
): Promise<void> {
  useSqlFiles.setState((s) => ({ [key]: { ...s[key], loading: true } }));
  try {
    const data = await fetch();
    useSqlFiles.setState({ [key]: { data, error: null, loading: false } });
  } catch (err) {
    useSqlFiles.setState((s) => ({ [key]: { data: s[key].data, error: toErrorView(err), loading: false } }));
  }
}

export const refreshSaved = () => load('saved', async () => (await workbench().call('queries.list', {})).queries);

export const refreshHistory = () =>
  load('history', async () => (await workbench().call('history.list', { limit: 200 })).entries);

let functionsLoading: Promise<void> | null = null;

/** Loads the warehouse's functions once (for completion and highlighting); retried after a failure. */
export function loadFunctions(): Promise<void> {
  functionsLoading ??= workbench()
    .call('catalog.functions', {})
    .then(({ functions }) => {
      useSqlFiles.setState({ functions });
    })
    .catch((err: unknown) => {
      functionsLoading = null;
      console.warn('Could not read the warehouse functions:', toErrorView(err).message);
    });
  return functionsLoading;
}

export function isDirty(tab: QueryTab): boolean {
  return tab.saved !== null && tab.saved.sql !== tab.sql;
}

/** Ctrl/Cmd+S: a saved tab is written back; a new one asks for a name first. */
export async function saveTab(tabId: string): Promise<ErrorView | null> {
  const tab = getTab(tabId);
  if (!tab) return null;
  if (!tab.saved) {
    useSqlFiles.setState({ savePromptTab: tabId });
    return null;
  }
  return writeTab(tabId, tab.saved.name, false);
}

/** Saves the tab under `name`; the error (e.g. the name is taken) is returned to show in place. */
export async function writeTab(tabId: string, name: string, createOnly: boolean): Promise<ErrorView | null> {
  const tab = getTab(tabId);
  if (!tab) return null;
  const sql = tab.sql;
  try {
    const info = await workbench().call('queries.save', { name, sql, createOnly });
    updateTab(tabId, { title: info.name, saved: { name: info.name, sql } });
    if (useSqlFiles.getState().savePromptTab === tabId) useSqlFiles.setState({ savePromptTab: null });
    void refreshSaved();
    return null;
  } catch (err) {
    return toErrorView(err);
  }
}

export function closeSavePrompt(): void {
  useSqlFiles.setState({ savePromptTab: null });
}

/** Opens a saved query in a tab, or switches to the tab that already has it. */
export async function openSaved(name: string): Promise<ErrorView | null> {
  const open = useTabsStore.getState().tabs.find((t) => t.kind === 'sql' && t.saved?.name === name);
  if (open) {
    activateTab(open.id);
    return null;
  }
  try {
    const { sql } = await workbench().call('queries.read', { name });
    addTab({ sql, title: name, saved: { name, sql } });
    return null;
  } catch (err) {
    void refreshSaved();
    return toErrorView(err);
  }
}

export async function renameSaved(from: string, to: string): Promise<ErrorView | null> {
  try {
    const info = await workbench().call('queries.rename', { from, to });
    for (const tab of useTabsStore.getState().tabs) {
      if (tab.kind === 'sql' && tab.saved?.name === from) {
        updateTab(tab.id, { title: info.name, saved: { ...tab.saved, name: info.name } });
      }
    }
    await refreshSaved();
    return null;
  } catch (err) {
    return toErrorView(err);
  }
}

export async function deleteSaved(name: string): Promise<ErrorView | null> {
  try {
    await workbench().call('queries.delete', { name });
    // An open tab keeps its text, as an unsaved query.
    for (const tab of useTabsStore.getState().tabs) {
      if (tab.kind === 'sql' && tab.saved?.name === name) updateTab(tab.id, { saved: null });
    }
    await refreshSaved();
    return null;
  } catch (err) {
    return toErrorView(err);
  }
}

/** A history entry opens in a new tab, so it never overwrites what is being edited. */
export function openHistoryEntry(entry: HistoryEntry): string {
  return addTab({ sql: entry.sql, title: 'From history' });
}
