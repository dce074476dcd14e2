/**
 * The Bronze lake's storage, whatever holds it: an S3/R2 bucket or a local
 * folder laid out like one. Everything above this interface (the lake browser,
 * the cache, the inspector) works the same over either driver.
 */
import type { Readable } from 'node:stream';

export interface ObjectInfo {
  /** The full key, e.g. `bronze/energy_meters/date=2026-10-01/batch-0001.parquet`. */
  key: string;
  size: number;
  /** Quotes stripped. For S3 a plain-object ETag is the MD5 of the bytes; multipart ETags end in `-N`. */
  etag: string;
  lastModified: Date;
  /**
   * Listed by a folder store: the file's real path. The listing walked only real
   * folders and took only regular files (never a link), so the path is inside
   * the folder without another check.
   */
  localPath?: string;
}

export interface ListPage {
  objects: ObjectInfo[];
  /** Sub-prefixes when listed with a delimiter (e.g. the `date=…/` partitions). */
  prefixes: string[];
  /** Pass back to get the next page; null on the last page. */
  nextToken: string | null;
}

export interface ListOptions {
  prefix: string;
  delimiter?: string;
  /** Page size; the store may return fewer. */
  maxKeys?: number;
  token?: string | null;
  signal?: AbortSignal;
}

export interface GetOptions {
  /** Inclusive byte range. */
  range?: { start: number; end: number };
  /** Answer `notModified` instead of the body when the object still has this ETag. */
  ifNoneMatch?: string;
  signal?: AbortSignal;
}

export type GetResult =
  | { notModified: true; info: null; body: null }
  | {
      notModified: false;
      info: ObjectInfo;
      /** The bytes asked for (the whole object, or the range). */
      body: Readable;
      /** Length of `body` in bytes. */
      contentLength: number;
    };

export interface ObjectStore {
  /** A short description for messages, e.g. `s3://dash-bronze` or a folder path. */
  readonly description: string;
  list(options: ListOptions): Promise<ListPage>;
  head(key: string, signal?: AbortSignal): Promise<ObjectInfo>;
  get(key: string, options?: GetOptions): Promise<GetResult>;
  /**
   * Where `key`'s file is on this machine, for stores whose objects are local
   * files (a folder lake, the cache): readers then open it once and read by
   * position instead of one GET per range. Absent for remote stores. Refuses
   * a file that a link leads outside the store's folder.
   */
  localPath?(key: string): Promise<string>;
  /** localPath of many keys at once (cheaper per key), each the path or why not; a store with one has both. */
  localPaths?(keys: readonly string[]): Promise<(string | Error)[]>;
}
