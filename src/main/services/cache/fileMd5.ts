/**
 * MD5 of cache files, computed on a worker thread. MD5 over every downloaded
 * byte on the event loop held the main thread while the bodies streamed in
 * (and the S3 server held the other core), so the download ran at half the
 * wire's speed. Here the worker reads the bytes back from the file (the page
 * cache, just written) as the writer says they are final, so a download is
 * hashed while it arrives, in order even when its ranges arrive out of order,
 * and nothing is copied between threads.
 *
 * A small object (ChunkMd5) is hashed from its chunks on the event loop instead:
 * a millisecond of MD5 costs less than the worker's open, read and close.
 *
 * The worker is plain JavaScript evaluated from a string, so it needs no build
 * entry of its own and runs the same from source (tests, bench) and from the app.
 */
import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { NO_FOLLOW } from '../workspace/insidePath';

/** What the main thread asks: hash bytes [from, to) of `path` into digest `id` (then send it, with `digest`); forget it. */
type Request =
  | { op: 'hash'; id: number; path: string; from: number; to: number; flags: number; digest: boolean }
  | { op: 'drop'; id: number };

type Reply = { id: number; digest: string } | { id: number; error: string };

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { openSync, readSync, closeSync } = require('node:fs');
const buffer = Buffer.allocUnsafe(1 << 20);
const digests = new Map();
const close = (d) => { if (d.fd !== null) { try { closeSync(d.fd); } catch {} d.fd = null; } };
parentPort.on('message', (m) => {
  let d = digests.get(m.id);
  if (m.op === 'drop') {
    if (d) close(d);
    digests.delete(m.id);
    return;
  }
  if (!d) digests.set(m.id, (d = { hash: createHash('md5'), fd: null, error: null }));
  if (d.error === null && m.to > m.from) {
    try {
      if (d.fd === null) d.fd = openSync(m.path, m.flags);
      for (let at = m.from; at < m.to; ) {
        const n = readSync(d.fd, buffer, 0, Math.min(buffer.length, m.to - at), at);
        if (n === 0) throw new Error(m.path + ' ends at byte ' + at + ', before ' + m.to);
        d.hash.update(buffer.subarray(0, n));
        at += n;
      }
    } catch (err) {
      d.error = String((err && err.message) || err);
      close(d);
    }
  }
  if (m.digest) {
    digests.delete(m.id);
    close(d);
    parentPort.postMessage(d.error !== null ? { id: m.id, error: d.error } : { id: m.id, digest: d.hash.digest('hex') });
  }
});
`;

let worker: Worker | null = null;
let nextId = 1;
const waiting = new Map<number, { resolve: (digest: string) => void; reject: (err: Error) => void }>();

function failAll(err: Error): void {
  worker = null;
  for (const pending of waiting.values()) pending.reject(err);
  waiting.clear();
}

/** The one hashing worker, started on first use; it keeps the process alive only while a digest is awaited. */
function hasher(): Worker {
  if (worker) return worker;
  const started = new Worker(WORKER_SOURCE, { eval: true });
  started.unref();
  started.on('message', (reply: Reply) => {
    const pending = waiting.get(reply.id);
    if (!pending) return;
    waiting.delete(reply.id);
    if (waiting.size === 0) started.unref();
    if ('digest' in reply) pending.resolve(reply.digest);
    else pending.reject(new Error(reply.error));
  });
  started.on('error', (err) => {
    if (worker === started) failAll(err);
  });
  started.on('exit', (code) => {
    if (worker === started) failAll(new Error(`The MD5 worker stopped (exit code ${code})`));
  });
  worker = started;
  return started;
}

function send(request: Request): void {
  hasher().postMessage(request);
}

/** Bytes handed to the worker at a time while a file grows: fewer messages, and the worker still keeps up. */
const HASH_STEP = 4 * 1024 * 1024;

/**
 * The MD5 of one file that is being written front to back (or whose ranges
 * complete in any order): `advance(n)` says bytes [0, n) are on disk and final,
 * and the worker hashes what is new. Call `digest` once, or `discard`.
 */
export class FileMd5 {
  private readonly id = nextId++;
  private hashed = 0;
  private done = false;

  constructor(private readonly path: string) {}

  advance(upTo: number): void {
    if (this.done || upTo - this.hashed < HASH_STEP) return;
    this.post(upTo, false);
  }

  /** The hex MD5 of bytes [0, size); rejects when the file could not be read that far. */
  digest(size: number): Promise<string> {
    if (this.done) return Promise.reject(new Error('FileMd5: digest asked twice'));
    const worker = hasher();
    const result = new Promise<string>((resolve, reject) => waiting.set(this.id, { resolve, reject }));
    worker.ref();
    this.post(Math.max(size, this.hashed), true);
    this.done = true;
    return result;
  }

  private post(upTo: number, digest: boolean): void {
    send({ op: 'hash', id: this.id, path: this.path, from: this.hashed, to: upTo, flags: NO_FOLLOW, digest });
    this.hashed = upTo;
  }

  /** Forgets the digest (a failed or cancelled download), closing the worker's handle on the file. */
  discard(): void {
    if (this.done) return;
    this.done = true;
    if (this.hashed > 0) send({ op: 'drop', id: this.id });
  }
}

/** The hex MD5 of the first `size` bytes of a file (the whole file, for a file of that size). */
export function md5OfFile(path: string, size: number): Promise<string> {
  return new FileMd5(path).digest(size);
}

/**
 * The MD5 of a small download, from its chunks as they arrive. It has FileMd5's
 * shape, so the download treats both alike; the download checks the length
 * before asking for the digest.
 */
export class ChunkMd5 {
  private readonly hash = createHash('md5');

  update(chunk: Uint8Array): void {
    this.hash.update(chunk);
  }

  advance(_upTo: number): void {}

  digest(_size: number): Promise<string> {
    return Promise.resolve(this.hash.digest('hex'));
  }

  discard(): void {}
}
