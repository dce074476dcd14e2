/**
 * The cache's index: one JSON file with an entry per cached object. Written to
 * a temporary file and renamed over the old one, so a crash leaves either the
 * old index or the new one, never half of one.
 */
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeFileAtomic } from '../jsonFile';
import { insidePath } from '../workspace/insidePath';

/**
 * fresh: the store confirmed this ETag (at download or last revalidation).
 * stale: the store now has a different version; kept until `refresh`.
 * unverified: the store could not be asked (offline); still served.
 */
export type CacheEntryState = 'fresh' | 'stale' | 'unverified';

export interface CacheEntry {
  key: string;
  etag: string;
  size: number;
  /** ISO timestamps. */
  downloadedAt: string;
  lastUsedAt: string;
  pinned: boolean;
  state: CacheEntryState;
  /** The store's ETag when it differs from ours (state 'stale'). */
  remoteEtag?: string;
}

interface IndexFile {
  version: 1;
  entries: CacheEntry[];
}

const SAVE_DELAY_MS = 500;

export class CacheIndex {
  private readonly entries = new Map<string, CacheEntry>();
  /** Saves run one at a time; a save asked for while one runs is coalesced into the next. */
  private saving: Promise<void> | null = null;
  private dirty = false;
  private timer: NodeJS.Timeout | null = null;
  /** Keeps LRU order strict even when two uses fall in the same millisecond. */
  private lastStamp = 0;

  constructor(private readonly file: string) {}

  async load(): Promise<void> {
    let text: string;
    try {
      text = await readFile(await insidePath(dirname(this.file), this.file, 'the cache folder'), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    // A damaged index only costs re-downloads, so start empty rather than fail.
    let parsed: IndexFile | null = null;
    try {
      parsed = JSON.parse(text) as IndexFile;
    } catch {
      parsed = null;
    }
    for (const entry of parsed?.entries ?? []) {
      this.entries.set(entry.key, entry);
      this.lastStamp = Math.max(this.lastStamp, Date.parse(entry.lastUsedAt) || 0);
    }
  }

  get(key: string): CacheEntry | undefined {
    return this.entries.get(key);
  }

  all(): CacheEntry[] {
    return [...this.entries.values()];
  }

  set(entry: CacheEntry): void {
    this.entries.set(entry.key, entry);
  }

  delete(key: string): boolean {
    return this.entries.delete(key);
  }

  /** A timestamp later than every one handed out before. */
  stamp(): string {
    this.lastStamp = Math.max(Date.now(), this.lastStamp + 1);
    return new Date(this.lastStamp).toISOString();
  }

  /** Saves within a moment, once for many changes. */
  saveSoon(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      // A failed save is retried by the next one; the files themselves are safe either way.
      this.save().catch(() => undefined);
    }, SAVE_DELAY_MS);
    this.timer.unref();
  }

  async save(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.dirty = true;
    while (this.saving) await this.saving;
    if (!this.dirty) return;
    this.dirty = false;
    this.saving = this.write().finally(() => {
      this.saving = null;
    });
    await this.saving;
  }

  private async write(): Promise<void> {
    const body: IndexFile = { version: 1, entries: this.all().sort((a, b) => a.key.localeCompare(b.key)) };
    await writeFileAtomic(this.file, JSON.stringify(body), { mkdir: true });
  }
}
