/**
 * The main-thread side of the metric sync's writer thread (metricDayWriterWorker):
 * a pipeline-day's COPY (FORMAT binary) is piped into `day()`, a Writable that
 * hands each chunk to the thread and waits (beyond a small window) for it to be
 * decoded, so a slow disk slows the server's COPY instead of filling memory.
 */
import { Writable } from 'node:stream';
import type { Worker } from 'node:worker_threads';
import { WorkbenchError } from '../../../shared/errors';
import type { CopyBinaryColumn } from '../postgres/copyCodec';
import { serviceWorkerEntry, startServiceWorker, stopServiceWorker } from '../serviceWorker';

/** The columns a day's COPY sends, in order (pipeline_id is the day's own key, not sent). */
export const METRIC_DAY_COLUMNS: readonly CopyBinaryColumn[] = ['timestamptz', 'text', 'text', 'float8'];
/** The SELECT list matching METRIC_DAY_COLUMNS. */
export const METRIC_DAY_SELECT = 'time, series_id, metric_name, value';

/** A day's rows as the server would summarise them (see dayChecksum). */
export interface WrittenDaySummary {
  rows: number;
  maxTime: string;
  checksum: string;
}

export type DayWriterRequest =
  | { op: 'open'; tempDirectory: string }
  | { op: 'begin'; day: number }
  | { op: 'rows'; day: number; bytes: Uint8Array }
  | { op: 'end'; day: number; pipelineId: string; path: string }
  | { op: 'drop'; day: number }
  | { op: 'close' };

export type DayWriterReply =
  | { kind: 'opened' }
  | { kind: 'closed' }
  | { kind: 'ack'; day: number; bytes: number; rows: number }
  | { kind: 'written'; day: number; summary: WrittenDaySummary | null }
  | { kind: 'failed'; day: number; message: string; unreadable: boolean }
  | { kind: 'error'; message: string };

/** Bytes handed to the thread and not yet decoded, per day, before the COPY waits. */
const WINDOW_BYTES = 4 * 1024 * 1024;

interface DayHandlers {
  ack(bytes: number, rows: number): void;
  written(summary: WrittenDaySummary | null): void;
  failed(err: Error): void;
}

export class MetricDayWriter {
  private readonly handlers = new Map<number, DayHandlers>();
  private nextDay = 1;
  private waiting: { resolve: () => void; reject: (err: Error) => void } | null = null;
  private broken: Error | null = null;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (reply: DayWriterReply) => this.onReply(reply));
    worker.on('error', (err) => this.breakAll(err));
    worker.on('exit', (code) => this.breakAll(new Error(`the sync's writer thread stopped (exit code ${code})`)));
  }

  /** Starts the thread; days that do not fit in memory spill to `tempDirectory`. */
  static async open(tempDirectory: string, workerEntry?: string): Promise<MetricDayWriter> {
    const entry =
      workerEntry ?? serviceWorkerEntry(import.meta.url, 'metricDayWriterWorker.ts', 'metric-day-writer-worker.js');
    const writer = new MetricDayWriter(startServiceWorker(entry));
    await writer.call({ op: 'open', tempDirectory });
    return writer;
  }

  async close(): Promise<void> {
    if (!this.broken) await this.call({ op: 'close' }).catch(() => undefined);
    this.broken ??= new Error('the sync’s writer thread was closed');
    await stopServiceWorker(this.worker);
  }

  /**
   * A Writable for one day's COPY binary stream. It finishes once every byte is
   * with the thread (so the server's connection is free for the next day);
   * `written` then settles when the day is in `path` as Parquet, with what it
   * holds (null: no rows). Destroyed early (an error, a cancel), it leaves
   * nothing behind in the thread.
   */
  day(pipelineId: string, path: string, onRows: (rows: number) => void): DayStream {
    if (this.broken) throw this.broken;
    const id = this.nextDay++;
    let inFlight = 0;
    let resume: (() => void) | null = null;
    let failure: Error | null = null;
    let ended = false;
    let reported = 0;
    let settle!: { resolve: (summary: WrittenDaySummary | null) => void; reject: (err: Error) => void };
    const written = new Promise<WrittenDaySummary | null>((resolve, reject) => (settle = { resolve, reject }));
    // Awaited by the caller after the stream; a day dropped before that must not be an unhandled rejection.
    written.catch(() => undefined);
    const wake = () => {
      const go = resume;
      resume = null;
      go?.();
    };
    const stream = new Writable({
      highWaterMark: 1024 * 1024,
      write: (chunk: Buffer, _encoding, done) => {
        if (failure) return done(failure);
        inFlight += chunk.byteLength;
        // pg's chunks are views of its socket buffer: the thread gets its own copy, moved, not cloned.
        const bytes = new Uint8Array(chunk);
        this.worker.postMessage({ op: 'rows', day: id, bytes } satisfies DayWriterRequest, [bytes.buffer]);
        if (inFlight < WINDOW_BYTES) done();
        else resume = () => done(failure);
      },
      final: (done) => {
        if (failure) return done(failure);
        ended = true;
        this.post({ op: 'end', day: id, pipelineId, path });
        done();
      },
      destroy: (err, done) => {
        if (!ended) {
          this.handlers.delete(id);
          if (!this.broken) this.post({ op: 'drop', day: id });
          settle.reject(err ?? new Error('the day was dropped before it was complete'));
        }
        done(err);
      },
    });
    this.handlers.set(id, {
      ack: (bytes, rows) => {
        inFlight -= bytes;
        if (rows > reported) {
          onRows(rows - reported);
          reported = rows;
        }
        if (inFlight < WINDOW_BYTES) wake();
      },
      written: (summary) => {
        this.handlers.delete(id);
        if (summary && summary.rows > reported) onRows(summary.rows - reported);
        settle.resolve(summary);
      },
      failed: (err) => {
        failure = err;
        this.handlers.delete(id);
        settle.reject(err);
        if (resume) wake();
        else if (!ended) stream.destroy(err);
      },
    });
    this.post({ op: 'begin', day: id });
    return Object.assign(stream, { written });
  }

  private onReply(reply: DayWriterReply): void {
    switch (reply.kind) {
      case 'opened':
      case 'closed': {
        const waiting = this.waiting;
        this.waiting = null;
        waiting?.resolve();
        return;
      }
      case 'ack':
        this.handlers.get(reply.day)?.ack(reply.bytes, reply.rows);
        return;
      case 'written':
        this.handlers.get(reply.day)?.written(reply.summary);
        return;
      case 'failed':
        this.handlers
          .get(reply.day)
          ?.failed(reply.unreadable ? new UnreadableCopyError(reply.message) : new Error(reply.message));
        return;
      case 'error':
        this.breakAll(new Error(reply.message));
        return;
    }
  }

  /** A request answered by 'opened' or 'closed' (one at a time). */
  private call(request: DayWriterRequest): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.post(request);
    });
  }

  private post(request: DayWriterRequest): void {
    this.worker.postMessage(request);
  }

  private breakAll(err: Error): void {
    if (this.broken) return;
    this.broken = err;
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.reject(err);
    for (const handlers of [...this.handlers.values()]) handlers.failed(err);
    this.handlers.clear();
  }
}

export interface DayStream extends Writable {
  /** Settles once the day is written: its summary, or null when the server sent no rows. */
  written: Promise<WrittenDaySummary | null>;
}

/** The server's COPY stream could not be read (malformed, or a value out of range): not a lost connection, so said apart. */
export class UnreadableCopyError extends WorkbenchError {
  constructor(message: string) {
    super('unavailable', message);
  }
}
