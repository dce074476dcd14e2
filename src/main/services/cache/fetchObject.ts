/**
 * One object from the store into one local file, safely: bytes go to
 * `<file>.part` (with the ETag being fetched in `<file>.part.json`), and the
 * part is renamed into place only once its size, and its MD5 where the ETag is
 * one, check out. A part left behind by a crash, a network drop or a cancel is
 * continued with a Range request when the object has not changed since.
 * Large objects come in several ranges at once (see fetchInRanges).
 */
import { constants } from 'node:fs';
import { lstat, mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Readable } from 'node:stream';
import { WorkbenchError } from '../../../shared/errors';
import type { ObjectInfo, ObjectStore } from '../objectStore/ObjectStore';
import { insidePath, NO_FOLLOW, type Within } from '../workspace/insidePath';
import { describeStoreError } from '../objectStore/storeErrors';
import { ChunkMd5, FileMd5 } from './fileMd5';
import { PartWriter } from './PartWriter';
import {
  asRangedMeta,
  bytesDone,
  contiguousEnd,
  fetchInRanges,
  interrupted,
  ObjectChanged,
  planRanges,
  RANGED_BYTES,
  writeMeta,
  type RangeProgress,
} from './fetchInRanges';

export interface FetchedObject {
  info: ObjectInfo;
  /** Bytes that were already in a part from an earlier attempt. */
  resumedFrom: number;
}

/** What a sequential part's meta file holds (a ranged one adds its ranges). */
interface PartMeta {
  etag: string;
  size: number;
}

/** A plain (single-part) S3 ETag is the MD5 of the bytes; multipart ones end in `-N`. */
export function isMd5Etag(etag: string): boolean {
  return /^[0-9a-f]{32}$/i.test(etag);
}

export function partPaths(file: string): { part: string; meta: string } {
  return { part: `${file}.part`, meta: `${file}.part.json` };
}

async function readMetaJson(path: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as unknown;
  } catch {
    return null;
  }
}

function asPartMeta(value: unknown): PartMeta | null {
  const meta = (value ?? {}) as Partial<PartMeta>;
  return typeof meta.etag === 'string' && typeof meta.size === 'number' ? { etag: meta.etag, size: meta.size } : null;
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

/**
 * Smaller objects are fetched again whole rather than resumed, which saves
 * them the meta file's writes; a part with no meta is never resumed.
 */
const RESUMABLE_BYTES = 4 * 1024 * 1024;

/** Objects up to this size fetched whole are hashed on the event loop (about a millisecond of MD5 per 700 KB). */
const INLINE_MD5_BYTES = 1024 * 1024;

async function ensureDir(dir: string, made: Set<string> | undefined, within: Within | undefined): Promise<void> {
  if (made?.has(dir)) return;
  if (within) await insidePath(within.root, dir, within.where);
  await mkdir(dir, { recursive: true });
  made?.add(dir);
}

export async function discardPart(file: string): Promise<void> {
  const { part, meta } = partPaths(file);
  await rm(part, { force: true });
  await rm(meta, { force: true });
}

function cancelled(key: string): WorkbenchError {
  return new WorkbenchError('cancelled', `Download of ${key} cancelled; it will resume where it stopped.`);
}

export interface FetchOptions {
  signal?: AbortSignal;
  onStart?: (info: ObjectInfo, resumedFrom: number) => void;
  onBytes?: (n: number) => void;
  /** Folders known to exist, so a thousand files of one partition cost one mkdir. */
  madeDirs?: Set<string>;
  /** The folder the file's folder must stay inside once links are followed (the cache's). */
  within?: Within;
}

/**
 * Downloads `key` into `file`. `onBytes` hears the bytes as they reach the disk.
 */
export async function fetchObject(
  store: ObjectStore,
  key: string,
  file: string,
  options: FetchOptions = {},
): Promise<FetchedObject> {
  const { signal } = options;
  const { part, meta } = partPaths(file);
  await ensureDir(dirname(file), options.madeDirs, options.within);
  // A part or its meta planted as a link is dropped (the link, not its target), never resumed or written through.
  const [partStat, metaStat] = await Promise.all([part, meta].map((path) => lstat(path).catch(() => null)));
  const planted = partStat?.isSymbolicLink() || metaStat?.isSymbolicLink();
  if (planted) await discardPart(file);

  // Resume only a part whose ETag the store still has: anything else starts over.
  // Most downloads start fresh: no meta, nothing to read.
  const stored = metaStat && !planted ? await readMetaJson(meta) : null;
  const ranged = asRangedMeta(stored);
  if (ranged) {
    const current = await store.head(key, signal);
    if (current.etag === ranged.etag && current.size === ranged.size && (await sizeOf(part)) === ranged.size) {
      return fetchRanged(store, file, current, ranged.ranges, options, undefined);
    }
    await discardPart(file);
  }
  let resumedFrom = 0;
  let info: ObjectInfo | null = null;
  const previous = ranged ? null : asPartMeta(stored);
  const partLength = previous ? await sizeOf(part) : 0;
  if (previous && partLength > 0 && partLength <= previous.size) {
    const current = await store.head(key, signal);
    if (current.etag === previous.etag && current.size === previous.size) {
      info = current;
      resumedFrom = partLength;
    }
  }
  // Starting over needs no clean-up: the part is truncated when opened, its meta rewritten or removed.

  let body: Readable | null = null;
  let wroteMeta = false;
  if (info && resumedFrom < info.size) {
    const got = await store.get(key, { range: { start: resumedFrom, end: info.size - 1 }, signal });
    if (got.notModified)
      throw new WorkbenchError('internal', `The store answered "not modified" to a plain GET of ${key}.`);
    if (got.info.etag !== info.etag || got.contentLength !== info.size - resumedFrom) {
      // Changed between HEAD and GET (or the store ignored the range): start over.
      got.body.destroy();
      await discardPart(file);
      return fetchObject(store, key, file, options);
    }
    body = got.body;
  } else if (!info) {
    const got = await store.get(key, { signal });
    if (got.notModified)
      throw new WorkbenchError('internal', `The store answered "not modified" to a plain GET of ${key}.`);
    info = got.info;
    body = got.body;
    if (info.size >= RANGED_BYTES) return fetchRanged(store, file, info, planRanges(info.size), options, body);
    if (info.size >= RESUMABLE_BYTES) {
      const record: PartMeta = { etag: info.etag, size: info.size };
      await writeMeta(meta, record);
      wroteMeta = true;
    }
  }
  options.onStart?.(info, resumedFrom);

  // The MD5 must cover the whole file, so a resumed part is hashed first (on the worker, like the rest).
  // A small object fetched whole is hashed from its chunks as they arrive: on the worker, its
  // bytes would cost another open, read and close of the part, and two messages.
  const inline = body !== null && resumedFrom === 0 && info.size <= INLINE_MD5_BYTES;
  const md5 = isMd5Etag(info.etag) ? (inline ? new ChunkMd5() : new FileMd5(part)) : null;
  try {
    md5?.advance(resumedFrom);
    const length = body
      ? await writeBody(store, info, part, resumedFrom, body, options, {
          onChunk: md5 instanceof ChunkMd5 ? (chunk) => md5.update(chunk) : undefined,
          onWritten: (end) => md5?.advance(end),
        })
      : resumedFrom;
    if (length !== info.size) {
      // Too long means the part is not what we think it is; too short, the body ended early.
      if (length > info.size) await discardPart(file);
      throw new WorkbenchError(
        'offline',
        `Download of ${key} from ${store.description} ended after ${length} of ${info.size} bytes.`,
      );
    }
    if (md5) await checkDigest(store, file, info, await md5.digest(info.size));
  } finally {
    md5?.discard();
  }
  await rename(part, file);
  if (previous || wroteMeta) await rm(meta, { force: true });
  return { info, resumedFrom };
}

/**
 * Writes `body` into the part after its first `from` bytes, and returns the
 * part's length once the body ended. `onChunk` hears each chunk as it arrives;
 * `onWritten`, the length after each write that reached the disk.
 */
async function writeBody(
  store: ObjectStore,
  info: ObjectInfo,
  part: string,
  from: number,
  body: Readable,
  options: FetchOptions,
  listeners: { onChunk?: (chunk: Buffer) => void; onWritten: (end: number) => void },
): Promise<number> {
  const { signal } = options;
  const out = await open(
    part,
    constants.O_WRONLY | constants.O_CREAT | (from > 0 ? 0 : constants.O_TRUNC) | NO_FOLLOW,
  ).catch((err: unknown) => {
    body.destroy();
    throw err;
  });
  const stop = () => body.destroy();
  signal?.addEventListener('abort', stop, { once: true });
  if (signal?.aborted) stop();
  let written = from;
  let failure: { error: unknown } | null = null;
  try {
    try {
      const writer = new PartWriter(out, from, (n, end) => {
        written = end;
        options.onBytes?.(n);
        listeners.onWritten(end);
      });
      try {
        for await (const chunk of body as AsyncIterable<Buffer>) {
          listeners.onChunk?.(chunk);
          await writer.write(chunk);
        }
      } catch (error) {
        failure = { error };
      }
      // What arrived before a failure is written too, so the resume starts after it.
      await writer.flush().catch((error: unknown) => {
        failure ??= { error };
      });
    } finally {
      await out.close();
    }
  } catch (error) {
    failure ??= { error };
  } finally {
    signal?.removeEventListener('abort', stop);
    body.destroy();
  }
  if (!failure) return written;
  if (signal?.aborted) throw cancelled(info.key);
  // A body that fails mid-stream (reset, idle timeout) is named like any store failure.
  const described = describeStoreError(failure.error, store.description, { key: info.key });
  throw new WorkbenchError(
    described.code,
    `Download of ${info.key} was interrupted after ${written} of ${info.size} bytes: ${described.message} It will resume where it stopped.`,
    described.hint,
  );
}

async function checkDigest(store: ObjectStore, file: string, info: ObjectInfo, digest: string): Promise<void> {
  if (digest === info.etag.toLowerCase()) return;
  await discardPart(file);
  throw new WorkbenchError(
    'internal',
    `Download of ${info.key} from ${store.description} is corrupt: its MD5 is ${digest}, the store says ${info.etag}. It was discarded; try again.`,
  );
}

/** The ranged path: fill the missing ranges, check the whole part, move it into place. */
async function fetchRanged(
  store: ObjectStore,
  file: string,
  info: ObjectInfo,
  ranges: RangeProgress[],
  options: FetchOptions,
  firstBody: Readable | undefined,
): Promise<FetchedObject> {
  const { signal } = options;
  const paths = partPaths(file);
  const fresh = firstBody !== undefined;
  if (fresh) await writeMeta(paths.meta, { etag: info.etag, size: info.size, ranges });
  const resumedFrom = bytesDone(ranges);
  options.onStart?.(info, resumedFrom);
  // Hashed while it arrives: up to the end of the ranges complete from the start, as that end moves.
  const md5 = isMd5Etag(info.etag) ? new FileMd5(paths.part) : null;
  try {
    md5?.advance(contiguousEnd(ranges));
    try {
      await fetchInRanges(store, info, paths, ranges, {
        signal,
        firstBody,
        fresh,
        onWritten: (n) => {
          options.onBytes?.(n);
          md5?.advance(contiguousEnd(ranges));
        },
      });
    } catch (err) {
      if (signal?.aborted) throw cancelled(info.key);
      if (err instanceof ObjectChanged) {
        // The object was replaced mid-download: its old bytes are worthless.
        await discardPart(file);
        return fetchObject(store, info.key, file, options);
      }
      throw interrupted(err, store, info, bytesDone(ranges));
    }
    if (md5) await checkDigest(store, file, info, await md5.digest(info.size));
  } finally {
    md5?.discard();
  }
  await rename(paths.part, file);
  await rm(paths.meta, { force: true });
  return { info, resumedFrom };
}
