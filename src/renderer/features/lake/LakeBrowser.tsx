/**
 * The Bronze lake browser: one folder level at a time, pages fetched as the
 * list scrolls (virtualized, so 20,000 objects stay smooth), partitions shown
 * as the pipelines and days they are, files with size, date and cache state.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import {
  useCallback,
  useEffect,
  useMemo,
  useRef,
  useState,
  type MouseEvent,
  type PointerEvent as ReactPointerEvent,
} from 'react';
import type { LakeBrowseResult, LakeEntry } from '../../../shared/api/lake';
import { formatBytes } from '../../../shared/format';
import { toErrorView, type ErrorView } from '../../state/errorView';
import { workbench } from '../../state/workbench';
import { useWorkspaceStore, useWorkspaceTimeZone } from '../../state/workspaceStore';
import { useAction } from '../common/useAction';
import { formatInstant } from '../../../shared/timeZone';
import { UtcTimeInput } from '../common/UtcTimeInput';
import { request } from '../../workbench/intents';
import { setLakePrefix, type LakeTab } from '../../workbench/tabsStore';
import { breadcrumb, bronzeQuery, dayInRange, holdsPipelines, placeOf } from './lakePaths';
import { ParquetFileView } from './ParquetFileView';
import { ErrorPanel } from '../common/ErrorPanel';

type FileEntry = Extract<LakeEntry, { kind: 'file' }>;
type FolderEntry = Extract<LakeEntry, { kind: 'folder' }>;

const PAGE = 500;
const ROW_HEIGHT = 28;
/** The list keeps at least this much room above an open file. */
const LIST_MIN = 120;
const PANEL_MIN = 160;

const CACHE_LABEL: Record<FileEntry['cache'], string> = {
  cached: 'cached',
  stale: 'stale',
  'not-cached': 'not cached',
  local: 'local',
};

/** Every file key under a folder, following pages and subfolders. */
async function keysUnder(prefix: string): Promise<string[]> {
  const keys: string[] = [];
  const folders = [prefix];
  while (folders.length > 0) {
    const folder = folders.shift()!;
    let token: string | null = null;
    do {
      const page: LakeBrowseResult = await workbench().call('lake.browse', { prefix: folder, token, limit: 1000 });
      for (const entry of page.entries) {
        if (entry.kind === 'file') keys.push(entry.key);
        else folders.push(entry.prefix);
      }
      token = page.nextToken;
    } while (token);
  }
  return keys;
}

/** The day fields filter `date=` partitions, the day a record landed. */
const DAY_TITLE = 'Landing day (the date= partition), YYYY-MM-DD';

function folderLabel(
  entry: FolderEntry,
  parent: string,
): { label: string; kind: 'day' | 'pipeline' | 'partition' | 'folder' } {
  if (entry.partition?.key === 'date') return { label: entry.partition.value, kind: 'day' };
  if (entry.partition) return { label: `${entry.partition.key}: ${entry.partition.value}`, kind: 'partition' };
  if (holdsPipelines(parent)) return { label: entry.name, kind: 'pipeline' };
  return { label: entry.name, kind: 'folder' };
}

export function LakeBrowser({ tab }: { tab: LakeTab }) {
  const prefix = tab.prefix;
  const lake = useWorkspaceStore((s) => s.status?.lake ?? null);
  const timeZone = useWorkspaceTimeZone();
  const cacheVersion = useWorkspaceStore((s) => s.cacheVersion);
  const jobs = useWorkspaceStore((s) => s.jobs);
  const isFolderLake = lake?.driver !== 's3';

  const [entries, setEntries] = useState<LakeEntry[]>([]);
  const [nextToken, setNextToken] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<ErrorView | null>(null);
  const [nameFilter, setNameFilter] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [anchor, setAnchor] = useState<number | null>(null);
  const [watching, setWatching] = useState<string[]>([]);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, act] = useAction(setError);
  const [openKey, setOpenKey] = useState<string | null>(null);
  const [panelHeight, setPanelHeight] = useState<number | null>(null);
  const generation = useRef(0);
  const rootRef = useRef<HTMLDivElement>(null);
  const scrollRef = useRef<HTMLDivElement>(null);
  const panelRef = useRef<HTMLElement>(null);

  /** Loads the first page, or (keepCount) as many pages as were shown, e.g. to refresh cache badges. */
  const load = useCallback(
    async (keepCount = 0) => {
      const gen = ++generation.current;
      setLoading(true);
      setError(null);
      try {
        let all: LakeEntry[] = [];
        let token: string | null = null;
        do {
          const page: LakeBrowseResult = await workbench().call('lake.browse', { prefix, token, limit: PAGE });
          if (gen !== generation.current) return;
          all = [...all, ...page.entries];
          token = page.nextToken;
        } while (token && all.length < keepCount);
        setEntries(all);
        setNextToken(token);
      } catch (err) {
        if (gen === generation.current) setError(toErrorView(err));
      } finally {
        if (gen === generation.current) setLoading(false);
      }
    },
    [prefix],
  );

  const loadMore = useCallback(async () => {
    if (!nextToken || loading) return;
    const gen = generation.current;
    setLoading(true);
    try {
      const page = await workbench().call('lake.browse', { prefix, token: nextToken, limit: PAGE });
      if (gen !== generation.current) return;
      setEntries((e) => [...e, ...page.entries]);
      setNextToken(page.nextToken);
    } catch (err) {
      if (gen === generation.current) setError(toErrorView(err));
    } finally {
      if (gen === generation.current) setLoading(false);
    }
  }, [prefix, nextToken, loading]);

  useEffect(() => {
    setSelected(new Set());
    setAnchor(null);
    setOpenKey(null);
    setEntries([]);
    setNextToken(null);
    scrollRef.current?.scrollTo({ top: 0 });
    void load();
  }, [load, lake?.location]);

  // Cache badges follow the cache: re-read what is shown when it changes.
  const shownCount = useRef(0);
  shownCount.current = entries.length;
  const seenCacheVersion = useRef(cacheVersion);
  useEffect(() => {
    if (cacheVersion === seenCacheVersion.current) return;
    seenCacheVersion.current = cacheVersion;
    void load(shownCount.current);
  }, [cacheVersion, load]);

  // A download we started finished: refresh, and say how it went.
  useEffect(() => {
    const finished = watching.map((id) => jobs[id]).filter((j) => j && j.state !== 'queued' && j.state !== 'running');
    if (finished.length === 0) return;
    setWatching((w) => w.filter((id) => !finished.some((j) => j?.jobId === id)));
    const failed = finished.find((j) => j?.state === 'failed');
    setMessage(failed ? `${failed.title}: ${failed.error ?? failed.message}` : (finished[0]?.message ?? null));
    void load(shownCount.current);
  }, [jobs, watching, load]);

  const visible = useMemo(() => {
    const needle = nameFilter.trim().toLowerCase();
    return entries.filter((entry) => {
      const name = entry.kind === 'folder' ? (entry.partition?.value ?? entry.name) : entry.name;
      if (needle && !name.toLowerCase().includes(needle)) return false;
      if ((from || to) && entry.kind === 'folder' && entry.partition?.key === 'date') {
        return dayInRange(entry.partition.value, from, to);
      }
      return true;
    });
  }, [entries, nameFilter, from, to]);

  const virtualizer = useVirtualizer({
    count: visible.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.length > 0 ? items[items.length - 1]!.index : -1;

  // Infinite scroll: fetch the next page as the end comes into view.
  useEffect(() => {
    if (nextToken && !loading && !error && lastIndex >= visible.length - 20) void loadMore();
  }, [lastIndex, visible.length, nextToken, loading, error, loadMore]);

  // The list shrinks when a file opens: keep that file's row in view.
  const openIndex = openKey ? visible.findIndex((e) => e.kind === 'file' && e.key === openKey) : -1;
  const openIndexRef = useRef(openIndex);
  openIndexRef.current = openIndex;
  useEffect(() => {
    if (!openKey) return;
    // After the panel took its room, so the list's new height is known.
    const frame = requestAnimationFrame(() => {
      if (openIndexRef.current >= 0) virtualizer.scrollToIndex(openIndexRef.current, { align: 'auto' });
    });
    return () => cancelAnimationFrame(frame);
  }, [openKey, virtualizer]);

  const closeFile = useCallback(() => setOpenKey(null), []);

  const startResize = (e: ReactPointerEvent<HTMLDivElement>) => {
    e.preventDefault();
    const startY = e.clientY;
    const startHeight = panelRef.current?.offsetHeight ?? 400;
    const max = (rootRef.current?.clientHeight ?? 800) - LIST_MIN - 100;
    const move = (ev: PointerEvent) =>
      setPanelHeight(Math.max(PANEL_MIN, Math.min(max, startHeight - (ev.clientY - startY))));
    const up = () => {
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', up);
    };
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up);
  };

  const go = (next: string) => setLakePrefix(tab.id, next);
  const place = placeOf(prefix);

  const toggle = (index: number, key: string, e: MouseEvent) => {
    setSelected((current) => {
      const next = new Set(current);
      if (e.shiftKey && anchor !== null) {
        const [a, b] = anchor < index ? [anchor, index] : [index, anchor];
        const on = !current.has(key);
        for (const entry of visible.slice(a, b + 1)) {
          if (entry.kind !== 'file') continue;
          if (on) next.add(entry.key);
          else next.delete(entry.key);
        }
      } else if (next.has(key)) next.delete(key);
      else next.add(key);
      return next;
    });
    setAnchor(index);
  };

  const startDownload = async (keys: string[], what: string) => {
    if (keys.length === 0) {
      setMessage(`Nothing to cache in ${what}.`);
      return;
    }
    const { jobId } = await workbench().call('cache.download', { keys });
    setWatching((w) => [...w, jobId]);
    setMessage(`Caching ${keys.length} ${keys.length === 1 ? 'file' : 'files'} of ${what}…`);
  };

  const cacheSelected = () =>
    act(async () => {
      await startDownload([...selected], 'the selection');
      setSelected(new Set());
    });

  const cacheFolder = (folderPrefix: string, label: string) =>
    act(async () => startDownload(await keysUnder(folderPrefix), label));

  const fileAction = (method: 'cache.pin' | 'cache.unpin' | 'cache.evict', key: string) =>
    act(async () => {
      await workbench().call(method, { keys: [key] });
      await load(shownCount.current);
    });

  const openInQuery = (pipelineId: string, day: string | null) =>
    request('sql.open', { sql: bronzeQuery(pipelineId, day), title: day ? `${pipelineId} ${day}` : pipelineId });

  const selectableKeys = visible.filter((e): e is FileEntry => e.kind === 'file').map((e) => e.key);
  const allSelected = selectableKeys.length > 0 && selectableKeys.every((k) => selected.has(k));

  return (
    <div className="lake-browser" data-testid="lake-browser" data-prefix={prefix} ref={rootRef}>
      <div className="query-toolbar lake-toolbar">
        <nav className="lake-breadcrumb" data-testid="lake-breadcrumb" aria-label="Where you are in the lake">
          {breadcrumb(prefix).map((crumb, i, all) => (
            <span key={crumb.prefix} className="crumb">
              {i > 0 ? <span className="crumb-sep">›</span> : null}
              {i === all.length - 1 ? (
                <span className="crumb-current">{crumb.label}</span>
              ) : (
                <button
                  type="button"
                  className="link-button"
                  data-prefix={crumb.prefix}
                  onClick={() => go(crumb.prefix)}
                >
                  {crumb.label}
                </button>
              )}
            </span>
          ))}
        </nav>
        <span className="toolbar-spacer" />
        {place.pipelineId ? (
          <button
            type="button"
            className="plain-button"
            data-testid="open-in-query"
            title={bronzeQuery(place.pipelineId, place.day)}
            onClick={() => openInQuery(place.pipelineId!, place.day)}
          >
            Open in query
          </button>
        ) : null}
        {!isFolderLake && place.day ? (
          <button
            type="button"
            className="plain-button"
            data-testid="cache-day"
            disabled={busy}
            onClick={() => void cacheFolder(prefix, place.day!)}
          >
            Cache this day
          </button>
        ) : null}
        {!isFolderLake ? (
          <button
            type="button"
            className="run-button"
            data-testid="cache-selected"
            disabled={busy || selected.size === 0}
            onClick={() => void cacheSelected()}
          >
            Cache selected{selected.size > 0 ? ` (${selected.size})` : ''}
          </button>
        ) : null}
      </div>
      <div className="lake-filters">
        <input
          className="form-input"
          data-testid="lake-filter"
          placeholder="Filter by name"
          value={nameFilter}
          onChange={(e) => setNameFilter(e.target.value)}
        />
        <label className="lake-date">
          from
          <UtcTimeInput day value={from} testId="lake-from" title={DAY_TITLE} onChange={setFrom} />
        </label>
        <label className="lake-date">
          to
          <UtcTimeInput day value={to} testId="lake-to" title={DAY_TITLE} onChange={setTo} />
        </label>
        <span className="toolbar-spacer" />
        <span className="dim" data-testid="lake-count">
          {visible.length === entries.length ? entries.length : `${visible.length} of ${entries.length}`}
          {nextToken ? '+' : ''} {entries.length === 1 ? 'entry' : 'entries'}
          {loading ? ' · loading…' : ''}
        </span>
      </div>
      {isFolderLake ? (
        <div className="lake-note" data-testid="lake-local-note">
          This lake is a local folder: files are read in place
        </div>
      ) : null}
      {message ? (
        <div className="lake-note" data-testid="lake-message">
          {message}
        </div>
      ) : null}
      {error ? <ErrorPanel error={error} testId="lake-error" /> : null}
      <div className="lake-header">
        {!isFolderLake ? (
          <input
            type="checkbox"
            aria-label="Select all files shown"
            checked={allSelected}
            disabled={selectableKeys.length === 0}
            onChange={() => setSelected(allSelected ? new Set() : new Set(selectableKeys))}
          />
        ) : (
          <span />
        )}
        <span>Name</span>
        <span className="num">Size</span>
        <span>Last modified</span>
        <span>Cache</span>
        <span />
      </div>
      <div className="lake-scroll" ref={scrollRef}>
        {!loading && entries.length === 0 && !error ? <div className="empty-state">Nothing here.</div> : null}
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {items.map((item) => {
            const entry = visible[item.index]!;
            const style = { transform: `translateY(${item.start}px)`, height: ROW_HEIGHT };
            if (entry.kind === 'folder') {
              const { label, kind } = folderLabel(entry, prefix);
              const pipelineId = kind === 'pipeline' ? entry.name : place.pipelineId;
              return (
                <div
                  key={entry.prefix}
                  className="lake-row folder"
                  style={style}
                  data-testid="lake-entry"
                  data-kind={kind}
                  data-prefix={entry.prefix}
                  onDoubleClick={() => go(entry.prefix)}
                >
                  <span />
                  <button type="button" className="lake-name" title={entry.prefix} onClick={() => go(entry.prefix)}>
                    <span className={`tree-icon ${kind === 'pipeline' ? 'lake' : 'folder'}`} aria-hidden />
                    {label}
                    {kind === 'pipeline' ? <span className="badge">pipeline</span> : null}
                    {kind === 'day' ? <span className="badge">day</span> : null}
                  </button>
                  <span />
                  <span />
                  <span />
                  <span className="lake-actions">
                    {kind === 'day' && !isFolderLake ? (
                      <button
                        type="button"
                        className="plain-button"
                        data-testid="row-cache-day"
                        disabled={busy}
                        onClick={() => void cacheFolder(entry.prefix, label)}
                      >
                        Cache this day
                      </button>
                    ) : null}
                    {(kind === 'day' || kind === 'pipeline') && pipelineId ? (
                      <button
                        type="button"
                        className="plain-button"
                        data-testid="row-open-in-query"
                        onClick={() => openInQuery(pipelineId, kind === 'day' ? label : null)}
                      >
                        Query
                      </button>
                    ) : null}
                  </span>
                </div>
              );
            }
            const isSelected = selected.has(entry.key);
            const cached = entry.cache === 'cached' || entry.cache === 'stale';
            return (
              <div
                key={entry.key}
                className={`lake-row file${isSelected ? ' selected' : ''}${entry.key === openKey ? ' open' : ''}`}
                style={style}
                data-testid="lake-entry"
                data-kind="file"
                data-key={entry.key}
                data-cache={entry.cache}
                data-pinned={String(entry.pinned)}
              >
                {!isFolderLake ? (
                  <input
                    type="checkbox"
                    data-testid="lake-select"
                    aria-label={`Select ${entry.name}`}
                    checked={isSelected}
                    onClick={(e) => toggle(item.index, entry.key, e)}
                    onChange={() => undefined}
                  />
                ) : (
                  <span />
                )}
                <button
                  type="button"
                  className="lake-name mono"
                  data-testid="open-file"
                  title={`Open ${entry.key}: schema, row groups, first rows`}
                  aria-pressed={entry.key === openKey}
                  onClick={() => setOpenKey(entry.key)}
                >
                  <span className="tree-icon parquet" aria-hidden />
                  {entry.name}
                </button>
                <span className="num">{formatBytes(entry.size)}</span>
                <span className="dim">{formatInstant(Date.parse(entry.lastModified), timeZone)}</span>
                <span>
                  <span className={`cache-badge ${entry.cache}`}>{CACHE_LABEL[entry.cache]}</span>
                  {entry.pinned ? (
                    <span className="badge" title="Pinned: never evicted">
                      pinned
                    </span>
                  ) : null}
                </span>
                <span className="lake-actions">
                  {cached ? (
                    <>
                      <button
                        type="button"
                        className="plain-button"
                        data-testid={entry.pinned ? 'unpin' : 'pin'}
                        disabled={busy}
                        onClick={() => void fileAction(entry.pinned ? 'cache.unpin' : 'cache.pin', entry.key)}
                      >
                        {entry.pinned ? 'Unpin' : 'Pin'}
                      </button>
                      <button
                        type="button"
                        className="plain-button"
                        data-testid="evict"
                        disabled={busy}
                        onClick={() => void fileAction('cache.evict', entry.key)}
                      >
                        Evict
                      </button>
                    </>
                  ) : null}
                </span>
              </div>
            );
          })}
        </div>
        {nextToken && !loading ? (
          <button type="button" className="plain-button lake-more" onClick={() => void loadMore()}>
            Load more
          </button>
        ) : null}
      </div>
      {openKey ? (
        <>
          <div
            className="splitter"
            onPointerDown={startResize}
            role="separator"
            aria-orientation="horizontal"
            aria-label="Resize the file panel"
          />
          <ParquetFileView
            ref={panelRef}
            fileKey={openKey}
            onClose={closeFile}
            style={panelHeight === null ? undefined : { height: panelHeight }}
          />
        </>
      ) : null}
    </div>
  );
}
