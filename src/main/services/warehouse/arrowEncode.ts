/**
 * Turns native DuckDB result chunks into Arrow IPC streams for the renderer's
 * DuckDB-WASM working set. Native DuckDB here has no Arrow export, so we build
 * the Arrow columns ourselves. Fixed-width columns are copied straight out of
 * DuckDB's vectors (DuckDB and Arrow share the layout of ints, doubles, dates,
 * microsecond timestamps and validity bits); strings are re-encoded; types
 * Arrow-in-WASM cannot take as they are (decimals, huge ints) become doubles,
 * and nested or exotic types travel as text. The DuckDB type name is kept in the
 * result's column list either way.
 */
import {
  Bool,
  DateDay,
  Float64,
  Int32,
  Int64,
  TimestampMicrosecond,
  Utf8,
  makeData,
  type Data,
  type DataType,
  type Schema,
} from 'apache-arrow';
import duckdb from '@duckdb/node-bindings';
import { DuckDBTypeId, type DuckDBDataChunk, type DuckDBType, type DuckDBValue } from '@duckdb/node-api';
import { ipcStream, resultSchema, type ArrowColumnKind } from '../results/arrowColumns';
import type { ColumnInfo } from '../../../shared/api/contract';
import { resultColumnInfo } from '../../../shared/resultColumns';

type Target = ArrowColumnKind;

type TypedArrayCtor =
  | Int8ArrayConstructor
  | Uint8ArrayConstructor
  | Int16ArrayConstructor
  | Uint16ArrayConstructor
  | Int32ArrayConstructor
  | Uint32ArrayConstructor
  | Float32ArrayConstructor
  | Float64ArrayConstructor
  | BigInt64ArrayConstructor;

interface Plan {
  target: Target;
  /** How DuckDB lays the values out, for the columns we copy from raw memory. */
  source: TypedArrayCtor | null;
  /** VARCHAR: copy DuckDB's UTF-8 bytes as they are, without decoding them. */
  varchar?: boolean;
}

function planFor(type: DuckDBType): Plan {
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return { target: 'bool', source: Uint8Array };
    case DuckDBTypeId.TINYINT:
      return { target: 'int32', source: Int8Array };
    case DuckDBTypeId.UTINYINT:
      return { target: 'int32', source: Uint8Array };
    case DuckDBTypeId.SMALLINT:
      return { target: 'int32', source: Int16Array };
    case DuckDBTypeId.USMALLINT:
      return { target: 'int32', source: Uint16Array };
    case DuckDBTypeId.INTEGER:
      return { target: 'int32', source: Int32Array };
    case DuckDBTypeId.UINTEGER:
      return { target: 'int64', source: Uint32Array };
    case DuckDBTypeId.BIGINT:
      return { target: 'int64', source: BigInt64Array };
    case DuckDBTypeId.FLOAT:
      return { target: 'float64', source: Float32Array };
    case DuckDBTypeId.DOUBLE:
      return { target: 'float64', source: Float64Array };
    case DuckDBTypeId.DECIMAL:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.UHUGEINT:
      return { target: 'float64', source: null };
    case DuckDBTypeId.DATE:
      return { target: 'date', source: Int32Array };
    case DuckDBTypeId.TIMESTAMP:
      return { target: 'timestamp', source: BigInt64Array };
    case DuckDBTypeId.TIMESTAMP_TZ:
      return { target: 'timestamptz', source: BigInt64Array };
    case DuckDBTypeId.VARCHAR:
      return { target: 'utf8', source: null, varchar: true };
    default:
      return { target: 'utf8', source: null };
  }
}

/** DuckDB's string_t is 16 bytes: a length, then the bytes inline (<= 12) or a prefix and a pointer. */
const STRING_T_BYTES = 16;
const INLINE_STRING_BYTES = 12;

/**
 * A growable typed array (column bytes, string offsets), kept from one IPC
 * chunk to the next: after the first chunk it never grows again. Its items are
 * handed to the IPC writer as views, which is safe because the writer copies
 * them into its output before `flush` returns and the array is reused.
 */
class Growable<T extends Uint8Array | Int32Array> {
  buf: T;
  length: number;

  /** `first`: items every chunk starts with (the leading 0 of string offsets, left in place). */
  constructor(
    private readonly make: new (size: number) => T,
    private readonly first = 0,
  ) {
    this.buf = new make(1024);
    this.length = first;
  }

  reset(): void {
    this.length = this.first;
  }

  reserve(extra: number): void {
    if (this.length + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + extra) size *= 2;
    const next = new this.make(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  push(item: number): void {
    this.reserve(1);
    this.buf[this.length++] = item;
  }

  view(): T {
    return this.buf.subarray(0, this.length) as T;
  }
}

const encoder = new TextEncoder();

function textOf(value: DuckDBValue): string {
  return typeof value === 'string' ? value : String(value);
}

function doubleOf(value: DuckDBValue): number | null {
  if (value === null) return null;
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'object' && 'toDouble' in value && typeof value.toDouble === 'function') {
    return (value.toDouble as () => number)();
  }
  return Number(String(value));
}

/** One output column: values plus a validity bitmap, for up to one IPC chunk. */
class ColumnBuilder {
  private readonly values = new Growable(Uint8Array);
  /** String offsets; the first is 0. */
  private readonly offsets = new Growable(Int32Array, 1);
  private readonly validity = new Growable(Uint8Array);
  private nulls = 0;
  private rows = 0;
  /** No null so far: the bitmap is not built (Arrow needs none), until the first chunk that has a validity mask. */
  private bitmapBuilt = false;
  private readonly width: number;

  constructor(
    readonly plan: Plan,
    readonly type: DataType,
  ) {
    this.width =
      plan.target === 'int32' || plan.target === 'date' ? 4 : plan.target === 'bool' || plan.target === 'utf8' ? 0 : 8;
  }

  private setValid(row: number, valid: boolean): void {
    const byte = row >> 3;
    if (byte >= this.validity.length) {
      this.validity.reserve(byte + 1 - this.validity.length);
      this.validity.buf.fill(0, this.validity.length, byte + 1);
      this.validity.length = byte + 1;
    }
    if (valid) this.validity.buf[byte]! |= 1 << (row & 7);
    else this.nulls++;
  }

  private setAllValid(start: number, count: number): void {
    const end = start + count;
    const bytes = (end + 7) >> 3;
    if (bytes > this.validity.length) {
      this.validity.reserve(bytes - this.validity.length);
      this.validity.buf.fill(0, this.validity.length, bytes);
      this.validity.length = bytes;
    }
    const buf = this.validity.buf;
    let r = start;
    for (; r < end && (r & 7) !== 0; r++) buf[r >> 3]! |= 1 << (r & 7);
    const whole = end & ~7;
    if (r < whole) {
      buf.fill(0xff, r >> 3, whole >> 3);
      r = whole;
    }
    for (; r < end; r++) buf[r >> 3]! |= 1 << (r & 7);
  }

  /** Empties the column for the next IPC chunk, keeping its buffers. */
  reset(): void {
    this.values.reset();
    this.offsets.reset();
    this.validity.reset();
    this.nulls = 0;
    this.rows = 0;
    this.bitmapBuilt = false;
  }

  append(chunk: DuckDBDataChunk, column: number, from: number, to: number): void {
    const count = to - from;
    const vector = duckdb.data_chunk_get_vector(chunk.chunk, column);
    const validity = duckdb.vector_get_validity(vector, Math.ceil(chunk.rowCount / 64) * 8);
    const isValid = (r: number) => validity === null || ((validity[r >> 3]! >> (r & 7)) & 1) === 1;
    if (validity !== null && !this.bitmapBuilt) {
      // The first chunk that may hold nulls: the rows before it were all valid.
      this.setAllValid(0, this.rows);
      this.bitmapBuilt = true;
    }
    // Most columns have no nulls: their bits are set a byte at a time, once a bitmap is needed at all.
    if (validity === null) {
      if (this.bitmapBuilt) this.setAllValid(this.rows, count);
    } else for (let r = from; r < to; r++) this.setValid(this.rows + r - from, isValid(r));

    const { target, source } = this.plan;
    if (source && target !== 'bool') {
      const raw = duckdb.vector_get_data(vector, chunk.rowCount * source.BYTES_PER_ELEMENT);
      const aligned = raw.byteOffset % source.BYTES_PER_ELEMENT === 0 ? raw : raw.slice();
      const input = new source(aligned.buffer as ArrayBuffer, aligned.byteOffset, chunk.rowCount);
      this.values.reserve(count * this.width);
      const at = this.values.length;
      const out = this.values.buf;
      if (this.width === 4) {
        new Int32Array(out.buffer, at, count).set(input.subarray(from, to) as ArrayLike<number>);
      } else if (input instanceof BigInt64Array) {
        new BigInt64Array(out.buffer, at, count).set(input.subarray(from, to));
      } else if (target === 'int64') {
        const dest = new BigInt64Array(out.buffer, at, count);
        for (let i = 0; i < count; i++) dest[i] = BigInt(input[from + i] as number);
      } else {
        new Float64Array(out.buffer, at, count).set(input.subarray(from, to) as ArrayLike<number>);
      }
      this.values.length += count * this.width;
    } else if (target === 'bool') {
      const raw = duckdb.vector_get_data(vector, chunk.rowCount);
      this.values.reserve(Math.ceil(count / 8) + 1);
      for (let r = from; r < to; r++) {
        const row = this.rows + r - from;
        const byte = row >> 3;
        while (this.values.length <= byte) this.values.buf[this.values.length++] = 0;
        if (raw[r] !== 0) this.values.buf[byte]! |= 1 << (row & 7);
      }
    } else if (target === 'float64') {
      const items = chunk.getColumnVector(column);
      this.values.reserve(count * 8);
      const dest = new Float64Array(this.values.buf.buffer, this.values.length, count);
      for (let r = from; r < to; r++) dest[r - from] = doubleOf(items.getItem(r)) ?? 0;
      this.values.length += count * 8;
    } else if (this.plan.varchar) {
      const raw = duckdb.vector_get_data(vector, chunk.rowCount * STRING_T_BYTES);
      const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
      const values = this.values;
      const offsets = this.offsets;
      offsets.reserve(count);
      // Room for every inline string at once; only long ones check for more.
      values.reserve(count * INLINE_STRING_BYTES);
      let out = values.buf;
      let written = values.length;
      const ends = offsets.buf;
      let o = offsets.length;
      for (let r = from; r < to; r++) {
        if (validity === null || ((validity[r >> 3]! >> (r & 7)) & 1) === 1) {
          const at = r * STRING_T_BYTES;
          const length = view.getUint32(at, true);
          if (length <= INLINE_STRING_BYTES) {
            // Short strings are copied byte by byte: a subarray per row costs more than the copy.
            for (let k = 0, i = at + 4; k < length; k++) out[written + k] = raw[i + k]!;
          } else {
            if (written + length + (to - r) * INLINE_STRING_BYTES > out.length) {
              values.length = written;
              values.reserve(length + (to - r) * INLINE_STRING_BYTES);
              out = values.buf;
            }
            out.set(duckdb.get_data_from_pointer(raw.buffer as ArrayBuffer, raw.byteOffset + at + 8, length), written);
          }
          written += length;
        }
        ends[o++] = written;
      }
      values.length = written;
      offsets.length = o;
    } else {
      const items = chunk.getColumnVector(column);
      for (let r = from; r < to; r++) {
        const value = items.getItem(r);
        if (value !== null) {
          const text = textOf(value);
          this.values.reserve(text.length * 3);
          this.values.length += encoder.encodeInto(text, this.values.buf.subarray(this.values.length)).written;
        }
        this.offsets.push(this.values.length);
      }
    }
    this.rows += count;
  }

  finish(): Data {
    const length = this.rows;
    const nullCount = this.nulls;
    let nullBitmap: Uint8Array | null = null;
    if (nullCount > 0) {
      this.validity.reserve(Math.ceil(length / 8) - this.validity.length + 1);
      while (this.validity.length < Math.ceil(length / 8)) this.validity.buf[this.validity.length++] = 0;
      nullBitmap = this.validity.view();
    }
    const bytes = this.values.view();
    const common = { length, nullCount, nullBitmap };
    switch (this.plan.target) {
      case 'int32':
        return makeData({ type: new Int32(), ...common, data: new Int32Array(bytes.buffer, 0, length) });
      case 'date':
        return makeData({ type: new DateDay(), ...common, data: new Int32Array(bytes.buffer, 0, length) });
      case 'int64':
        return makeData({ type: new Int64(), ...common, data: new BigInt64Array(bytes.buffer, 0, length) });
      case 'float64':
        return makeData({ type: new Float64(), ...common, data: new Float64Array(bytes.buffer, 0, length) });
      case 'timestamp':
      case 'timestamptz':
        return makeData({
          type: this.type as TimestampMicrosecond,
          ...common,
          data: new BigInt64Array(bytes.buffer, 0, length),
        });
      case 'bool':
        return makeData({ type: new Bool(), ...common, data: bytes });
      case 'utf8':
        return makeData({ type: new Utf8(), ...common, valueOffsets: this.offsets.view(), data: bytes });
    }
  }
}

/**
 * Buffers rows from DuckDB chunks and emits self-contained Arrow IPC streams
 * (schema + one record batch).
 */
export class ArrowChunkEncoder {
  /** Each column's name in the engine, DuckDB's spelling of its type, and DuckDB's name where it differs. */
  readonly columns: ColumnInfo[];
  private readonly plans: Plan[];
  private readonly schema: Schema;
  private readonly builders: ColumnBuilder[];
  private buffered = 0;

  constructor(names: readonly string[], types: readonly DuckDBType[]) {
    this.plans = types.map(planFor);
    this.schema = resultSchema(
      names,
      this.plans.map((p) => p.target),
    );
    // The names the engine will know the columns by (resultColumnNames), with DuckDB's own where they differ.
    this.columns = resultColumnInfo(
      names,
      types.map((t) => t.toString()),
    );
    this.builders = this.schema.fields.map((field, i) => new ColumnBuilder(this.plans[i]!, field.type));
  }

  get bufferedRows(): number {
    return this.buffered;
  }

  /** Buffers rows [from, to) of a DuckDB chunk. */
  append(chunk: DuckDBDataChunk, from = 0, to = chunk.rowCount): void {
    this.builders.forEach((builder, column) => builder.append(chunk, column, from, to));
    this.buffered += to - from;
  }

  /** Emits everything buffered as one IPC stream (an empty batch when nothing is). */
  flush(): Uint8Array {
    const bytes = ipcStream(
      this.schema,
      this.builders.map((builder) => builder.finish()),
      this.buffered,
    );
    for (const builder of this.builders) builder.reset();
    this.buffered = 0;
    return bytes;
  }
}
