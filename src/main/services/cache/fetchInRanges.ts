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
import { forEachLimited } from '../forEachLimited';
import { PartWriter } from './PartWriter';

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
 * Fills `part` with the bytes of `ranges` still missing, RANGE_STREAMS at a
 * time. `firstBody`, a plain GET already under way, serves the first range so a
 * large object costs no extra round trip before the others start. `onWritten`
 * hears each write once it is on disk; `ranges` then say how far each got.
 */
export async function fetchInRanges(
  store: ObjectStore,
  info: ObjectInfo,
  paths: { part: string; meta: string },
  ranges: RangeProgress[],
  options: { signal?: AbortSignal; onWritten?: (n: number) => void; firstBody?: Readable; fresh: boolean },
): Promise<void> {
  const { key, etag, size } = info;
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
  /** Writes `body` into `range`; stops (keeping what arrived) when `signal` aborts. */
  const drain = async (range: RangeProgress, body: Readable, signal: AbortSignal): Promise<void> => {
    const stop = () => body.destroy();
    signal.addEventListener('abort', stop, { once: true });
    const writer = new PartWriter(file, range.start + range.done, (n) => {
      range.done += n;
      options.onWritten?.(n);
      saveNowAndThen();
    });
    let received = range.start + range.done;
    let failure: { error: unknown } | null = null;
    try {
      for await (const chunk of body as AsyncIterable<Buffer>) {
        const bytes = chunk.length > range.end - received ? chunk.subarray(0, range.end - received) : chunk;
        received += bytes.length;
        await writer.write(bytes);
        if (received === range.end) break;
      }
    } catch (error) {
      failure = { error };
    } finally {
      signal.removeEventListener('abort', stop);
      body.destroy();
    }
    // What arrived before a failure is written too, so the resume starts after it.
    try {
      await writer.flush();
    } catch (error) {
      failure ??= { error };
    }
    if (failure) throw failure.error;
    if (range.done !== range.end - range.start) {
      throw new WorkbenchError('offline', `The store ended ${key} early, at byte ${range.start + range.done}.`);
    }
  };

  const missing = ranges.filter((r) => r.done < r.end - r.start);
  const first = missing[0]?.start === 0 && missing[0].done === 0 ? options.firstBody : undefined;
  let firstTaken = false;
  if (!first) options.firstBody?.destroy();
  try {
    if (options.fresh) await file.truncate(size);
    // The first failure stops the other ranges, so the meta saved below sees every range at rest.
    await forEachLimited(
      missing,
      RANGE_STREAMS,
      async (range, signal, index) => {
        const body = index === 0 && first ? ((firstTaken = true), first) : await getRange(store, info, range, signal);
        await drain(range, body, signal);
      },
      { signal: options.signal },
    );
  } finally {
    if (!firstTaken) first?.destroy();
    await file.close();
    await save();
  }
}

/** The body of the rest of `range`; throws ObjectChanged when the object is no longer the one being fetched. */
async function getRange(store: ObjectStore, info: ObjectInfo, range: RangeProgress, signal: AbortSignal) {
  const from = range.start + range.done;
  const got = await store.get(info.key, { range: { start: from, end: range.end - 1 }, signal });
  if (got.notModified) throw new WorkbenchError('internal', `The store answered "not modified" for ${info.key}.`);
  if (got.info.etag !== info.etag || got.info.size !== info.size || got.contentLength !== range.end - from) {
    got.body.destroy();
    throw new ObjectChanged(info.key);
  }
  return got.body;
}

/** How many bytes of a ranged part are already there. */
export function bytesDone(ranges: RangeProgress[]): number {
  return ranges.reduce((sum, r) => sum + r.done, 0);
}

/** Where the bytes present from the start of the part end: ranges are in order, so the first one not complete. */
export function contiguousEnd(ranges: RangeProgress[]): number {
  for (const r of ranges) if (r.done < r.end - r.start) return r.start + r.done;
  return ranges.length ? ranges[ranges.length - 1]!.end : 0;
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
