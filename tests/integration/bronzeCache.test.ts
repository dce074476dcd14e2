import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Transform } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { BronzeCache, type CacheChange, type DownloadProgress } from '../../src/main/services/cache/BronzeCache';
import type { ObjectStore } from '../../src/main/services/objectStore/ObjectStore';
import { S3ObjectStore } from '../../src/main/services/objectStore/S3ObjectStore';
import { testS3Client } from '../setup/TestServers';
import { s3rverCredentials, startS3rverChild, type S3rverChild } from './support/s3rverChild';
import { storeWithGet } from './support/storeWith';

const BUCKET = 'cache-test';
const BIG = 'bronze/big/date=2026-01-01/big.parquet';
const BIG_SIZE = 64 * 1024 * 1024;
const small = (n: number) => `bronze/small/date=2026-01-0${n}/batch-${n}.parquet`;
const SMALL_SIZE = 100_000;
/** Fetched whole and hashed on the worker (small objects are hashed from their chunks, big ones fetched in ranges). */
const MID = 'bronze/mid/date=2026-01-01/mid.parquet';
const MID_SIZE = 6 * 1024 * 1024 + 5;

/** Deterministic bytes (xorshift32), so the object is the same every run. */
function bytes(size: number, seed: number): Buffer {
  const out = Buffer.allocUnsafe(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i + 4 <= size; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out.writeUInt32LE(x >>> 0, i);
  }
  for (let i = size - (size % 4); i < size; i++) out[i] = i & 0xff;
  return out;
}

const md5 = (data: Buffer) => createHash('md5').update(data).digest('hex');
const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

/** Bytes a part's meta says are there: the sum of its ranges, or (sequential) the part's length. */
async function metaDone(metaFile: string): Promise<number> {
  try {
    const meta = JSON.parse(await readFile(metaFile, 'utf8')) as { ranges?: { done: number }[] };
    return meta.ranges ? meta.ranges.reduce((sum, r) => sum + r.done, 0) : -1;
  } catch {
    return 0;
  }
}

async function partDone(file: string): Promise<number> {
  const done = await metaDone(`${file}.part.json`);
  return done >= 0 ? done : (await stat(`${file}.part`)).size;
}

let root: string;
let s3Dir: string;
let server: S3rverChild;
const stores: S3ObjectStore[] = [];
const bigBytes = bytes(BIG_SIZE, 42);
const midBytes = bytes(MID_SIZE, 7);

function storeFor(endpoint: string, bucket = BUCKET): S3ObjectStore {
  const store = new S3ObjectStore({ endpoint, bucket, region: 'auto', ...s3rverCredentials, requestTimeoutMs: 3000 });
  stores.push(store);
  return store;
}

async function put(key: string, body: Buffer): Promise<void> {
  const s3 = testS3Client({ endpoint: server.endpoint, bucket: BUCKET, region: 'auto', ...s3rverCredentials });
  try {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  } finally {
    s3.destroy();
  }
}

async function newCache(name: string, quotaBytes = 1e12): Promise<BronzeCache> {
  return new BronzeCache({
    dir: join(root, name),
    store: storeFor(server.endpoint),
    storeId: BUCKET,
    quotaBytes,
    concurrency: 4,
  });
}

/** Downloads `key` and stops the server (or cancels) once `after` bytes have arrived. */
async function interrupt(
  cache: BronzeCache,
  key: string,
  after: number,
  how: 'kill' | 'cancel',
): Promise<{ code?: string; message: string }> {
  const abort = new AbortController();
  let fired = false;
  const onProgress = (p: DownloadProgress) => {
    if (fired || p.bytesDone < after) return;
    fired = true;
    if (how === 'kill') void server.kill();
    else abort.abort();
  };
  const err = await cache.download([key], { signal: abort.signal, onProgress, progressIntervalMs: 0 }).then(
    () => null,
    (e: unknown) => e as { code?: string; message: string },
  );
  expect(fired).toBe(true);
  expect(err).not.toBeNull();
  return err!;
}

/**
 * The real store, with what goes wrong on the way: the object's byte at `at`
 * flipped, or its bytes from `at` on never arriving (the body just ends).
 */
function damagedStore(store: ObjectStore, key: string, at: number, how: 'flip' | 'cut'): ObjectStore {
  return storeWithGet(store, async (k, options, real) => {
    const got = await real.get(k, options);
    if (got.notModified || k !== key) return got;
    let offset = options?.range?.start ?? 0;
    const damaged = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        const start = offset;
        offset += chunk.length;
        if (at < start || at >= offset) return done(null, chunk);
        if (how === 'cut') {
          this.push(chunk.subarray(0, at - start));
          this.push(null);
          got.body.unpipe(this);
          got.body.destroy();
          return done();
        }
        const copy = Buffer.from(chunk);
        copy[at - start] = copy[at - start]! ^ 0xff;
        done(null, copy);
      },
    });
    return { ...got, body: got.body.pipe(damaged) };
  });
}

/** Downloads `key` through `store` into a new cache at `dir`: the cache and the error it failed with. */
async function failedDownload(dir: string, store: ObjectStore, key: string) {
  const cache = new BronzeCache({ dir, store, storeId: BUCKET, quotaBytes: 1e12 });
  const err = await cache.download([key]).then(
    () => null,
    (e: unknown) => e as { message: string },
  );
  expect(err).not.toBeNull();
  return { cache, message: err!.message };
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'dash-bronze-cache-'));
  s3Dir = join(root, 's3');
  server = await startS3rverChild(s3Dir, BUCKET);
  // One PutObject, so the ETag is the MD5 of the bytes.
  await put(BIG, bigBytes);
  for (let n = 1; n <= 6; n++) await put(small(n), bytes(SMALL_SIZE, n));
  await put(MID, midBytes);
});

afterAll(async () => {
  for (const store of stores) store.close();
  await server?.kill();
  if (root) await rm(root, { recursive: true, force: true });
});

describe('BronzeCache over a real s3rver', () => {
  it('resumes with a Range request after the server dies mid-download, and the MD5 covers the whole file', async () => {
    const cache = await newCache('resume');
    const file = cache.pathOf(BIG);
    const err = await interrupt(cache, BIG, 4 * 1024 * 1024, 'kill');
    expect(err.code).toMatch(/^(offline|timeout)$/);
    expect(err.message).toContain(BIG);

    // Nothing that looks complete; a part and its ETag (and how far each range got) wait for the resume.
    expect(await exists(file)).toBe(false);
    const partSize = await partDone(file);
    expect(partSize).toBeGreaterThan(0);
    expect(partSize).toBeLessThan(BIG_SIZE);
    const meta = JSON.parse(await readFile(`${file}.part.json`, 'utf8')) as { etag: string };
    expect(meta.etag).toBe(md5(bigBytes));
    expect((await cache.status([BIG]))[BIG]).toBe('not-cached');

    // Same data, new process: a fresh cache object over the same folder, as after an app restart.
    server = await startS3rverChild(s3Dir, BUCKET);
    const again = await newCache('resume');
    let last: DownloadProgress | null = null;
    const result = await again.download([BIG], { onProgress: (p) => (last = p) });
    const resumedFrom = result.downloaded[0]!.resumedFrom;
    expect(resumedFrom).toBe(partSize);
    expect(last!.bytesResumed).toBe(partSize);
    expect(last!.bytesDone).toBe(BIG_SIZE);
    expect(last!.filesDone).toBe(1);
    expect(BIG_SIZE - resumedFrom).toBeLessThan(BIG_SIZE);

    expect(md5(await readFile(file))).toBe(md5(bigBytes));
    expect(await exists(`${file}.part`)).toBe(false);
    expect(await exists(`${file}.part.json`)).toBe(false);
    expect((await again.status([BIG]))[BIG]).toBe('cached');
    expect((await again.verify([BIG])).ok).toEqual([BIG]);
  });

  it('survives kill -9 of the downloading process: no complete-looking file, and the next run resumes', async () => {
    const dir = join(root, 'kill9');
    const script = fileURLToPath(new URL('./support/downloadChild.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script, dir, server.endpoint, BUCKET, BIG], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.once('exit', (_code, signal) => resolve(signal)),
    );
    const metaFile = `${join(dir, 'bronze', BUCKET, ...BIG.split('/'))}.part.json`;
    for await (const line of createInterface({ input: child.stdout! })) {
      // Killed once the part's meta on disk records some bytes: whatever the timing, there is something to resume.
      if ((JSON.parse(line) as { bytesDone: number }).bytesDone >= 4 * 1024 * 1024 && (await metaDone(metaFile)) > 0) {
        child.kill('SIGKILL');
        break;
      }
    }
    expect(await exited).toBe('SIGKILL');

    const cache = await newCache('kill9');
    const file = cache.pathOf(BIG);
    expect(await exists(file)).toBe(false);
    const partSize = await partDone(file);
    expect(partSize).toBeGreaterThan(0);
    expect(partSize).toBeLessThan(BIG_SIZE);

    const result = await cache.download([BIG]);
    expect(result.downloaded[0]!.resumedFrom).toBe(partSize);
    expect(md5(await readFile(file))).toBe(md5(bigBytes));
  });

  it('fetches a large object as several ranges at once, and checks the MD5 of the whole', async () => {
    const store = storeFor(server.endpoint);
    const ranges: { start: number; end: number }[] = [];
    let inFlight = 0;
    let most = 0;
    // A real store, watched: which ranges were asked for, and how many bodies streamed at once.
    const watched = storeWithGet(store, async (key, options, real) => {
      const got = await real.get(key, options);
      if (options?.range) ranges.push(options.range);
      if (!got.notModified) {
        most = Math.max(most, ++inFlight);
        got.body.once('close', () => inFlight--);
      }
      return got;
    });
    const cache = new BronzeCache({ dir: join(root, 'ranged'), store: watched, storeId: BUCKET, quotaBytes: 1e12 });
    const result = await cache.download([BIG]);
    expect(result.downloaded[0]).toMatchObject({ key: BIG, size: BIG_SIZE, resumedFrom: 0 });
    expect(ranges.length).toBeGreaterThanOrEqual(4);
    expect(most).toBeGreaterThan(1);
    expect(md5(await readFile(cache.pathOf(BIG)))).toBe(md5(bigBytes));
    expect(await exists(`${cache.pathOf(BIG)}.part.json`)).toBe(false);
  });

  it('leaves a resumable part when a download is cancelled', async () => {
    const cache = await newCache('cancel');
    const file = cache.pathOf(BIG);
    const err = await interrupt(cache, BIG, 4 * 1024 * 1024, 'cancel');
    expect(err.code).toBe('cancelled');
    expect(await exists(file)).toBe(false);
    const partSize = await partDone(file);
    expect(partSize).toBeGreaterThan(0);

    const result = await cache.download([BIG]);
    expect(result.downloaded[0]!.resumedFrom).toBe(partSize);
    expect(md5(await readFile(file))).toBe(md5(bigBytes));
  });

  it('detects a corrupted file with verify, drops it, and fetches it again', async () => {
    const cache = await newCache('corrupt');
    const key = small(1);
    await cache.download([key]);
    const file = cache.pathOf(key);
    const data = await readFile(file);
    data[SMALL_SIZE / 2] = data[SMALL_SIZE / 2]! ^ 0xff;
    await writeFile(file, data);

    const verified = await cache.verify();
    expect(verified.ok).toEqual([]);
    expect(verified.corrupt.map((c) => c.key)).toEqual([key]);
    expect(verified.corrupt[0]!.reason).toContain('MD5');
    expect((await cache.status([key]))[key]).toBe('not-cached');
    expect(await exists(file)).toBe(false);

    const result = await cache.download([key]);
    expect(result.downloaded.map((d) => d.key)).toEqual([key]);
    expect(md5(await readFile(file))).toBe(md5(bytes(SMALL_SIZE, 1)));
    expect((await cache.verify()).ok).toEqual([key]);
  });

  it('names a download damaged on the way, in a small object, a mid-sized one or any range of a large one, and caches none of it', async () => {
    // Ranges arrive out of order and are hashed as the part fills: a flip in the last range must still be seen.
    const expected = new Map([
      [small(1), bytes(SMALL_SIZE, 1)],
      [MID, midBytes],
      [BIG, bigBytes],
    ]);
    for (const [key, at] of [
      [small(1), SMALL_SIZE / 2],
      [small(1), SMALL_SIZE - 1],
      [MID, 5 * 1024 * 1024 + 1],
      [MID, MID_SIZE - 1],
      [BIG, 3],
      [BIG, BIG_SIZE - 5],
      [BIG, 40 * 1024 * 1024 + 17],
    ] as const) {
      const store = damagedStore(storeFor(server.endpoint), key, at, 'flip');
      const { cache, message } = await failedDownload(join(root, `damaged-${at}`), store, key);
      expect(message).toContain(`Download of ${key}`);
      expect(message).toMatch(/is corrupt: its MD5 is [0-9a-f]{32}, the store says/);
      expect((await cache.status([key]))[key]).toBe('not-cached');
      expect(await exists(cache.pathOf(key))).toBe(false);
      // Discarded, not left to be resumed.
      expect(await exists(`${cache.pathOf(key)}.part`)).toBe(false);

      const again = await newCache(`damaged-${at}`);
      await again.download([key]);
      expect(md5(await readFile(again.pathOf(key)))).toBe(md5(expected.get(key)!));
    }
  });

  it('names a body that ends early, never caching the short file', async () => {
    for (const [key, at] of [
      [small(2), 1000],
      [MID, 3 * 1024 * 1024],
      [BIG, 20 * 1024 * 1024 + 3],
    ] as const) {
      const store = damagedStore(storeFor(server.endpoint), key, at, 'cut');
      const { cache, message } = await failedDownload(join(root, `cut-${at}`), store, key);
      expect(message).toContain(key);
      expect(message).toMatch(/ended|early/);
      expect((await cache.status([key]))[key]).toBe('not-cached');
      expect(await exists(cache.pathOf(key))).toBe(false);
    }
  });

  it('downloads a key once when two jobs ask for it together, and forgets files deleted behind its back', async () => {
    const cache = await newCache('overlap');
    const key = small(2);
    const [a, b] = await Promise.all([cache.download([key]), cache.download([key])]);
    expect([...a.downloaded, ...b.downloaded].map((d) => d.key)).toEqual([key]);
    expect([...a.skipped, ...b.skipped]).toEqual([key]);
    expect(md5(await readFile(cache.pathOf(key)))).toBe(md5(bytes(SMALL_SIZE, 2)));

    await rm(cache.pathOf(key));
    const reopened = await newCache('overlap');
    expect((await reopened.status([key]))[key]).toBe('not-cached');
  });

  it('refuses a crafted cache index naming the file, touches nothing outside its folder, and reads it again once fixed', async () => {
    const cache = await newCache('crafted');
    const key = small(3);
    await cache.download([key]);
    const dir = join(root, 'crafted');
    const indexFile = join(dir, 'cache-index.json');
    const victims = [join(root, 'outside-the-cache.txt'), join(dir, 'beside-the-bronze-folder.txt')];
    for (const victim of victims) await writeFile(victim, 'precious');
    const good = (JSON.parse(await readFile(indexFile, 'utf8')) as { entries: Record<string, unknown>[] }).entries[0]!;
    // Keys are joined under bronze/<bucket>/: these climb out of it, to files the right size to look cached.
    const crafted = [
      { ...good, key: '../../../outside-the-cache.txt', size: 8 },
      { ...good, key: '../../beside-the-bronze-folder.txt', size: 8 },
      { ...good, key: victims[0], size: 8 },
      { ...good, lastUsedAt: 5 },
    ];
    for (const entries of crafted.map((entry) => [good, entry])) {
      const text = JSON.stringify({ version: 1, entries });
      await writeFile(indexFile, text);
      const reopened = await newCache('crafted');
      // Nothing asks for a while: a failed read at start-up must not be an unhandled rejection.
      await new Promise((resolve) => setTimeout(resolve, 100));
      for (const call of [
        () => reopened.list(),
        () => reopened.usage(),
        () => reopened.verify(),
        () => reopened.evict([key]),
        () => reopened.setQuota(0),
      ]) {
        const err = await call().then(
          () => null,
          (e: unknown) => e as { code?: string; message: string; hint?: string },
        );
        expect(err?.message).toContain(`${indexFile} is not a valid cache index: entries.1.`);
        expect(err?.hint).toMatch(/Move that file aside/);
      }
      for (const victim of victims) expect(await readFile(victim, 'utf8')).toBe('precious');
      expect(await readFile(cache.pathOf(key))).toEqual(bytes(SMALL_SIZE, 3));
      expect(await readFile(indexFile, 'utf8')).toBe(text);
    }

    // Moved aside, the same cache reads the (missing) index again and works.
    const reopened = await newCache('crafted');
    await expect(reopened.list()).rejects.toThrow(indexFile);
    await rm(indexFile);
    expect(await reopened.list()).toEqual([]);
    await reopened.download([key]);
    expect(await reopened.status([key])).toEqual({ [key]: 'cached' });
    for (const victim of victims) expect(await readFile(victim, 'utf8')).toBe('precious');
  });

  it('evicts the least recently used unpinned files over the quota, never a pinned one', async () => {
    const cache = await newCache('quota', 3.5 * SMALL_SIZE);
    const changes: CacheChange[] = [];
    cache.onChange((c) => changes.push(c));
    for (const n of [1, 2, 3]) await cache.download([small(n)]);
    await cache.touch([small(1)]);
    await cache.pin([small(2)]);

    // Oldest use first: 2 (pinned), 3, 1 (touched), then 4.
    const result = await cache.download([small(4)]);
    expect(result.evicted).toEqual([small(3)]);
    expect(await cache.status([1, 2, 3, 4].map(small))).toEqual({
      [small(1)]: 'cached',
      [small(2)]: 'cached',
      [small(3)]: 'not-cached',
      [small(4)]: 'cached',
    });
    expect(await exists(cache.pathOf(small(3)))).toBe(false);
    expect(changes.some((c) => c.removed.includes(small(3)))).toBe(true);
    expect(changes.some((c) => c.added.includes(small(4)))).toBe(true);

    expect((await cache.setQuota(SMALL_SIZE / 2)).sort()).toEqual([small(1), small(4)]);
    expect(await cache.usage()).toEqual({
      bytes: SMALL_SIZE,
      files: 1,
      pinnedBytes: SMALL_SIZE,
      quotaBytes: SMALL_SIZE / 2,
    });
    expect(await exists(cache.pathOf(small(2)))).toBe(true);

    // Unpinned, it is fair game.
    await cache.unpin([small(2)]);
    expect((await cache.usage()).files).toBe(0);
  });

  it('revalidates with If-None-Match: unchanged stays fresh, overwritten turns stale until refreshed', async () => {
    const cache = await newCache('revalidate');
    const key = small(5);
    await cache.download([key]);
    expect(await cache.revalidate()).toEqual({ fresh: [key], stale: [], notRevalidated: [] });

    const newer = bytes(SMALL_SIZE + 10, 99);
    await put(key, newer);
    expect(await cache.revalidate([key])).toEqual({ fresh: [], stale: [key], notRevalidated: [] });
    expect((await cache.status([key]))[key]).toBe('stale');
    // Flagged, not replaced: a query may be reading it.
    expect(md5(await readFile(cache.pathOf(key)))).toBe(md5(bytes(SMALL_SIZE, 5)));
    expect((await cache.download([key])).skipped).toEqual([key]);

    const refreshed = await cache.refresh([key]);
    expect(refreshed.downloaded.map((d) => d.key)).toEqual([key]);
    expect(md5(await readFile(cache.pathOf(key)))).toBe(md5(newer));
    expect((await cache.status([key]))[key]).toBe('cached');
    expect((await cache.list())[0]).toMatchObject({ key, size: SMALL_SIZE + 10, state: 'fresh' });
  });

  it('keeps serving cached files offline and says which could not be revalidated, promptly', async () => {
    const cache = await newCache('offline');
    const keys = [small(1), small(2), small(6)];
    await cache.download(keys);
    await server.kill();
    try {
      expect((await cache.list()).map((e) => e.key)).toEqual(keys);
      expect(md5(await readFile(cache.pathOf(small(6))))).toBe(md5(bytes(SMALL_SIZE, 6)));

      const started = performance.now();
      const result = await cache.revalidate();
      expect(performance.now() - started).toBeLessThan(5000);
      expect(result.fresh).toEqual([]);
      expect(result.stale).toEqual([]);
      expect(result.notRevalidated.map((r) => r.key).sort()).toEqual(keys);
      expect(result.notRevalidated[0]!.message).toMatch(/refused|dropped|did not answer/);
      expect(Object.values(await cache.status(keys))).toEqual(['cached', 'cached', 'cached']);
      expect((await cache.list()).every((e) => e.state === 'unverified')).toBe(true);

      // A download of something not cached fails with the store's own message.
      await expect(cache.download([small(3)])).rejects.toMatchObject({ code: 'offline' });
    } finally {
      server = await startS3rverChild(s3Dir, BUCKET);
    }
  });

  it('lays out the demo lake so the warehouse can glob pipelines and date partitions', async () => {
    const servers = inject('servers');
    const store = storeFor(servers.s3.endpoint, servers.s3.bucket);
    const page = await store.list({ prefix: 'bronze/energy_meters/', delimiter: '/' });
    const day = page.prefixes.sort()[0]!;
    const keys = (await store.list({ prefix: day })).objects.map((o) => o.key);
    expect(keys.length).toBeGreaterThan(0);

    const cache = new BronzeCache({ dir: join(root, 'demo'), store, storeId: servers.s3.bucket, quotaBytes: 1e9 });
    const added: string[] = [];
    cache.onChange((c) => added.push(...c.added));
    await cache.download(keys);
    expect(added.sort()).toEqual([...keys].sort());
    for (const key of keys) {
      const path = join(root, 'demo', 'bronze', servers.s3.bucket, key);
      expect(cache.pathOf(key)).toBe(path);
      expect(await readFile(path)).toEqual(await readFile(join(servers.lakeDir, key)));
    }
    expect(JSON.parse(await readFile(join(root, 'demo', 'cache-index.json'), 'utf8'))).toMatchObject({
      entries: expect.arrayContaining([expect.objectContaining({ key: keys[0], state: 'fresh', pinned: false })]),
    });
    expect(() => cache.pathOf('bronze/../../escape.parquet')).toThrow(/not a key/);
  });
});
