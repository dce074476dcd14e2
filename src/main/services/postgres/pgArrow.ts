/**
 * PostgreSQL rows (as the server's text output) to Arrow IPC chunks, the same
 * shape the warehouse hands the renderer: ints, doubles, dates, microsecond
 * timestamps (UTC) and booleans keep their type; numeric becomes a double (as
 * DuckDB decimals do in arrowEncode.ts); everything else travels as text.
 * Values arrive as text because pg's own parsers would read `timestamp` in the
 * local time zone, `int8` as a string and lose microseconds.
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
import { ipcStream, resultSchema, type ArrowColumnKind } from '../results/arrowColumns';
import type { ColumnInfo } from '../../../shared/api/contract';
import { resultColumnInfo } from '../../../shared/resultColumns';

type Kind = ArrowColumnKind;

/** PostgreSQL type OIDs (pg_type.oid, stable across versions). */
const KIND_BY_OID: Record<number, Kind> = {
  16: 'bool',
  20: 'int64',
  21: 'int32',
  23: 'int32',
  26: 'int64', // oid
  700: 'float64',
  701: 'float64',
  1700: 'float64', // numeric
  1082: 'date',
  1114: 'timestamp',
  1184: 'timestamptz',
};

export function kindOfOid(oid: number): Kind {
  return KIND_BY_OID[oid] ?? 'utf8';
}

const TIMESTAMP =
  /^(\d{4,})-(\d\d)-(\d\d)(?:[ T](\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?)?(?:([+-])(\d\d)(?::?(\d\d)(?::?(\d\d))?)?)?( BC)?$/;

/**
 * Microseconds since the epoch of PostgreSQL's ISO output (`2026-01-02 03:04:05.123456+00`,
 * any offset, years past 9999 and BC too); null for `infinity` and anything unreadable.
 */
export function parsePgTimestampMicros(text: string): bigint | null {
  // The common case, `YYYY-MM-DD HH:MM:SS[.f…][+00]` (years 1000–9999, UTC), without a regex or Date.
  const fast = fastUtcMicros(text);
  if (fast !== null) return fast;
  const m = TIMESTAMP.exec(text);
  if (!m) return null;
  let year = Number(m[1]);
  if (m[12]) year = 1 - year; // 1 BC is year 0
  const date = new Date(Date.UTC(2000, Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0)));
  date.setUTCFullYear(year); // Date.UTC would read years 0–99 as 1900–1999
  let seconds = date.getTime() / 1000 + Number(m[6] ?? 0);
  if (m[8]) {
    const offset = Number(m[9]) * 3600 + Number(m[10] ?? 0) * 60 + Number(m[11] ?? 0);
    seconds -= m[8] === '+' ? offset : -offset;
  }
  const fraction = m[7] ? Number(m[7].padEnd(6, '0')) : 0;
  return BigInt(Math.round(seconds)) * 1_000_000n + BigInt(fraction);
}

const DIGIT0 = 48;

function digits(text: string, from: number, count: number): number {
  let n = 0;
  for (let i = from; i < from + count; i++) {
    const d = text.charCodeAt(i) - DIGIT0;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

function fastUtcMicros(text: string): bigint | null {
  const n = text.length;
  if (n < 19 || text[4] !== '-' || text[7] !== '-' || text[10] !== ' ' || text[13] !== ':' || text[16] !== ':') {
    return null;
  }
  let end = n;
  if (text.endsWith('+00')) end = n - 3;
  else if (/[+-]/.test(text.slice(19))) return null; // another offset: the general path
  let fraction = 0;
  if (end > 19) {
    if (text[19] !== '.' || end - 20 > 6 || end - 20 < 1) return null;
    fraction = digits(text, 20, end - 20);
    if (fraction < 0) return null;
    fraction *= 10 ** (6 - (end - 20));
  }
  const year = digits(text, 0, 4);
  const fields = [
    digits(text, 5, 2),
    digits(text, 8, 2),
    digits(text, 11, 2),
    digits(text, 14, 2),
    digits(text, 17, 2),
  ];
  if (year < 1000 || fields.some((f) => f < 0)) return null;
  const ms = Date.UTC(year, fields[0]! - 1, fields[1]!, fields[2]!, fields[3]!, fields[4]!);
  return BigInt(ms) * 1000n + BigInt(fraction);
}

function parseDateDays(text: string): number | null {
  const micros = parsePgTimestampMicros(text);
  return micros === null ? null : Number(micros / 86_400_000_000n);
}

type Value = boolean | number | bigint | string | null;

function parse(kind: Kind, text: string): Value {
  switch (kind) {
    case 'bool':
      return text === 't';
    case 'int32':
      return Number(text);
    case 'int64':
      return BigInt(text);
    case 'float64':
      return Number(text);
    case 'date':
      return parseDateDays(text);
    case 'timestamp':
    case 'timestamptz':
      return parsePgTimestampMicros(text);
    case 'utf8':
      return text;
  }
}

function columnData(kind: Kind, type: DataType, values: Value[]): Data {
  const length = values.length;
  const bitmap = new Uint8Array(Math.ceil(length / 8));
  let nullCount = 0;
  values.forEach((v, i) => {
    if (v === null) nullCount++;
    else bitmap[i >> 3]! |= 1 << (i & 7);
  });
  const common = { length, nullCount, nullBitmap: nullCount > 0 ? bitmap : null };
  switch (kind) {
    case 'bool': {
      const data = new Uint8Array(Math.ceil(length / 8));
      values.forEach((v, i) => {
        if (v === true) data[i >> 3]! |= 1 << (i & 7);
      });
      return makeData({ type: new Bool(), ...common, data });
    }
    case 'int32':
      return makeData({
        type: new Int32(),
        ...common,
        data: Int32Array.from(values, (v) => (typeof v === 'number' ? v : 0)),
      });
    case 'date':
      return makeData({
        type: new DateDay(),
        ...common,
        data: Int32Array.from(values, (v) => (typeof v === 'number' ? v : 0)),
      });
    case 'int64':
      return makeData({
        type: new Int64(),
        ...common,
        data: BigInt64Array.from(values, (v) => (typeof v === 'bigint' ? v : 0n)),
      });
    case 'float64':
      return makeData({
        type: new Float64(),
        ...common,
        data: Float64Array.from(values, (v) => (typeof v === 'number' ? v : 0)),
      });
    case 'timestamp':
    case 'timestamptz':
      return makeData({
        type: type as TimestampMicrosecond,
        ...common,
        data: BigInt64Array.from(values, (v) => (typeof v === 'bigint' ? v : 0n)),
      });
    case 'utf8': {
      // One buffer written in place: per-value encodes were most of the time, mostly in GC.
      const offsets = new Int32Array(length + 1);
      let total = 0;
      values.forEach((v, i) => {
        if (typeof v === 'string') total += Buffer.byteLength(v, 'utf8');
        offsets[i + 1] = total;
      });
      const data = Buffer.allocUnsafe(total);
      values.forEach((v, i) => {
        if (typeof v === 'string') data.write(v, offsets[i]!, 'utf8');
      });
      return makeData({
        type: new Utf8(),
        ...common,
        valueOffsets: offsets,
        data: new Uint8Array(data.buffer, data.byteOffset, total),
      });
    }
  }
}

/** Buffers text rows and emits self-contained Arrow IPC streams (schema + one batch). */
export class PgArrowEncoder {
  private readonly kinds: Kind[];
  private readonly queryNames: string[];
  private readonly schema: Schema;
  private columns: Value[][];
  private rows = 0;

  constructor(fields: readonly { name: string; dataTypeID: number }[]) {
    this.kinds = fields.map((f) => kindOfOid(f.dataTypeID));
    this.queryNames = fields.map((f) => f.name);
    // `?column?` twice becomes `?column?` and `?column?_1` (resultColumnNames).
    this.schema = resultSchema(this.queryNames, this.kinds);
    this.columns = this.kinds.map(() => []);
  }

  get names(): string[] {
    return this.schema.fields.map((f) => f.name);
  }

  /** The columns as the API describes them, given PostgreSQL's spelling of each type. */
  columnInfo(types: readonly string[]): ColumnInfo[] {
    return resultColumnInfo(this.queryNames, types);
  }

  get bufferedRows(): number {
    return this.rows;
  }

  append(row: readonly (string | null)[]): void {
    this.kinds.forEach((kind, i) => {
      const text = row[i] ?? null;
      this.columns[i]!.push(text === null ? null : parse(kind, text));
    });
    this.rows++;
  }

  flush(): Uint8Array {
    const children = this.kinds.map((kind, i) => columnData(kind, this.schema.fields[i]!.type, this.columns[i]!));
    const bytes = ipcStream(this.schema, children, this.rows);
    this.columns = this.kinds.map(() => []);
    this.rows = 0;
    return bytes;
  }
}
