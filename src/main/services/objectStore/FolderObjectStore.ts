/**
 * The local-folder driver of the object store: a folder laid out like the
 * bucket, where a key is the `/`-separated path of a file below the root.
 * Listing follows S3's rules (lexicographic order, common prefixes for the
 * delimiter, an opaque continuation token), so the lake browser and the cache
 * cannot tell the two drivers apart.
 *
 * The ETag here is `<size hex>-<mtime µs hex>`, not an MD5: hashing every file
 * to list a big lake would be far too slow. It changes when the file is
 * rewritten, which is all revalidation needs, and its `-` keeps it from being
 * mistaken for an MD5 (as S3's multipart ETags are not either).
 *
 * Dot files, `*.tmp` files and symbolic links are not objects: they are how
 * writers stage files, and a link could lead out of the root. Reading a key
 * whose file a link leads out of the root (the file itself, or a folder on
 * its way) is refused.
 */
import type { Dirent, Stats } from 'node:fs';
import { open, readdir, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { addAbortSignal } from 'node:stream';
import { WorkbenchError } from '../../../shared/errors';
import type { GetOptions, GetResult, ListOptions, ListPage, ObjectInfo, ObjectStore } from './ObjectStore';
import { describeStoreError } from './storeErrors';
import { insidePath, insidePaths } from '../workspace/insidePath';

const DEFAULT_MAX_KEYS = 1000;
/** Folders a listing reads ahead of the one it walks. */
const FOLDERS_READ_AHEAD = 8;

/** One listing entry in key order: a file, or a directory rolled up into a common prefix. */
type Entry = { kind: 'object'; key: string; path: string } | { kind: 'prefix'; prefix: string };

function isHidden(name: string): boolean {
  // A backslash cannot be part of a key here (it is a separator on Windows).
  return name.startsWith('.') || name.endsWith('.tmp') || name.includes('\\');
}

function etagOf(stats: Stats): string {
  return `${stats.size.toString(16)}-${Math.round(stats.mtimeMs * 1000).toString(16)}`;
}

function encodeToken(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64url');
}

function decodeToken(token: string): string {
  const key = Buffer.from(token, 'base64url').toString('utf8');
  if (key === '' || encodeToken(key) !== token) {
    throw new WorkbenchError('bad_request', 'The listing’s continuation token is not one this store gave out.');
  }
  return key;
}

function throwIfAborted(signal: AbortSignal | undefined, store: string): void {
  if (signal?.aborted) throw new WorkbenchError('cancelled', `The request to ${store} was cancelled.`);
}

export class FolderObjectStore implements ObjectStore {
  readonly root: string;
  readonly description: string;

  constructor(root: string) {
    this.root = resolve(root);
    this.description = this.root;
  }

  async list({ prefix, delimiter, maxKeys, token, signal }: ListOptions): Promise<ListPage> {
    throwIfAborted(signal, this.description);
    const limit = Math.max(1, maxKeys ?? DEFAULT_MAX_KEYS);
    const after = token ? decodeToken(token) : null;
    await this.checkRoot();
    // Start at the deepest folder the prefix names in full; nothing above it can match.
    const parts = prefix.split('/').slice(0, -1);
    if (parts.some((p) => p === '' || p === '.' || p === '..' || p.includes('\0') || p.includes('\\'))) {
      return { objects: [], prefixes: [], nextToken: null };
    }
    const startKey = parts.length ? `${parts.join('/')}/` : '';
    // The walk follows no link below the root: a listed file's real path is the root's and its key.
    const realRoot = await realpath(this.root).catch((err: unknown) => {
      throw describeStoreError(err, this.description);
    });
    // Files are stat'ed all at once at the end of the page (libuv runs them side by side), not one by one.
    const files: { key: string; path: string }[] = [];
    const prefixes: string[] = [];
    let last: string | null = null;
    let nextToken: string | null = null;
    try {
      for await (const entry of this.walk(join(this.root, ...parts), startKey, prefix, delimiter, after, signal)) {
        if (files.length + prefixes.length === limit) {
          nextToken = last === null ? null : encodeToken(last);
          break;
        }
        if (entry.kind === 'prefix') {
          prefixes.push(entry.prefix);
          last = entry.prefix;
        } else {
          files.push({ key: entry.key, path: entry.path });
          last = entry.key;
        }
      }
      const objects = await Promise.all(
        files.map(async ({ key, path }): Promise<ObjectInfo> => {
          const stats = await stat(path);
          return {
            key,
            size: stats.size,
            etag: etagOf(stats),
            lastModified: stats.mtime,
            localPath: join(realRoot, ...key.split('/')),
          };
        }),
      );
      return { objects, prefixes, nextToken };
    } catch (err) {
      throw describeStoreError(err, this.description);
    }
  }

  async head(key: string, signal?: AbortSignal): Promise<ObjectInfo> {
    throwIfAborted(signal, this.description);
    const path = await this.insidePathOf(key);
    try {
      const stats = await stat(path);
      if (!stats.isFile()) throw Object.assign(new Error(`${path} is not a file`), { code: 'ENOENT' });
      return { key, size: stats.size, etag: etagOf(stats), lastModified: stats.mtime };
    } catch (err) {
      throw await this.describe(err, key);
    }
  }

  async get(key: string, { range, ifNoneMatch, signal }: GetOptions = {}): Promise<GetResult> {
    throwIfAborted(signal, this.description);
    const path = await this.insidePathOf(key);
    let handle;
    try {
      handle = await open(path, 'r');
    } catch (err) {
      throw await this.describe(err, key);
    }
    try {
      // Stat the open file, so the ETag and the bytes are of the same file even if it is replaced now.
      const stats = await handle.stat();
      if (!stats.isFile()) throw Object.assign(new Error(`${path} is not a file`), { code: 'ENOENT' });
      const info: ObjectInfo = { key, size: stats.size, etag: etagOf(stats), lastModified: stats.mtime };
      if (ifNoneMatch !== undefined && ifNoneMatch.replace(/^"(.*)"$/, '$1') === info.etag) {
        await handle.close();
        return { notModified: true, info: null, body: null };
      }
      let start = 0;
      let end = stats.size - 1;
      if (range) {
        if (range.start < 0 || range.end < range.start || range.start >= stats.size) {
          throw new WorkbenchError(
            'bad_request',
            `The byte range ${range.start}-${range.end} is outside ${key} (${stats.size} bytes).`,
          );
        }
        start = range.start;
        // Like S3, a range running past the end is cut at the end.
        end = Math.min(range.end, stats.size - 1);
      }
      const contentLength = Math.max(0, end - start + 1);
      // An empty file has no valid range; a stream over nothing is still a stream.
      const body = handle.createReadStream(contentLength === 0 ? { start: 0, end: -1 } : { start, end });
      if (signal) addAbortSignal(signal, body);
      return { notModified: false, info, body, contentLength };
    } catch (err) {
      await handle.close().catch(() => undefined);
      throw await this.describe(err, key);
    }
  }

  /** The file of a key, refusing any key that could point outside the root (as a rejection, never a throw). */
  async localPath(key: string): Promise<string> {
    return this.insidePathOf(key);
  }

  async localPaths(keys: readonly string[]): Promise<(string | Error)[]> {
    const paths = keys.map((key): string | Error => {
      try {
        return this.pathOf(key);
      } catch (err) {
        return err as Error;
      }
    });
    const valid = paths.filter((p): p is string => typeof p === 'string');
    const real = await insidePaths(this.root, valid, 'the lake folder');
    let next = 0;
    return paths.map((p) => (typeof p === 'string' ? real[next++]! : p));
  }

  /** The real path of a key's file; refuses one that a link leads outside the root. */
  private insidePathOf(key: string): Promise<string> {
    return insidePath(this.root, this.pathOf(key), 'the lake folder');
  }

  private pathOf(key: string): string {
    const parts = key.split('/');
    if (
      key === '' ||
      key.includes('\0') ||
      key.includes('\\') ||
      isAbsolute(key) ||
      parts.some((p) => p === '' || p === '.' || p === '..')
    ) {
      throw new WorkbenchError(
        'bad_request',
        `${JSON.stringify(key.slice(0, 200))} is not a valid key: keys are relative paths like bronze/<pipeline>/date=<day>/<file>.parquet.`,
      );
    }
    return join(this.root, ...parts);
  }

  private async checkRoot(): Promise<void> {
    try {
      if (!(await stat(this.root)).isDirectory()) {
        throw Object.assign(new Error(`${this.root} is not a folder`), { code: 'ENOTDIR' });
      }
    } catch (err) {
      throw describeStoreError(err, this.description);
    }
  }

  /** A missing file is `not_found`, unless the whole lake folder is missing. */
  private async describe(err: unknown, key: string): Promise<WorkbenchError> {
    const code = (err as { code?: unknown }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      const rootOk = await stat(this.root).then(
        (s) => s.isDirectory(),
        () => false,
      );
      if (!rootOk) return describeStoreError(err, this.description);
    }
    return describeStoreError(err, this.description, { key });
  }

  /**
   * Entries under `dir` (whose keys start with `dirKey`) in S3's key order,
   * matching `prefix`, after `after`. Siblings sort as `name/` for folders,
   * since every key inside a folder continues with `/`.
   */
  private async *walk(
    dir: string,
    dirKey: string,
    prefix: string,
    delimiter: string | undefined,
    after: string | null,
    signal: AbortSignal | undefined,
    listing?: Promise<Dirent[]>,
  ): AsyncGenerator<Entry> {
    throwIfAborted(signal, this.description);
    let dirents: Dirent[];
    try {
      dirents = await (listing ?? readdir(dir, { withFileTypes: true }));
    } catch (err) {
      // A prefix naming a folder that does not exist lists nothing, as in S3.
      const code = (err as { code?: unknown }).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return;
      throw err;
    }
    const children = dirents
      .filter((d) => !isHidden(d.name) && (d.isFile() || d.isDirectory()))
      .map((d) => ({ dirent: d, key: `${dirKey}${d.name}${d.isDirectory() ? '/' : ''}` }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    let lastPrefix: string | null = null;
    // Folders are read a few ahead of the one walked: a lake of day folders waits on one folder at a time otherwise.
    const ahead = new Map<string, Promise<Dirent[]>>();
    // A folder can hold keys with the prefix and keys after the token; it is walked unless it rolls up whole.
    const mayHold = (key: string): boolean =>
      (key.startsWith(prefix) || prefix.startsWith(key)) && (after === null || key > after || after.startsWith(key));
    const folderRollup = (key: string): string | null =>
      delimiter && key.length >= prefix.length ? this.rollup(key, prefix, delimiter) : null;
    const folders = children
      .filter((c) => c.dirent.isDirectory() && mayHold(c.key) && folderRollup(c.key) === null)
      .map((c) => join(dir, c.dirent.name));
    const readAhead = () => {
      for (const path of folders.slice(folderIndex, folderIndex + FOLDERS_READ_AHEAD)) {
        if (ahead.has(path)) continue;
        const listing = readdir(path, { withFileTypes: true });
        // Read only if walked: a folder skipped or cut off by the page must not fail the listing.
        listing.catch(() => undefined);
        ahead.set(path, listing);
      }
    };
    let folderIndex = 0;
    for (const { dirent, key } of children) {
      const path = join(dir, dirent.name);
      if (dirent.isFile()) {
        if (!key.startsWith(prefix) || (after !== null && key <= after)) continue;
        const rollup = delimiter ? this.rollup(key, prefix, delimiter) : null;
        if (rollup !== null) {
          if (rollup !== lastPrefix && (after === null || rollup > after)) yield { kind: 'prefix', prefix: rollup };
          lastPrefix = rollup;
        } else {
          yield { kind: 'object', key, path };
        }
        continue;
      }
      if (!mayHold(key)) continue;
      const rollup = folderRollup(key);
      if (rollup !== null) {
        // The whole folder is one common prefix, if it holds any object at all.
        if (rollup === lastPrefix || (after !== null && rollup <= after)) continue;
        if (await this.holdsObject(path, signal)) {
          yield { kind: 'prefix', prefix: rollup };
          lastPrefix = rollup;
        }
        continue;
      }
      readAhead();
      folderIndex++;
      // Its listing as read ahead (undefined: the walk reads it).
      const listing = ahead.get(path);
      ahead.delete(path);
      for await (const entry of this.walk(path, key, prefix, delimiter, after, signal, listing)) {
        // Deduplicate a common prefix that spans sibling folders (multi-character delimiters).
        if (entry.kind === 'prefix') {
          if (entry.prefix === lastPrefix) continue;
          lastPrefix = entry.prefix;
        }
        yield entry;
      }
    }
  }

  /**
   * The common prefix `key` rolls up into, or null. For a folder key (ending in
   * `/`) it is only returned when found within the folder's own key, so it holds
   * for every key inside the folder.
   */
  private rollup(key: string, prefix: string, delimiter: string): string | null {
    const at = key.indexOf(delimiter, prefix.length);
    if (at < 0) return null;
    return key.slice(0, at + delimiter.length);
  }

  private async holdsObject(dir: string, signal: AbortSignal | undefined): Promise<boolean> {
    throwIfAborted(signal, this.description);
    const dirents = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const d of dirents) {
      if (isHidden(d.name)) continue;
      if (d.isFile()) return true;
      if (d.isDirectory() && (await this.holdsObject(join(dir, d.name), signal))) return true;
    }
    return false;
  }
}
