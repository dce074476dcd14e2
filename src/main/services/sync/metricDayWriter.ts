/**
 * The main-thread side of the metric sync's writer thread (metricDayWriterWorker):
 * the COPY (FORMAT binary) of a run of consecutive days of one pipeline is piped
 * into `days()`, a Writable that hands each chunk to the thread and waits
 * (beyond a small window) for it to be decoded, so a slow disk slows the
 * server's COPY instead of filling memory. The thread writes each day of the
 * run to its own Parquet file.
 */
import { Writable } from 'node:stream';
import type { Worker } from 'node:worker_threads';
import { WorkbenchError } from '../../../shared/errors';
import type { CopyBinaryColumn } from '../postgres/copyCodec';
import { serviceWorkerEntry, startServiceWorker, stopServiceWorker } from '../serviceWorker';

/** The columns a run's COPY sends, in order (pipeline_id is the run's own key, not sent). */
export const METRIC_DAY_COLUMNS: readonly CopyBinaryColumn[] = ['timestamptz', 'text', 'text', 'float8'];
/** The SELECT list matching METRIC_DAY_COLUMNS. */
export const METRIC_DAY_SELECT = 'time, series_id, metric_name, value';

/** A day's rows as the server would summarise them (see dayChecksum). */
export interface WrittenDaySummary {
  rows: number;
  maxTime: string;
  checksum: string;
}

/** The days a run covers and where they go. */
export interface RunDays {
  /** The first day (YYYY-MM-DD, UTC) and the day after the last; null: open-ended. */
  from: string | null;
  to: string | null;
  /** Each day with rows is written to `<dir>/<prefix><YYYY-MM-DD>.parquet`. */
  dir: string;
  prefix: string;
}

export interface RunRequest extends RunDays {
  op: 'begin';
  run: number;
}

/** A day of a run that had rows, written to its path. */
export interface WrittenDay {
  day: string;
  path: string;
  summary: WrittenDaySummary;
}

export type DayWriterRequest =
  | { op: 'open'; tempDirectory: string }
  | RunRequest
  | { op: 'rows'; run: number; bytes: Uint8Array }
  | { op: 'end'; run: number; pipelineId: string }
  | { op: 'drop'; run: number }
  | { op: 'close' };

export type DayWriterReply =
  | { kind: 'opened' }
  | { kind: 'closed' }
  | { kind: 'ack'; run: number; bytes: number; rows: number }
  | { kind: 'written'; run: number; days: WrittenDay[]; rows: number }
  | { kind: 'failed'; run: number; message: string; unreadable: boolean }
  | { kind: 'error'; message: string };

/** Bytes handed to the thread and not yet decoded, per run, before the COPY waits. */
const WINDOW_BYTES = 4 * 1024 * 1024;

interface RunHandlers {
  ack(bytes: number, rows: number): void;
  written(days: WrittenDay[], rows: number): void;
  failed(err: Error): void;
}

export class MetricDayWriter {
  private readonly handlers = new Map<number, RunHandlers>();
  private nextRun = 1;
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
   * A Writable for the COPY binary stream of `days` (days of one pipeline; a
   * row of any other day is refused). It finishes once every byte
   * is with the thread (so the server's connection is free for the next run);
   * `written` then settles when each day with rows is in its file as Parquet,
   * with those days' paths and summaries, in day order. Destroyed early (an error, a
   * cancel), it leaves nothing behind in the thread.
   */
  days(pipelineId: string, days: RunDays, onRows: (rows: number) => void): RunStream {
    if (this.broken) throw this.broken;
    const id = this.nextRun++;
    let inFlight = 0;
    let resume: (() => void) | null = null;
    let failure: Error | null = null;
    let ended = false;
    let reported = 0;
    let settle!: { resolve: (days: WrittenDay[]) => void; reject: (err: Error) => void };
    const written = new Promise<WrittenDay[]>((resolve, reject) => (settle = { resolve, reject }));
    // Awaited by the caller after the stream; a run dropped before that must not be an unhandled rejection.
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
        this.worker.postMessage({ op: 'rows', run: id, bytes } satisfies DayWriterRequest, [bytes.buffer]);
        if (inFlight < WINDOW_BYTES) done();
        else resume = () => done(failure);
      },
      final: (done) => {
        if (failure) return done(failure);
        ended = true;
        this.post({ op: 'end', run: id, pipelineId });
        done();
      },
      destroy: (err, done) => {
        if (!ended) {
          this.handlers.delete(id);
          if (!this.broken) this.post({ op: 'drop', run: id });
          settle.reject(err ?? new Error('the days were dropped before they were complete'));
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
      written: (written, rows) => {
        this.handlers.delete(id);
        if (rows > reported) onRows(rows - reported);
        settle.resolve(written);
      },
      failed: (err) => {
        failure = err;
        this.handlers.delete(id);
        settle.reject(err);
        if (resume) wake();
        else if (!ended) stream.destroy(err);
      },
    });
    this.post({ op: 'begin', run: id, from: days.from, to: days.to, dir: days.dir, prefix: days.prefix });
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
        this.handlers.get(reply.run)?.ack(reply.bytes, reply.rows);
        return;
      case 'written':
        this.handlers.get(reply.run)?.written(reply.days, reply.rows);
        return;
      case 'failed':
        this.handlers
          .get(reply.run)
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

export interface RunStream extends Writable {
  /** Settles once the run's days are written: the summary of each day that had rows, in day order. */
  written: Promise<WrittenDay[]>;
}

/** The server's COPY stream could not be read (malformed, or a value out of range): not a lost connection, so said apart. */
export class UnreadableCopyError extends WorkbenchError {
  constructor(message: string) {
    super('unavailable', message);
  }
}
