/**
 * The local Parquet cache of a Bronze lake. Objects live at
 * `<dir>/bronze/<storeId>/<key>`, keeping the key's path (and so its `date=…`
 * partitions) for the warehouse to glob; `<dir>/cache-index.json` records what
 * is there. Downloads are resumable and verified (see fetchObject), stale
 * files are flagged rather than swapped under a running query, and a quota
 * evicts the least recently used unpinned files.
 */
import { stat, rm } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { WorkbenchError, errorMessage, type ErrorCode } from '../../../shared/errors';
import type { ObjectStore } from '../objectStore/ObjectStore';
import { CacheIndex, isCacheKey, type CacheEntry, type CacheEntryState } from './CacheIndex';
import { discardPart, fetchObject, isMd5Etag, type FetchedObject } from './fetchObject';
import { md5OfFile } from './fileMd5';
import { ProgressMeter, type DownloadProgress } from './ProgressMeter';
import { insidePath } from '../workspace/insidePath';
import { forEachLimited } from '../forEachLimited';

export type { CacheEntry, CacheEntryState } from './CacheIndex';
export type { DownloadProgress } from './ProgressMeter';

export interface BronzeCacheOptions {
  /** The workspace's cache folder. */
  dir: string;
  store: ObjectStore;
  /** Names the store in paths (e.g. the bucket); one folder per store. */
  storeId: string;
  quotaBytes: number;
  /** Files downloaded at once. */
  concurrency?: number;
}

export type CacheStatus = 'cached' | 'stale' | 'not-cached';

export interface CacheListEntry extends CacheEntry {
  /** Absolute path of the cached file. */
  path: string;
}

export interface CacheUsage {
  bytes: number;
  files: number;
  pinnedBytes: number;
  quotaBytes: number;
}

export interface DownloadOptions {
  signal?: AbortSignal;
  onProgress?: (progress: DownloadProgress) => void;
  /** Least time between two progress reports; the last one is always sent. */
  progressIntervalMs?: number;
}

export interface DownloadResult {
  downloaded: { key: string; size: number; resumedFrom: number }[];
  /** Already cached (stale ones included: `refresh` replaces those). */
  skipped: string[];
  /** Evicted by the quota after the downloads. */
  evicted: string[];
}

export interface RevalidateResult {
  fresh: string[];
  stale: string[];
  /** The store could not be asked; these files are still served. */
  notRevalidated: { key: string; message: string }[];
}

export interface VerifyResult {
  ok: string[];
  /** Removed from the cache, so the next download fetches them again. */
  corrupt: { key: string; reason: string }[];
}

export interface CacheChange {
  added: string[];
  removed: string[];
  /** State, pin or ETag changed; the file may have been replaced (refresh). */
  updated: string[];
}

export class BronzeCache {
  readonly dir: string;
  /** The folder that holds this store's files: `<root>/bronze/<pipeline>/date=…/…`. */
  readonly root: string;
  private readonly store: ObjectStore;
  private quotaBytes: number;
  private readonly concurrency: number;
  private readonly index: CacheIndex;
  /** The index being (or having been) read; cleared by a failure, so a fixed file is read again. */
  private loading: Promise<void> | null = null;
  private readonly listeners = new Set<(change: CacheChange) => void>();
  /** Keys being written now, so two downloads never share a part file. */
  private readonly inFlight = new Map<string, Promise<unknown>>();
  /** Folders made during this batch of downloads; forgotten after it, as eviction may not keep them. */
  private readonly madeDirs = new Set<string>();

  constructor(options: BronzeCacheOptions) {
    if (!/^[A-Za-z0-9._-]+$/.test(options.storeId) || options.storeId.startsWith('.'))
      throw new WorkbenchError('bad_request', `"${options.storeId}" cannot name a cache folder.`);
    this.dir = resolve(options.dir);
    this.root = join(this.dir, 'bronze', options.storeId);
    this.store = options.store;
    this.quotaBytes = options.quotaBytes;
    this.concurrency = Math.max(1, options.concurrency ?? 4);
    this.index = new CacheIndex(join(this.dir, 'cache-index.json'));
    void this.loaded();
  }

  /** Reads the index once; a damaged one fails every call (naming the file) until it is fixed. */
  private loaded(): Promise<void> {
    if (!this.loading) {
      const attempt = this.load();
      this.loading = attempt;
      // Observed here, so a damaged index read at start-up is never an unhandled rejection.
      attempt.catch(() => {
        if (this.loading === attempt) this.loading = null;
      });
    }
    return this.loading;
  }

  /** Where `key` is (or would be) cached; refuses keys that would leave the cache folder. */
  pathOf(key: string): string {
    const path = resolve(this.root, key);
    if (!isCacheKey(key) || !path.startsWith(this.root + sep))
      throw new WorkbenchError('bad_request', `"${key}" is not a key the cache can store.`);
    return path;
  }

  onChange(listener: (change: CacheChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async status(keys: string[]): Promise<Record<string, CacheStatus>> {
    await this.loaded();
    const out: Record<string, CacheStatus> = {};
    for (const key of keys) {
      const entry = this.index.get(key);
      out[key] = !entry ? 'not-cached' : entry.state === 'stale' ? 'stale' : 'cached';
    }
    return out;
  }

  async list(): Promise<CacheListEntry[]> {
    await this.loaded();
    return this.index
      .all()
      .sort((a, b) => a.key.localeCompare(b.key))
      .map((entry) => ({ ...entry, path: this.pathOf(entry.key) }));
  }

  async usage(): Promise<CacheUsage> {
    await this.loaded();
    let bytes = 0;
    let pinnedBytes = 0;
    const entries = this.index.all();
    for (const entry of entries) {
      bytes += entry.size;
      if (entry.pinned) pinnedBytes += entry.size;
    }
    return { bytes, files: entries.length, pinnedBytes, quotaBytes: this.quotaBytes };
  }

  /** Changes the quota and evicts down to it at once. */
  async setQuota(quotaBytes: number): Promise<string[]> {
    await this.loaded();
    this.quotaBytes = quotaBytes;
    return this.enforceQuota();
  }

  async download(keys: string[], options: DownloadOptions = {}): Promise<DownloadResult> {
    return this.fetchAll(keys, options, false);
  }

  /** Replaces stale files with the store's current version (a query reading the old one keeps its open file). */
  async refresh(keys: string[], options: DownloadOptions = {}): Promise<DownloadResult> {
    return this.fetchAll(keys, options, true);
  }

  /**
   * Asks the store whether each cached file (all by default) is still current.
   * The first "unreachable" answer ends the round: the store is gone, so the
   * rest are reported as not revalidated instead of each waiting for a timeout.
   */
  async revalidate(keys?: string[], signal?: AbortSignal): Promise<RevalidateResult> {
    await this.loaded();
    const entries = (keys ?? this.index.all().map((e) => e.key))
      .map((key) => this.index.get(key))
      .filter((e): e is CacheEntry => e !== undefined);
    const result: RevalidateResult = { fresh: [], stale: [], notRevalidated: [] };
    let offline: string | null = null;
    const updated: string[] = [];
    const revalidateOne = async (entry: CacheEntry, itemSignal: AbortSignal) => {
      if (offline !== null) {
        result.notRevalidated.push({ key: entry.key, message: offline });
      } else {
        try {
          const got = await this.store.get(entry.key, { ifNoneMatch: entry.etag, signal: itemSignal });
          // A store that ignores If-None-Match still tells us the ETag.
          if (!got.notModified) got.body.destroy();
          const remote = got.notModified ? entry.etag : got.info.etag;
          if (remote === entry.etag) result.fresh.push(entry.key);
          else result.stale.push(entry.key);
          const state: CacheEntryState = remote === entry.etag ? 'fresh' : 'stale';
          const current = this.index.get(entry.key);
          if (current) {
            this.index.set({
              ...current,
              state,
              ...(state === 'stale' ? { remoteEtag: remote } : { remoteEtag: undefined }),
            });
          }
        } catch (err) {
          if (itemSignal.aborted) throw err;
          const message = errorMessage(err);
          if (isUnreachable(err)) offline = message;
          result.notRevalidated.push({ key: entry.key, message });
          const current = this.index.get(entry.key);
          if (current && current.state === 'fresh') this.index.set({ ...current, state: 'unverified' });
        }
      }
      updated.push(entry.key);
    };
    try {
      await forEachLimited(entries, this.concurrency, revalidateOne, {
        signal,
        cancelledMessage: 'Revalidation cancelled.',
      });
    } finally {
      // What was learnt before a cancel is kept.
      await this.index.save();
      this.emit({ added: [], removed: [], updated });
    }
    return result;
  }

  /** Marks files as used now, for least-recently-used eviction (the warehouse calls it when it reads them). */
  async touch(keys: string[]): Promise<void> {
    await this.loaded();
    for (const key of keys) {
      const entry = this.index.get(key);
      if (entry) this.index.set({ ...entry, lastUsedAt: this.index.stamp() });
    }
    await this.index.save();
  }

  async pin(keys: string[]): Promise<void> {
    await this.setPinned(keys, true);
  }

  async unpin(keys: string[]): Promise<void> {
    await this.setPinned(keys, false);
    await this.enforceQuota();
  }

  /** Removes files from the cache, with any partial download of them. */
  async evict(keys: string[]): Promise<string[]> {
    await this.loaded();
    const removed: string[] = [];
    for (const key of keys) {
      const file = this.pathOf(key);
      // Removing through a linked folder would delete files outside the cache.
      await insidePath(this.dir, dirname(file), 'the cache folder');
      if (this.index.delete(key)) removed.push(key);
      await rm(file, { force: true });
      await discardPart(file);
    }
    await this.index.save();
    if (removed.length) this.emit({ added: [], removed, updated: [] });
    return removed;
  }

  /** Re-checks size and, where the ETag is an MD5, the bytes; corrupt files leave the cache. */
  async verify(keys?: string[]): Promise<VerifyResult> {
    await this.loaded();
    const entries = (keys ?? this.index.all().map((e) => e.key))
      .map((key) => this.index.get(key))
      .filter((e): e is CacheEntry => e !== undefined);
    const result: VerifyResult = { ok: [], corrupt: [] };
    await forEachLimited(entries, this.concurrency, async (entry) => {
      const reason = await this.check(entry);
      if (reason) result.corrupt.push({ key: entry.key, reason });
      else result.ok.push(entry.key);
    });
    if (result.corrupt.length) await this.evict(result.corrupt.map((c) => c.key));
    return result;
  }

  private async check(entry: CacheEntry): Promise<string | null> {
    const file = this.pathOf(entry.key);
    let size: number;
    try {
      size = (await stat(file)).size;
    } catch {
      return 'the file is missing';
    }
    if (size !== entry.size) return `the file has ${size} bytes, expected ${entry.size}`;
    if (isMd5Etag(entry.etag)) {
      const digest = await md5OfFile(file, size);
      if (digest !== entry.etag.toLowerCase()) return `its MD5 is ${digest}, expected ${entry.etag}`;
    }
    return null;
  }

  private async load(): Promise<void> {
    await this.index.load();
    // Files deleted behind our back (or never renamed into place) are not cached.
    let dropped = false;
    for (const entry of this.index.all()) {
      const size = await stat(this.pathOf(entry.key)).then(
        (s) => s.size,
        () => -1,
      );
      if (size !== entry.size) {
        this.index.delete(entry.key);
        dropped = true;
      }
    }
    if (dropped) await this.index.save();
  }

  private async fetchAll(keys: string[], options: DownloadOptions, replaceStale: boolean): Promise<DownloadResult> {
    await this.loaded();
    const { signal } = options;
    const unique = [...new Set(keys)];
    for (const key of unique) this.pathOf(key);
    const result: DownloadResult = { downloaded: [], skipped: [], evicted: [] };
    const wanted = unique.filter((key) => {
      const entry = this.index.get(key);
      const needed = !entry || (replaceStale && entry.state === 'stale');
      if (!needed) result.skipped.push(key);
      return needed;
    });
    const meter = new ProgressMeter(wanted.length, options.onProgress, options.progressIntervalMs ?? 250);
    const failures: { key: string; error: unknown }[] = [];

    try {
      // One file failing does not stop the others (each failure is caught here); a cancel stops them all.
      await forEachLimited(
        wanted,
        this.concurrency,
        async (key, itemSignal) => {
          try {
            const fetched = await this.fetchOne(key, itemSignal, meter, replaceStale);
            if (!fetched) {
              result.skipped.push(key);
              return;
            }
            result.downloaded.push({ key, size: fetched.info.size, resumedFrom: fetched.resumedFrom });
            meter.fileDone();
            result.evicted.push(...(await this.enforceQuota()));
          } catch (err) {
            failures.push({ key, error: err });
          }
        },
        { signal, cancelledMessage: 'Download cancelled; files not finished will resume where they stopped.' },
      );
    } finally {
      meter.finish();
      this.madeDirs.clear();
      await this.index.save();
    }
    if (failures.length === 1) throw failures[0]!.error;
    if (failures.length > 1) {
      const first = failures[0]!;
      throw new WorkbenchError(
        codeOf(first.error) ?? 'internal',
        `${failures.length} of ${wanted.length} files could not be downloaded (${failures.map((f) => f.key).join(', ')}). First: ${errorMessage(first.error)}`,
      );
    }
    return result;
  }

  /** null when another download cached the key while this one waited for it. */
  private async fetchOne(
    key: string,
    signal: AbortSignal | undefined,
    meter: ProgressMeter,
    replaceStale: boolean,
  ): Promise<FetchedObject | null> {
    // A second download of the same key waits for the first instead of sharing its part file.
    if (this.inFlight.has(key)) {
      while (this.inFlight.has(key)) await this.inFlight.get(key)!.catch(() => undefined);
      const entry = this.index.get(key);
      if (entry && !(replaceStale && entry.state === 'stale')) return null;
    }
    const work = fetchObject(this.store, key, this.pathOf(key), {
      signal,
      within: { root: this.dir, where: 'the cache folder' },
      onStart: (info, resumedFrom) => meter.fileStarted(info.size, resumedFrom),
      onBytes: (n) => meter.bytes(n),
      madeDirs: this.madeDirs,
    });
    this.inFlight.set(key, work);
    try {
      const fetched = await work;
      const previous = this.index.get(key);
      const now = this.index.stamp();
      this.index.set({
        key,
        etag: fetched.info.etag,
        size: fetched.info.size,
        downloadedAt: now,
        lastUsedAt: now,
        pinned: previous?.pinned ?? false,
        state: 'fresh',
      });
      // Batched: a crash before the save costs a re-download of complete files, never a wrong one.
      this.index.saveSoon();
      this.emit(previous ? { added: [], removed: [], updated: [key] } : { added: [key], removed: [], updated: [] });
      return fetched;
    } finally {
      this.inFlight.delete(key);
    }
  }

  private async setPinned(keys: string[], pinned: boolean): Promise<void> {
    await this.loaded();
    const updated: string[] = [];
    for (const key of keys) {
      const entry = this.index.get(key);
      if (entry && entry.pinned !== pinned) {
        this.index.set({ ...entry, pinned });
        updated.push(key);
      }
    }
    await this.index.save();
    if (updated.length) this.emit({ added: [], removed: [], updated });
  }

  /** Evicts least-recently-used unpinned files until the cache fits its quota. */
  private async enforceQuota(): Promise<string[]> {
    const usage = await this.usage();
    let excess = usage.bytes - this.quotaBytes;
    if (excess <= 0) return [];
    const victims: string[] = [];
    const candidates = this.index
      .all()
      .filter((e) => !e.pinned && !this.inFlight.has(e.key))
      .sort((a, b) => a.lastUsedAt.localeCompare(b.lastUsedAt));
    for (const entry of candidates) {
      if (excess <= 0) break;
      victims.push(entry.key);
      excess -= entry.size;
    }
    return this.evict(victims);
  }

  private emit(change: CacheChange): void {
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch {
        // A failing listener must not break the cache for the others.
      }
    }
  }
}

/** Failures that mean the store cannot be reached at all, not that one object is wrong. */
const UNREACHABLE: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['offline', 'timeout', 'unavailable', 'tls_failed']);

function isUnreachable(err: unknown): boolean {
  const code = codeOf(err);
  return code !== undefined && UNREACHABLE.has(code);
}

function codeOf(err: unknown): ErrorCode | undefined {
  return err instanceof WorkbenchError ? err.code : undefined;
}
