/**
 * A large object fetched as several byte ranges at once, each written at its
 * place in the `.part` file. One stream over a long fat pipe (R2 from a laptop)
 * rarely fills it; a few do. The part's meta file records how far each range
 * got, so a crash, a network drop or a cancel resumes every range where it
 * stopped. The meta is written only after the bytes it describes, so it never
 * claims bytes that are not in the part.
 */
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { WorkbenchError } from '../../../shared/errors';
import { writeFileAtomic } from '../jsonFile';
import type { ObjectInfo, ObjectStore } from '../objectStore/ObjectStore';
import { describeStoreError } from '../objectStore/storeErrors';
import { NO_FOLLOW } from '../workspace/insidePath';

/** One range of the object: `[start, end)`, of which the first `done` bytes are in the part. */
export interface RangeProgress {
  start: number;
  end: number;
  done: number;
}

/** Objects at least this large are fetched in ranges. */
export const RANGED_BYTES = 16 * 1024 * 1024;
const RANGE_BYTES = 8 * 1024 * 1024;
/** Ranges in flight for one object. */
const RANGE_STREAMS = 4;
/** Least time between two meta writes while bytes arrive (a kill -9 loses at most this much). */
const META_INTERVAL_MS = 250;

export function planRanges(size: number): RangeProgress[] {
  const ranges: RangeProgress[] = [];
  for (let start = 0; start < size; start += RANGE_BYTES) {
    ranges.push({ start, end: Math.min(size, start + RANGE_BYTES), done: 0 });
  }
  return ranges;
}

/** Thrown when the object changed under the download: the caller starts over. */
export class ObjectChanged extends Error {}

export interface RangedMeta {
  etag: string;
  size: number;
  ranges: RangeProgress[];
}

export function writeMeta(path: string, meta: object): Promise<void> {
  return writeFileAtomic(path, JSON.stringify(meta));
}

/**
 * Fills `part` with the bytes of `ranges` still missing. `firstBody`, a plain
 * GET already under way, serves the first range so a large object costs no
 * extra round trip before the others start.
 */
export async function fetchInRanges(
  store: ObjectStore,
  info: ObjectInfo,
  paths: { part: string; meta: string },
  ranges: RangeProgress[],
  options: { signal?: AbortSignal; onBytes?: (n: number) => void; firstBody?: Readable; fresh: boolean },
): Promise<void> {
  const { key, etag, size } = info;
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });

  let lastSave = Date.now();
  let saving: Promise<void> = Promise.resolve();
  const save = (): Promise<void> => {
    const snapshot: RangedMeta = { etag, size, ranges: ranges.map((r) => ({ ...r })) };
    saving = saving.then(() => writeMeta(paths.meta, snapshot));
    return saving;
  };
  const saveNowAndThen = () => {
    if (Date.now() - lastSave < META_INTERVAL_MS) return;
    lastSave = Date.now();
    void save().catch(() => undefined); // the final save reports a failing disk
  };

  const file: FileHandle = await open(
    paths.part,
    (options.fresh ? constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC : constants.O_RDWR) | NO_FOLLOW,
  );
  const drain = async (range: RangeProgress, body: Readable): Promise<void> => {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      const room = range.end - range.start - range.done;
      const bytes = chunk.length > room ? chunk.subarray(0, room) : chunk;
      await file.write(bytes, 0, bytes.length, range.start + range.done);
      range.done += bytes.length;
      options.onBytes?.(bytes.length);
      saveNowAndThen();
      if (range.done === range.end - range.start) break;
    }
    body.destroy();
    if (range.done !== range.end - range.start) {
      throw new WorkbenchError('offline', `The store ended ${key} early, at byte ${range.start + range.done}.`);
    }
  };
  const missing = ranges.filter((r) => r.done < r.end - r.start);
  const queue = [...missing];
  const worker = async (): Promise<void> => {
    for (let range = queue.shift(); range; range = queue.shift()) {
      const from = range.start + range.done;
      const got = await store.get(key, { range: { start: from, end: range.end - 1 }, signal: stop.signal });
      if (got.notModified) throw new WorkbenchError('internal', `The store answered "not modified" for ${key}.`);
      if (got.info.etag !== etag || got.info.size !== size || got.contentLength !== range.end - from) {
        got.body.destroy();
        throw new ObjectChanged(key);
      }
      await drain(range, got.body);
    }
  };

  const workers: Promise<void>[] = [];
  try {
    if (options.fresh) await file.truncate(size);
    const first = options.firstBody && missing[0]?.start === 0 && missing[0].done === 0 ? queue.shift() : undefined;
    if (first && options.firstBody) workers.push(drain(first, options.firstBody));
    else options.firstBody?.destroy();
    for (let i = workers.length; i < RANGE_STREAMS; i++) workers.push(worker());
    // The first failure stops the others, so the meta below sees every range at rest.
    await Promise.all(workers.map((w) => w.catch((err: unknown) => (stop.abort(), Promise.reject(err)))));
  } catch (err) {
    await Promise.allSettled(workers);
    throw err;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await file.close();
    await save();
  }
}

/** How many bytes of a ranged part are already there. */
export function bytesDone(ranges: RangeProgress[]): number {
  return ranges.reduce((sum, r) => sum + r.done, 0);
}

/** A ranged meta read back from disk, or null when it is not one (or not sane). */
export function asRangedMeta(value: unknown): RangedMeta | null {
  if (typeof value !== 'object' || value === null) return null;
  const { etag, size, ranges } = value as Partial<RangedMeta>;
  if (typeof etag !== 'string' || typeof size !== 'number' || !Array.isArray(ranges)) return null;
  let expect = 0;
  for (const r of ranges as unknown[]) {
    const { start, end, done } = (r ?? {}) as Partial<RangeProgress>;
    if (typeof start !== 'number' || typeof end !== 'number' || typeof done !== 'number') return null;
    if (start !== expect || end <= start || done < 0 || done > end - start) return null;
    expect = end;
  }
  return expect === size ? { etag, size, ranges: ranges as RangeProgress[] } : null;
}

/** A store failure during a ranged download, named like any other and promising the resume. */
export function interrupted(err: unknown, store: ObjectStore, info: ObjectInfo, done: number): WorkbenchError {
  const described = describeStoreError(err, store.description, { key: info.key });
  return new WorkbenchError(
    described.code,
    `Download of ${info.key} was interrupted after ${done} of ${info.size} bytes: ${described.message} It will resume where it stopped.`,
    described.hint,
  );
}
