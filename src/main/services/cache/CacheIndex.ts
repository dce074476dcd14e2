/**
 * The cache's index: one JSON file with an entry per cached object. Written to
 * a temporary file and renamed over the old one, so a crash leaves either the
 * old index or the new one, never half of one.
 */
import { dirname, isAbsolute } from 'node:path';
import { z } from 'zod';
import { readJsonFile, writeFileAtomic } from '../jsonFile';

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

/**
 * A store key the cache can keep as a file under its folder: relative, no
 * `.`/`..`/empty parts between its `/` (which would leave the folder or alias another key).
 */
export function isCacheKey(key: string): boolean {
  return (
    key.length > 0 &&
    key.length <= 1024 &&
    !isAbsolute(key) &&
    !key.includes('\0') &&
    key.split('/').every((part) => part !== '' && part !== '.' && part !== '..')
  );
}

const Stamp = z.string().max(64);

/** cache-index.json, read like a request: its keys become paths the cache stats, reads and deletes. */
const IndexFile = z.strictObject({
  version: z.literal(1),
  entries: z.array(
    z.strictObject({
      key: z.string().refine(isCacheKey, 'must be a relative key inside the cache (no "..", no absolute path)'),
      etag: z.string().max(1024),
      size: z.number().int().nonnegative(),
      downloadedAt: Stamp,
      lastUsedAt: Stamp,
      pinned: z.boolean(),
      state: z.enum(['fresh', 'stale', 'unverified']),
      remoteEtag: z.string().max(1024).optional(),
    }),
  ),
}) satisfies z.ZodType<{ version: 1; entries: CacheEntry[] }>;
type IndexFile = z.infer<typeof IndexFile>;

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

  /**
   * Reads the index; a damaged one is refused with an error naming it (never
   * overwritten: starting empty would save over the user's pins and metadata).
   */
  async load(): Promise<void> {
    const parsed = await readJsonFile(this.file, IndexFile, 'cache index', {
      within: { root: dirname(this.file), where: 'the cache folder' },
      hint: 'Move that file aside (or delete it) and try again: the cached files stay, and are downloaded again when you cache them.',
    });
    this.entries.clear();
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
