/**
 * The metric sync's writer thread: decodes a pipeline-day's COPY (FORMAT binary)
 * as it streams in, appends it to its own DuckDB as typed columns (no text is
 * parsed), sums the day's summary (count, max time, checksum) on the way, and
 * writes the day as Parquet (zstd) to the path it was given. Several days may
 * stream at once; each has its own table and connection.
 */
import { parentPort } from 'node:worker_threads';
import {
  DOUBLE,
  DuckDBAppender,
  DuckDBConnection,
  DuckDBDataChunk,
  DuckDBInstance,
  INTEGER,
  VARCHAR,
  type DuckDBDoubleVector,
  type DuckDBIntegerVector,
} from '@duckdb/node-api';
import { errorMessage } from '../../../shared/errors';
import { quoteLiteral } from '../../../shared/sql';
import {
  CopyBinaryDecoder,
  CopyFormatError,
  copyFloat8,
  copyTimestamptzMicros,
  type CopyBinaryRow,
} from '../postgres/copyCodec';
import { closeWorkerPort } from '../serviceWorker';
import { DayChecksum, pgHashBytes } from './dayChecksum';
import { METRIC_DAY_COLUMNS, type DayWriterReply, type DayWriterRequest } from './metricDayWriter';

if (!parentPort) throw new Error('metricDayWriterWorker must run in a worker thread');
const port = parentPort;
const send = (reply: DayWriterReply) => port.postMessage(reply);

/** DuckDB's vector size: one appended chunk. */
const CHUNK_ROWS = 2048;
const UNIT_SEPARATOR = Buffer.from([31]);
/** Decoded bytes per acknowledgement (the main thread's window is larger; see metricDayWriter). */
const ACK_BYTES = 256 * 1024;

let instance: DuckDBInstance | null = null;

/** A (series_id, metric_name) pair seen in the day: its number in the day's pair table and its hashtext. */
interface Pair {
  k: number;
  hash: number;
  /** Its bytes in the stream (both lengths included). */
  key: Buffer;
}

/** One pipeline-day being received. */
class DayWrite {
  readonly decoder: CopyBinaryDecoder;
  private readonly pairs = new Map<number, Pair[]>();
  private readonly pairRows: [number, string, string][] = [];
  private readonly checksum = new DayChecksum();
  private readonly time = new Float64Array(CHUNK_ROWS);
  private readonly pair = new Int32Array(CHUNK_ROWS);
  private readonly value = new Float64Array(CHUNK_ROWS);
  private readonly valueNull = new Uint8Array(CHUNK_ROWS);
  private buffered = 0;
  /** A decoding or appending failure, reported once; the rest of the stream is ignored. */
  failed = false;
  /** Bytes decoded since the last acknowledgement. */
  unacked = 0;

  private constructor(
    readonly id: number,
    private readonly con: DuckDBConnection,
    private readonly appender: DuckDBAppender,
    private readonly table: string,
  ) {
    this.decoder = new CopyBinaryDecoder(METRIC_DAY_COLUMNS, (row) => this.onRow(row));
  }

  static async begin(id: number): Promise<DayWrite> {
    if (!instance) throw new Error('The day writer is not open');
    const con = await instance.connect();
    const table = `day_${id}`;
    await con.run(`CREATE OR REPLACE TABLE ${table} (t DOUBLE, k INTEGER, v DOUBLE)`);
    return new DayWrite(id, con, await con.createAppender(table), table);
  }

  get rows(): number {
    return this.decoder.rows;
  }

  private onRow({ bytes, starts, lengths }: CopyBinaryRow): void {
    if (lengths[0]! < 0 || lengths[1]! < 0 || lengths[2]! < 0) {
      throw new CopyFormatError('a NULL time, series_id or metric_name (the contract has them NOT NULL)');
    }
    const micros = copyTimestamptzMicros(bytes, starts[0]!);
    // Series and metric lie next to each other, each after its length: those bytes are the pair's key,
    // found by an FNV-1a hash of them without making a string per row.
    const from = starts[1]! - 4;
    const to = starts[2]! + lengths[2]!;
    let fnv = 0x811c9dc5;
    for (let i = from; i < to; i++) fnv = Math.imul(fnv ^ bytes[i]!, 0x01000193);
    const bucket = this.pairs.get(fnv);
    let pair = bucket?.find((p) => p.key.length === to - from && p.key.compare(bytes, from, to) === 0);
    if (!pair) {
      const series = bytes.subarray(starts[1]!, starts[1]! + lengths[1]!);
      const metric = bytes.subarray(starts[2]!, starts[2]! + lengths[2]!);
      const joined = Buffer.concat([series, UNIT_SEPARATOR, metric]);
      pair = {
        k: this.pairRows.length,
        hash: pgHashBytes(joined, 0, joined.length),
        key: Buffer.from(bytes.subarray(from, to)),
      };
      if (bucket) bucket.push(pair);
      else this.pairs.set(fnv, [pair]);
      this.pairRows.push([pair.k, series.toString('utf8'), metric.toString('utf8')]);
    }
    const value = lengths[3]! < 0 ? null : copyFloat8(bytes, starts[3]!);
    this.checksum.add(micros, pair.hash, value);
    const i = this.buffered++;
    this.time[i] = micros;
    this.pair[i] = pair.k;
    this.value[i] = value ?? 0;
    this.valueNull[i] = value === null ? 1 : 0;
    if (this.buffered === CHUNK_ROWS) this.appendBuffered();
  }

  /** Hands the buffered rows to DuckDB as one chunk of typed vectors. */
  private appendBuffered(): void {
    const n = this.buffered;
    if (!n) return;
    const chunk = DuckDBDataChunk.create([DOUBLE, INTEGER, DOUBLE], n);
    const time = chunk.getColumnVector(0) as DuckDBDoubleVector;
    const pair = chunk.getColumnVector(1) as DuckDBIntegerVector;
    const value = chunk.getColumnVector(2) as DuckDBDoubleVector;
    for (let i = 0; i < n; i++) {
      time.setItem(i, this.time[i]!);
      pair.setItem(i, this.pair[i]!);
      value.setItem(i, this.valueNull[i] ? null : this.value[i]!);
    }
    time.flush();
    pair.flush();
    value.flush();
    this.appender.appendDataChunk(chunk);
    this.buffered = 0;
  }

  /** The stream ended: checks its trailer, writes the Parquet file, returns the day's summary (null: no rows). */
  async finish(pipelineId: string, path: string): Promise<ReturnType<DayChecksum['summary']>> {
    this.decoder.end();
    this.appendBuffered();
    this.appender.flushSync();
    const summary = this.checksum.summary();
    if (!summary) return null;
    const pairs = `${this.table}_pairs`;
    await this.con.run(`CREATE OR REPLACE TABLE ${pairs} (k INTEGER, series_id VARCHAR, metric_name VARCHAR)`);
    const pairAppender = await this.con.createAppender(pairs);
    try {
      const chunk = DuckDBDataChunk.create([INTEGER, VARCHAR, VARCHAR]);
      for (let at = 0; at < this.pairRows.length; at += CHUNK_ROWS) {
        const rows = this.pairRows.slice(at, at + CHUNK_ROWS);
        chunk.rowCount = rows.length;
        chunk.setColumns([rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2])]);
        pairAppender.appendDataChunk(chunk);
      }
      pairAppender.flushSync();
    } finally {
      pairAppender.closeSync();
    }
    // µs since 1970 fit a double exactly (see copyTimestamptzMicros); pipeline_id is the day's own key.
    // zstd's fastest level: the writer is the sync's busiest core, and the files barely grow.
    await this.con.run(`COPY (
        SELECT make_timestamptz(d.t::BIGINT) AS time, ${quoteLiteral(pipelineId)} AS pipeline_id,
               p.series_id, p.metric_name, d.v AS value
        FROM ${this.table} d JOIN ${pairs} p USING (k)
      ) TO ${quoteLiteral(path)} (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1)`);
    return summary;
  }

  /** Frees the day's tables and connection, whatever happened. */
  async close(): Promise<void> {
    try {
      this.appender.closeSync();
    } catch {
      // Already closed, or failed: the tables go below either way.
    }
    await this.con.run(`DROP TABLE IF EXISTS ${this.table}; DROP TABLE IF EXISTS ${this.table}_pairs`).catch(() => {});
    this.con.closeSync();
  }
}

const days = new Map<number, DayWrite>();

async function fail(write: DayWrite, err: unknown): Promise<void> {
  if (write.failed) return;
  write.failed = true;
  days.delete(write.id);
  // A stream the format refuses, or a time it cannot hold exactly: the data, not the server's connection.
  const unreadable = err instanceof CopyFormatError || err instanceof RangeError;
  send({ kind: 'failed', day: write.id, message: errorMessage(err), unreadable });
  await write.close();
}

async function handle(msg: DayWriterRequest): Promise<void> {
  switch (msg.op) {
    case 'open': {
      instance = await DuckDBInstance.create(':memory:', {
        // Days larger than memory spill beside the cache, not into the system's temp folder.
        temp_directory: msg.tempDirectory,
        preserve_insertion_order: 'false',
      });
      send({ kind: 'opened' });
      return;
    }
    case 'begin': {
      try {
        days.set(msg.day, await DayWrite.begin(msg.day));
      } catch (err) {
        send({ kind: 'failed', day: msg.day, message: errorMessage(err), unreadable: false });
      }
      return;
    }
    case 'rows': {
      const write = days.get(msg.day);
      if (!write || write.failed) return;
      try {
        write.decoder.push(msg.bytes);
        // Acknowledged in batches: a message per chunk costs more than the chunk's rows.
        write.unacked += msg.bytes.byteLength;
        if (write.unacked >= ACK_BYTES) {
          send({ kind: 'ack', day: msg.day, bytes: write.unacked, rows: write.rows });
          write.unacked = 0;
        }
      } catch (err) {
        await fail(write, err);
      }
      return;
    }
    case 'end': {
      const write = days.get(msg.day);
      if (!write || write.failed) return;
      try {
        const summary = await write.finish(msg.pipelineId, msg.path);
        days.delete(msg.day);
        send({ kind: 'written', day: msg.day, summary });
        await write.close();
      } catch (err) {
        await fail(write, err);
      }
      return;
    }
    case 'drop': {
      const write = days.get(msg.day);
      if (!write) return;
      days.delete(msg.day);
      write.failed = true;
      await write.close();
      return;
    }
    case 'close': {
      await Promise.all([...queues.entries()].filter(([key]) => key !== GLOBAL).map(([, queue]) => queue));
      for (const write of days.values()) await write.close();
      days.clear();
      instance?.closeSync();
      instance = null;
      send({ kind: 'closed' });
      closeWorkerPort(port);
      return;
    }
  }
}

/**
 * Each day's messages are handled in order (its chunks append as they came),
 * days independently: one day's Parquet write does not hold up another's rows.
 */
const GLOBAL = -1;
const queues = new Map<number, Promise<void>>();
port.on('message', (msg: DayWriterRequest) => {
  const key = 'day' in msg ? msg.day : GLOBAL;
  const queue = (queues.get(key) ?? Promise.resolve())
    .then(() => handle(msg))
    .catch((err: unknown) => send({ kind: 'error', message: errorMessage(err) }))
    .finally(() => {
      if (queues.get(key) === queue) queues.delete(key);
    });
  queues.set(key, queue);
});
