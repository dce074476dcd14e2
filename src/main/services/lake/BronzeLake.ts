/**
 * The workspace's Bronze lake, whichever driver holds it: a local folder (read
 * in place, nothing to cache) or an S3/R2 bucket (browsed remotely, read from
 * the local BronzeCache). The sidebar, the lake browser and the warehouse views
 * all go through here.
 */
import { join } from 'node:path';
import type { LakeListing, LakePipeline } from '../../../shared/api/contract';
import type { S3Profile } from '../../../shared/api/connections';
import type { FileCacheState, LakeBrowseResult, LakeEntry } from '../../../shared/api/lake';
import { WorkbenchError } from '../../../shared/errors';
import { BronzeCache } from '../cache/BronzeCache';
import { FolderObjectStore } from '../objectStore/FolderObjectStore';
import type { ObjectStore } from '../objectStore/ObjectStore';
import { S3ObjectStore } from '../objectStore/S3ObjectStore';
import { FolderLake, type BronzeFile } from './FolderLake';
import { describeParquetFile } from '../parquet/ParquetFile';
import type { ParquetFileInfo } from '../../../shared/api/lake';

const PARTITION = /^([^=/]+)=([^/]*)$/;
const DAY = /^date=(\d{4}-\d{2}-\d{2})$/;

export interface BronzeView {
  pipelineId: string;
  glob: string;
  /** The files the glob matches now, for the warehouse to check before it reads them. */
  files: BronzeFile[];
}

export class BronzeLake {
  private constructor(
    readonly driver: 'folder' | 's3',
    readonly location: string,
    readonly connectionId: string | null,
    readonly store: ObjectStore,
    /** Where the Parquet the warehouse reads lives, laid out as `bronze/<pipeline>/date=…/`. */
    private readonly localRoot: FolderLake,
    readonly cache: BronzeCache | null,
  ) {}

  static folder(root: string): BronzeLake {
    return new BronzeLake('folder', root, null, new FolderObjectStore(root), new FolderLake(root), null);
  }

  static s3(options: { profile: S3Profile; secret: string; cacheDir: string; quotaBytes: number }): BronzeLake {
    const { profile, secret, cacheDir, quotaBytes } = options;
    const store = new S3ObjectStore({
      endpoint: profile.endpoint,
      bucket: profile.bucket,
      region: profile.region,
      accessKeyId: profile.accessKeyId,
      secretAccessKey: secret,
    });
    const cache = new BronzeCache({ dir: cacheDir, store, storeId: profile.bucket, quotaBytes });
    return new BronzeLake(
      's3',
      `s3://${profile.bucket}/${profile.prefix}`,
      profile.id,
      store,
      new FolderLake(cache.root),
      cache,
    );
  }

  /** The cache, or a clear refusal for a folder lake. */
  requireCache(): BronzeCache {
    if (!this.cache) {
      throw new WorkbenchError('bad_request', 'This lake is a local folder: its files are read in place, not cached');
    }
    return this.cache;
  }

  close(): void {
    if (this.store instanceof S3ObjectStore) this.store.close();
  }

  /** One level of the lake: folders (partitions shown as such) and files with their cache state. */
  async browse(prefix: string, token: string | null, limit: number): Promise<LakeBrowseResult> {
    if (prefix !== '' && !prefix.endsWith('/')) prefix = `${prefix}/`;
    const page = await this.store.list({ prefix, delimiter: '/', maxKeys: limit, token });
    const folders: LakeEntry[] = page.prefixes.map((folder) => {
      const name = folder.slice(prefix.length).replace(/\/$/, '');
      const match = PARTITION.exec(name);
      return {
        kind: 'folder',
        prefix: folder,
        name,
        partition: match ? { key: match[1]!, value: match[2]! } : null,
      };
    });
    const keys = page.objects.map((o) => o.key);
    const states = this.cache ? await this.cache.status(keys) : {};
    const pinned = new Set(this.cache ? (await this.cache.list()).filter((e) => e.pinned).map((e) => e.key) : []);
    const files: LakeEntry[] = page.objects.map((object) => {
      const state = states[object.key];
      const cache: FileCacheState = this.cache ? (state ?? 'not-cached') : 'local';
      return {
        kind: 'file',
        key: object.key,
        name: object.key.slice(prefix.length),
        size: object.size,
        lastModified: object.lastModified.toISOString(),
        etag: object.etag,
        cache,
        pinned: pinned.has(object.key),
      };
    });
    return { prefix, entries: [...folders, ...files], nextToken: page.nextToken };
  }

  /** Schema, row groups, statistics and first rows: from the cache when there, else by range reads. */
  async describeFile(key: string, rows: number): Promise<ParquetFileInfo> {
    if (!this.cache) return describeParquetFile({ store: this.store, key, rows, source: 'local' });
    const state = (await this.cache.status([key]))[key];
    if (state === 'cached' || state === 'stale') {
      return describeParquetFile({ store: new FolderObjectStore(this.cache.root), key, rows, source: 'cache' });
    }
    return describeParquetFile({ store: this.store, key, rows, source: 'store' });
  }

  /** Every key below a prefix (all pages), e.g. one day's files to cache. */
  async keysUnder(prefix: string, signal?: AbortSignal): Promise<string[]> {
    const keys: string[] = [];
    let token: string | null = null;
    do {
      const page = await this.store.list({ prefix, maxKeys: 1000, token, ...(signal ? { signal } : {}) });
      keys.push(...page.objects.map((o) => o.key));
      token = page.nextToken;
    } while (token);
    return keys;
  }

  /**
   * Pipelines with their days, files and bytes, as the store has them. One flat
   * listing of `bronze/` (no delimiter): it gives the counts anyway, and does not
   * depend on how a server computes common prefixes (s3rver gets nested ones wrong).
   */
  async list(): Promise<LakeListing> {
    if (this.driver === 'folder') return this.localRoot.list();
    const byPipeline = new Map<string, { days: Set<string>; files: number; bytes: number }>();
    let token: string | null = null;
    do {
      const page = await this.store.list({ prefix: 'bronze/', maxKeys: 1000, token });
      for (const object of page.objects) {
        const [, pipelineId, dayFolder] = object.key.split('/');
        if (!pipelineId || !object.key.endsWith('.parquet')) continue;
        let entry = byPipeline.get(pipelineId);
        if (!entry) byPipeline.set(pipelineId, (entry = { days: new Set(), files: 0, bytes: 0 }));
        const day = DAY.exec(dayFolder ?? '')?.[1];
        if (day) entry.days.add(day);
        entry.files++;
        entry.bytes += object.size;
      }
      token = page.nextToken;
    } while (token);
    const pipelines: LakePipeline[] = [...byPipeline.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([pipelineId, { days, files, bytes }]) => {
        const sorted = [...days].sort();
        return {
          pipelineId,
          days: days.size,
          files,
          bytes,
          firstDay: sorted[0] ?? null,
          lastDay: sorted.at(-1) ?? null,
        };
      });
    return { pipelines };
  }

  /** The warehouse's `bronze.<pipeline>` views: over the folder, or over what is cached. */
  async bronzeViews(): Promise<BronzeView[]> {
    const local = await this.localRoot.list();
    return Promise.all(
      local.pipelines.map(async (p) => ({
        pipelineId: p.pipelineId,
        glob: this.localRoot.bronzeGlob(p.pipelineId),
        files: await this.localRoot.bronzeFiles(p.pipelineId),
      })),
    );
  }

  /** For messages: where the warehouse reads from. */
  get localDir(): string {
    return join(this.localRoot.root);
  }
}
