/**
 * The lake browser's work with the workbench: listing a folder page by page,
 * caching files, folders and the selection and watching those downloads, pin,
 * unpin and evict, and reading one Parquet file's footer. Each action keeps its
 * results in the tab's entry of the lake store; closing the tab stops it.
 */
import type { JobSnapshot } from '../../../shared/api/contract';
import type { LakeBrowseResult, LakeEntry, ParquetFileInfo } from '../../../shared/api/lake';
import { toErrorView } from '../../state/errorView';
import { workbench } from '../../state/workbench';
import { useWorkspaceStore } from '../../state/workspaceStore';
import { request } from '../../workbench/intents';
import { latestReply, type LatestReply } from '../../workbench/latestReply';
import { runAction } from '../../workbench/runAction';
import { bronzeQuery } from './lakePaths';
import { ensureLakeTab, lakeTab, patchLakeTab, removeLakeTab, type LakeTabState } from './lakeStore';

const PAGE = 500;
/** Rows the file panel shows of a Parquet file. */
const FIRST_ROWS = 50;
/** Parquet footers kept, so a file shown again (back to its tab, beside the inspector) is not read again. */
const FILES_KEPT = 20;

interface TabWork {
  /** The listing being read; a new listing (another folder, a refresh) replaces it. */
  listing: LatestReply;
  /** Aborted when the tab closes: stops walking a folder to cache. */
  open: AbortController;
}

const work = new Map<string, TabWork>();

function workOf(tabId: string): TabWork {
  let current = work.get(tabId);
  if (!current) {
    current = { listing: latestReply(), open: new AbortController() };
    work.set(tabId, current);
  }
  return current;
}

/** Where the workspace's lake is: a new lake is listed afresh. */
function lakeLocation(): string | null {
  return useWorkspaceStore.getState().status?.lake?.location ?? null;
}

/**
 * Shows the folder `prefix` in the tab. What the tab already lists of it, in the
 * same lake, stays (the user switched tabs and came back); another folder starts
 * afresh, without selection or open file.
 */
export async function showLakeFolder(tabId: string, prefix: string): Promise<void> {
  const location = lakeLocation();
  const state = ensureLakeTab(tabId);
  const { listed } = state;
  if (listed && listed.prefix === prefix && listed.location === location && !state.error) return;
  patchLakeTab(tabId, {
    listed: { prefix, location },
    entries: [],
    nextToken: null,
    selected: new Set(),
    anchor: null,
    openKey: null,
  });
  await browseLake(tabId);
}

/** Lists the tab's folder from its first page, or (keepCount) as many pages as were shown, e.g. to refresh cache badges. */
async function browseLake(tabId: string, keepCount = 0): Promise<void> {
  const prefix = lakeTab(tabId)?.listed?.prefix;
  if (prefix === undefined) return;
  const counts = workOf(tabId).listing.ask();
  patchLakeTab(tabId, { loading: true, error: null, cacheVersion: useWorkspaceStore.getState().cacheVersion });
  try {
    let all: LakeEntry[] = [];
    let token: string | null = null;
    do {
      const page: LakeBrowseResult = await workbench().call('lake.browse', { prefix, token, limit: PAGE });
      if (!counts()) return;
      all = [...all, ...page.entries];
      token = page.nextToken;
    } while (token && all.length < keepCount);
    patchLakeTab(tabId, { entries: all, nextToken: token });
  } catch (err) {
    if (counts()) patchLakeTab(tabId, { error: toErrorView(err) });
  } finally {
    if (counts()) patchLakeTab(tabId, { loading: false });
  }
}

/** Reads the shown entries again, as many as are shown (their cache state changed). */
function refreshLake(tabId: string): Promise<void> {
  return browseLake(tabId, lakeTab(tabId)?.entries.length ?? 0);
}

/** Appends the next page of the listing; nothing while a page is on its way or when all are listed. */
export async function loadMoreLake(tabId: string): Promise<void> {
  const state = lakeTab(tabId);
  if (!state?.listed || !state.nextToken || state.loading) return;
  // A listing started meanwhile (another folder, a refresh) replaces this page.
  const counts = workOf(tabId).listing.current();
  patchLakeTab(tabId, { loading: true });
  try {
    const page = await workbench().call('lake.browse', {
      prefix: state.listed.prefix,
      token: state.nextToken,
      limit: PAGE,
    });
    if (!counts()) return;
    patchLakeTab(tabId, (s) => ({ entries: [...s.entries, ...page.entries], nextToken: page.nextToken }));
  } catch (err) {
    if (counts()) patchLakeTab(tabId, { error: toErrorView(err) });
  } finally {
    if (counts()) patchLakeTab(tabId, { loading: false });
  }
}

/** Cache badges follow the cache: re-reads what is shown when the cache changed since it was read. */
export function followCache(tabId: string): void {
  const state = lakeTab(tabId);
  if (!state?.listed || state.cacheVersion === useWorkspaceStore.getState().cacheVersion) return;
  void refreshLake(tabId);
}

/** The downloads started here (`watching`) that have finished. */
export function finishedDownloads(
  watching: readonly string[],
  jobs: Readonly<Record<string, JobSnapshot>>,
): JobSnapshot[] {
  return watching
    .map((id) => jobs[id])
    .filter((j): j is JobSnapshot => j !== undefined && j.state !== 'queued' && j.state !== 'running');
}

/** A download started here finished: says how it went and refreshes the list. */
export function settleDownloads(tabId: string): void {
  const state = lakeTab(tabId);
  if (!state) return;
  const finished = finishedDownloads(state.watching, useWorkspaceStore.getState().jobs);
  if (finished.length === 0) return;
  const failed = finished.find((j) => j.state === 'failed');
  patchLakeTab(tabId, (s) => ({
    watching: s.watching.filter((id) => !finished.some((j) => j.jobId === id)),
    message: failed ? `${failed.title}: ${failed.error ?? failed.message}` : (finished[0]?.message ?? null),
  }));
  void refreshLake(tabId);
}

/** A user's cache action: its buttons wait while it runs, and its failure is shown in the tab, not thrown. */
function act(tabId: string, action: () => Promise<void>): Promise<void> {
  return runAction<LakeTabState>(
    (changes) => patchLakeTab(tabId, changes),
    { running: { busy: true, error: null }, done: { busy: false }, failed: (error) => ({ error }) },
    action,
  );
}

/** Every file key under a folder, following pages and subfolders; stops when the tab closes. */
async function keysUnder(prefix: string, signal: AbortSignal): Promise<string[]> {
  const keys: string[] = [];
  const folders = [prefix];
  while (folders.length > 0) {
    const folder = folders.shift()!;
    let token: string | null = null;
    do {
      const page: LakeBrowseResult = await workbench().call('lake.browse', { prefix: folder, token, limit: 1000 });
      signal.throwIfAborted();
      for (const entry of page.entries) {
        if (entry.kind === 'file') keys.push(entry.key);
        else folders.push(entry.prefix);
      }
      token = page.nextToken;
    } while (token);
  }
  return keys;
}

async function startDownload(tabId: string, keys: string[], what: string): Promise<void> {
  if (keys.length === 0) {
    patchLakeTab(tabId, { message: `Nothing to cache in ${what}.` });
    return;
  }
  const { jobId } = await workbench().call('cache.download', { keys });
  patchLakeTab(tabId, (s) => ({
    watching: [...s.watching, jobId],
    message: `Caching ${keys.length} ${keys.length === 1 ? 'file' : 'files'} of ${what}…`,
  }));
}

export function cacheSelected(tabId: string): Promise<void> {
  return act(tabId, async () => {
    await startDownload(tabId, [...(lakeTab(tabId)?.selected ?? [])], 'the selection');
    patchLakeTab(tabId, { selected: new Set() });
  });
}

/** Caches every file under a folder (a day), `label` naming it in the message. */
export function cacheFolder(tabId: string, folderPrefix: string, label: string): Promise<void> {
  const { signal } = workOf(tabId).open;
  return act(tabId, async () => startDownload(tabId, await keysUnder(folderPrefix, signal), label));
}

export function changeCachedFile(
  tabId: string,
  method: 'cache.pin' | 'cache.unpin' | 'cache.evict',
  key: string,
): Promise<void> {
  return act(tabId, async () => {
    await workbench().call(method, { keys: [key] });
    await refreshLake(tabId);
  });
}

/** Opens a SQL tab over a pipeline's Bronze, one day of it when given. */
export function openBronzeQuery(pipelineId: string, day: string | null): void {
  request('sql.open', { sql: bronzeQuery(pipelineId, day), title: day ? `${pipelineId} ${day}` : pipelineId });
}

/** A closed lake tab stops its listing and folder walks and forgets everything it showed. */
export function forgetLakeTab(tabId: string): void {
  const tab = work.get(tabId);
  tab?.listing.drop();
  tab?.open.abort();
  work.delete(tabId);
  removeLakeTab(tabId);
}

/** Footers read, by lake and key, with the `cacheVersion` they were read at; the latest shown last. */
const files = new Map<string, { cacheVersion: number; info: Promise<ParquetFileInfo> }>();

/**
 * One Parquet file's footer and first rows. A file of an S3/R2 lake is read once
 * (range reads on the store) until the cache changes: caching, evicting or
 * finding it stale changes where its bytes come from, or the bytes. A local
 * folder's file is read each time: that is cheap, and nothing says it changed.
 */
export function readParquetFile(key: string): Promise<ParquetFileInfo> {
  const id = `${lakeLocation() ?? ''}\n${key}`;
  const { cacheVersion } = useWorkspaceStore.getState();
  const kept = files.get(id);
  files.delete(id);
  if (kept?.cacheVersion === cacheVersion) {
    files.set(id, kept);
    return kept.info;
  }
  const entry = { cacheVersion, info: workbench().call('lake.file', { key, rows: FIRST_ROWS }) };
  files.set(id, entry);
  if (files.size > FILES_KEPT) files.delete(files.keys().next().value!);
  const forget = () => {
    if (files.get(id) === entry) files.delete(id);
  };
  void entry.info.then((info) => {
    if (info.source === 'local') forget();
  }, forget);
  return entry.info;
}
