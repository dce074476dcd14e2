/**
 * The metric sync's writer thread: decodes the COPY (FORMAT binary) of a run of
 * consecutive days of one pipeline as it streams in, appends it to its own
 * DuckDB as typed columns (no text is parsed), sums each day's summary (count,
 * max time, checksum) on the way, and writes each day as Parquet (zstd) to the
 * path it was given. Several runs may stream at once; each has its own table
 * and connection.
 */
import { join } from 'node:path';
import { parentPort } from 'node:worker_threads';
import duckdb from '@duckdb/node-bindings';
import {
  DOUBLE,
  DuckDBAppender,
  DuckDBConnection,
  DuckDBDataChunk,
  DuckDBInstance,
  INTEGER,
  VARCHAR,
} from '@duckdb/node-api';
import { errorMessage } from '../../../shared/errors';
import { DAY_MS } from '../../../shared/utcDays';
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
import {
  METRIC_DAY_COLUMNS,
  type DayWriterReply,
  type DayWriterRequest,
  type RunRequest,
  type WrittenDay,
} from './metricDayWriter';

if (!parentPort) throw new Error('metricDayWriterWorker must run in a worker thread');
const port = parentPort;
const send = (reply: DayWriterReply) => port.postMessage(reply);

/** DuckDB's vector size: one appended chunk. */
const CHUNK_ROWS = 2048;
const UNIT_SEPARATOR = Buffer.from([31]);
/** Decoded bytes per acknowledgement (the main thread's window is larger; see metricDayWriter). */
const ACK_BYTES = 256 * 1024;

let instance: DuckDBInstance | null = null;

/** A (series_id, metric_name) pair seen in the run: its number in the run's pair table and its hashtext. */
interface Pair {
  k: number;
  hash: number;
  /** Its bytes in the stream (both lengths included). */
  key: Buffer;
  /** The pair that followed it last time. */
  next: Pair | null;
}

/** µs in a UTC day: a row's day is floor(time / DAY_MICROS). */
const DAY_MICROS = DAY_MS * 1000;

/** A day of a run: where its Parquet goes and what its rows sum to. */
interface RunDay {
  day: string;
  path: string;
  checksum: DayChecksum;
}

/** A UTC day (YYYY-MM-DD) as its number of days since 1970. */
const dayNumberOf = (day: string) => Date.parse(`${day}T00:00:00Z`) / DAY_MS;
const dayOfNumber = (dayNumber: number) => new Date(dayNumber * DAY_MS).toISOString().slice(0, 10);

/** One run of days being received. */
class RunWrite {
  readonly decoder: CopyBinaryDecoder;
  private readonly pairs = new Map<number, Pair[]>();
  private readonly pairRows: [number, string, string][] = [];
  /** The run's days that have rows, by day number. */
  private readonly days = new Map<number, RunDay>();
  /** The day numbers the run covers, [first, end). */
  private readonly first: number;
  private readonly end: number;
  private readonly time = new Float64Array(CHUNK_ROWS);
  private readonly pair = new Int32Array(CHUNK_ROWS);
  private readonly value = new Float64Array(CHUNK_ROWS);
  private readonly valueNull = new Uint8Array(CHUNK_ROWS);
  /** Whether a buffered value is NULL. */
  private nulls = false;
  /** One chunk, filled again for each CHUNK_ROWS rows. */
  private readonly chunk = DuckDBDataChunk.create([DOUBLE, INTEGER, DOUBLE]);
  private buffered = 0;
  /** The day of the row before: rows come in runs of one day, so most rows skip the lookup. */
  private lastDayNumber = NaN;
  private lastDay: RunDay | undefined;
  private lastPair: Pair | null = null;
  /** A decoding or appending failure, reported once; the rest of the stream is ignored. */
  failed = false;
  /** Bytes decoded since the last acknowledgement. */
  unacked = 0;

  private constructor(
    readonly id: number,
    private readonly con: DuckDBConnection,
    private readonly appender: DuckDBAppender,
    private readonly table: string,
    private readonly run: Omit<RunRequest, 'op' | 'run'>,
  ) {
    this.first = run.from === null ? -Infinity : dayNumberOf(run.from);
    this.end = run.to === null ? Infinity : dayNumberOf(run.to);
    this.decoder = new CopyBinaryDecoder(METRIC_DAY_COLUMNS, (row) => this.onRow(row));
  }

  static async begin(id: number, run: Omit<RunRequest, 'op' | 'run'>): Promise<RunWrite> {
    if (!instance) throw new Error('The day writer is not open');
    const con = await instance.connect();
    const table = `run_${id}`;
    await con.run(`CREATE OR REPLACE TABLE ${table} (t DOUBLE, k INTEGER, v DOUBLE)`);
    return new RunWrite(id, con, await con.createAppender(table), table, run);
  }

  get rows(): number {
    return this.decoder.rows;
  }

  private onRow({ bytes, starts, lengths }: CopyBinaryRow): void {
    if (lengths[0]! < 0 || lengths[1]! < 0 || lengths[2]! < 0) {
      throw new CopyFormatError('a NULL time, series_id or metric_name (the contract has them NOT NULL)');
    }
    const micros = copyTimestamptzMicros(bytes, starts[0]!);
    const dayNumber = Math.floor(micros / DAY_MICROS);
    const day = dayNumber === this.lastDayNumber ? this.lastDay! : (this.days.get(dayNumber) ?? this.addDay(dayNumber));
    this.lastDayNumber = dayNumber;
    this.lastDay = day;
    // Series and metric lie next to each other, each after its length: those bytes are the pair's key.
    const from = starts[1]! - 4;
    const to = starts[2]! + lengths[2]!;
    // The server sends the pairs in the same order at every time: the pair after the last one's is
    // most often this row's, checked byte for byte before anything is hashed.
    const predicted = this.lastPair?.next;
    const pair =
      predicted && samePair(predicted, bytes, from, to) ? predicted : this.lookUpPair(bytes, from, to, starts, lengths);
    if (this.lastPair) this.lastPair.next = pair;
    this.lastPair = pair;
    const value = lengths[3]! < 0 ? null : copyFloat8(bytes, starts[3]!);
    day.checksum.add(micros, pair.hash, value);
    const i = this.buffered++;
    this.time[i] = micros;
    this.pair[i] = pair.k;
    if (value === null) {
      this.value[i] = 0;
      this.valueNull[i] = 1;
      this.nulls = true;
    } else this.value[i] = value;
    if (this.buffered === CHUNK_ROWS) this.appendBuffered();
  }

  /** A day's first row: inside the days asked for, or the server answered another question. */
  private addDay(dayNumber: number): RunDay {
    const day = dayOfNumber(dayNumber);
    if (dayNumber < this.first || dayNumber >= this.end) {
      throw new CopyFormatError(`a row of ${day}, outside the days asked for`);
    }
    const added = { day, path: join(this.run.dir, `${this.run.prefix}${day}.parquet`), checksum: new DayChecksum() };
    this.days.set(dayNumber, added);
    return added;
  }

  /** The pair of the key bytes `[from, to)`, found by an FNV-1a hash of them (no string per row), or added. */
  private lookUpPair(bytes: Buffer, from: number, to: number, starts: Int32Array, lengths: Int32Array): Pair {
    let fnv = 0x811c9dc5;
    for (let i = from; i < to; i++) fnv = Math.imul(fnv ^ bytes[i]!, 0x01000193);
    const bucket = this.pairs.get(fnv);
    const found = bucket && findPair(bucket, bytes, from, to);
    if (found) return found;
    const series = bytes.subarray(starts[1]!, starts[1]! + lengths[1]!);
    const metric = bytes.subarray(starts[2]!, starts[2]! + lengths[2]!);
    const joined = Buffer.concat([series, UNIT_SEPARATOR, metric]);
    const pair: Pair = {
      k: this.pairRows.length,
      hash: pgHashBytes(joined, 0, joined.length),
      key: Buffer.from(bytes.subarray(from, to)),
      next: null,
    };
    if (bucket) bucket.push(pair);
    else this.pairs.set(fnv, [pair]);
    this.pairRows.push([pair.k, series.toString('utf8'), metric.toString('utf8')]);
    return pair;
  }

  /**
   * Hands the buffered rows to DuckDB as one chunk of typed vectors, each
   * column copied whole into the chunk's memory (a value at a time cost more
   * than decoding it); a column's validity is written only when it has a NULL.
   */
  private appendBuffered(): void {
    const n = this.buffered;
    if (!n) return;
    const chunk = this.chunk.chunk;
    duckdb.data_chunk_reset(chunk);
    duckdb.data_chunk_set_size(chunk, n);
    const [time, pair, value] = [0, 1, 2].map((i) => duckdb.data_chunk_get_vector(chunk, i)) as [
      duckdb.Vector,
      duckdb.Vector,
      duckdb.Vector,
    ];
    duckdb.copy_data_to_vector(time, 0, this.time.buffer, 0, n * 8);
    duckdb.copy_data_to_vector(pair, 0, this.pair.buffer, 0, n * 4);
    duckdb.copy_data_to_vector(value, 0, this.value.buffer, 0, n * 8);
    if (this.nulls) {
      // DuckDB's validity: a bit per row, set when valid, in little-endian 64-bit words.
      const validity = new Uint8Array(Math.ceil(n / 64) * 8).fill(0xff);
      for (let i = 0; i < n; i++) if (this.valueNull[i]) validity[i >> 3]! &= ~(1 << (i & 7));
      duckdb.vector_ensure_validity_writable(value);
      duckdb.copy_data_to_vector_validity(value, 0, validity.buffer, 0, validity.byteLength);
      this.valueNull.fill(0, 0, n);
      this.nulls = false;
    }
    this.appender.appendDataChunk(this.chunk);
    this.buffered = 0;
  }

  /**
   * The stream ended: checks its trailer and writes each day that has rows as
   * Parquet; returns those days' summaries, in day order.
   */
  async finish(pipelineId: string): Promise<WrittenDay[]> {
    this.decoder.end();
    this.appendBuffered();
    this.appender.flushSync();
    const written: WrittenDay[] = [];
    for (const [dayNumber, { day, path, checksum }] of [...this.days].sort(([a], [b]) => a - b)) {
      const summary = checksum.summary();
      if (!summary) continue;
      if (!written.length) await this.pairTable(pipelineId);
      // µs since 1970 fit a double exactly (see copyTimestamptzMicros); pipeline_id is the day's own key.
      // zstd's fastest level: the writer is the sync's busiest core, and the files barely grow.
      const start = dayNumber * DAY_MICROS;
      await this.con.run(`COPY (
          SELECT make_timestamptz(d.t::BIGINT) AS time, ${quoteLiteral(pipelineId)}::${this.table}_pipeline AS pipeline_id,
                 p.series_id, p.metric_name, d.v AS value
          FROM ${this.table} d JOIN ${this.table}_pairs p USING (k)
          WHERE d.t >= ${start} AND d.t < ${start + DAY_MICROS}
        ) TO ${quoteLiteral(path)} (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1)`);
      written.push({ day, path, summary });
    }
    return written;
  }

  /**
   * The run's (series, metric) pairs as a table, for the days' Parquet to join.
   * The names are ENUMs of the run (the pipeline too): the Parquet writer takes
   * an ENUM's dictionary as it is instead of hashing a string per row, which
   * halves the Parquet's cost; the files hold plain strings all the same.
   */
  private async pairTable(pipelineId: string): Promise<void> {
    const { table } = this;
    const text = `${table}_names`;
    await this.con.run(`CREATE OR REPLACE TABLE ${text} (k INTEGER, series_id VARCHAR, metric_name VARCHAR)`);
    const pairAppender = await this.con.createAppender(text);
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
    await this.con.run(`
      CREATE TYPE ${table}_series AS ENUM (SELECT DISTINCT series_id FROM ${text});
      CREATE TYPE ${table}_metric AS ENUM (SELECT DISTINCT metric_name FROM ${text});
      CREATE TYPE ${table}_pipeline AS ENUM (${quoteLiteral(pipelineId)});
      CREATE TABLE ${table}_pairs AS
        SELECT k, series_id::${table}_series AS series_id, metric_name::${table}_metric AS metric_name FROM ${text};
      DROP TABLE ${text}`);
  }

  /** Frees the run's tables and connection, whatever happened. */
  async close(): Promise<void> {
    try {
      this.appender.closeSync();
    } catch {
      // Already closed, or failed: the tables go below either way.
    }
    const { table } = this;
    await this.con
      .run(
        `DROP TABLE IF EXISTS ${table}; DROP TABLE IF EXISTS ${table}_pairs; DROP TABLE IF EXISTS ${table}_names;
         DROP TYPE IF EXISTS ${table}_series; DROP TYPE IF EXISTS ${table}_metric; DROP TYPE IF EXISTS ${table}_pipeline`,
      )
      .catch(() => {});
    this.con.closeSync();
  }
}

/** Whether the bytes `[from, to)` are the pair's key: a short loop, cheaper here than a native compare per row. */
function samePair(pair: Pair, bytes: Uint8Array, from: number, to: number): boolean {
  const key = pair.key;
  if (key.length !== to - from) return false;
  for (let i = 0; i < key.length; i++) if (key[i] !== bytes[from + i]) return false;
  return true;
}

function findPair(bucket: Pair[], bytes: Uint8Array, from: number, to: number): Pair | undefined {
  for (const pair of bucket) if (samePair(pair, bytes, from, to)) return pair;
  return undefined;
}

const runs = new Map<number, RunWrite>();

async function fail(write: RunWrite, err: unknown): Promise<void> {
  if (write.failed) return;
  write.failed = true;
  runs.delete(write.id);
  // A stream the format refuses, or a time it cannot hold exactly: the data, not the server's connection.
  const unreadable = err instanceof CopyFormatError || err instanceof RangeError;
  send({ kind: 'failed', run: write.id, message: errorMessage(err), unreadable });
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
        runs.set(msg.run, await RunWrite.begin(msg.run, msg));
      } catch (err) {
        send({ kind: 'failed', run: msg.run, message: errorMessage(err), unreadable: false });
      }
      return;
    }
    case 'rows': {
      const write = runs.get(msg.run);
      if (!write || write.failed) return;
      try {
        write.decoder.push(msg.bytes);
        // Acknowledged in batches: a message per chunk costs more than the chunk's rows.
        write.unacked += msg.bytes.byteLength;
        if (write.unacked >= ACK_BYTES) {
          send({ kind: 'ack', run: msg.run, bytes: write.unacked, rows: write.rows });
          write.unacked = 0;
        }
      } catch (err) {
        await fail(write, err);
      }
      return;
    }
    case 'end': {
      const write = runs.get(msg.run);
      if (!write || write.failed) return;
      try {
        const days = await write.finish(msg.pipelineId);
        runs.delete(msg.run);
        send({ kind: 'written', run: msg.run, days, rows: write.rows });
        await write.close();
      } catch (err) {
        await fail(write, err);
      }
      return;
    }
    case 'drop': {
      const write = runs.get(msg.run);
      if (!write) return;
      runs.delete(msg.run);
      write.failed = true;
      await write.close();
      return;
    }
    case 'close': {
      await Promise.all([...queues.entries()].filter(([key]) => key !== GLOBAL).map(([, queue]) => queue));
      for (const write of runs.values()) await write.close();
      runs.clear();
      instance?.closeSync();
      instance = null;
      send({ kind: 'closed' });
      closeWorkerPort(port);
      return;
    }
  }
}

/**
 * Each run's messages are handled in order (its chunks append as they came),
 * runs independently: one run's Parquet writes do not hold up another's rows.
 */
const GLOBAL = -1;
const queues = new Map<number, Promise<void>>();
port.on('message', (msg: DayWriterRequest) => {
  const key = 'run' in msg ? msg.run : GLOBAL;
  const queue = (queues.get(key) ?? Promise.resolve())
    .then(() => handle(msg))
    .catch((err: unknown) => send({ kind: 'error', message: errorMessage(err) }))
    .finally(() => {
      if (queues.get(key) === queue) queues.delete(key);
    });
  queues.set(key, queue);
});
