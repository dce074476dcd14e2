/**
 * Turns native DuckDB result chunks into Arrow IPC streams for the renderer's
 * DuckDB-WASM working set. Native DuckDB here has no Arrow export, so we build
 * the Arrow columns ourselves: exact for numbers, strings, booleans, dates and
 * microsecond timestamps; other types travel as text (their DuckDB type name is
 * kept in the result's column list).
 */
import {
  Bool,
  DateDay,
  Field,
  Float64,
  Int32,
  Int64,
  RecordBatch,
  RecordBatchStreamWriter,
  Schema,
  Struct,
  TimestampMicrosecond,
  Utf8,
  makeData,
  vectorFromArray,
  type Data,
  type DataType,
} from 'apache-arrow';
import {
  DuckDBTypeId,
  type DuckDBDataChunk,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';

type Kind = 'bool' | 'int32' | 'int64' | 'float64' | 'date' | 'timestamp' | 'timestamptz' | 'utf8';

function kindOf(type: DuckDBType): Kind {
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return 'bool';
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
      return 'int32';
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UINTEGER:
      return 'int64';
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.DOUBLE:
    case DuckDBTypeId.DECIMAL:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.UHUGEINT:
      return 'float64';
    case DuckDBTypeId.DATE:
      return 'date';
    case DuckDBTypeId.TIMESTAMP:
      return 'timestamp';
    case DuckDBTypeId.TIMESTAMP_TZ:
      return 'timestamptz';
    default:
      return 'utf8';
  }
}

function arrowType(kind: Kind): DataType {
  switch (kind) {
    case 'bool':
      return new Bool();
    case 'int32':
      return new Int32();
    case 'int64':
      return new Int64();
    case 'float64':
      return new Float64();
    case 'date':
      return new DateDay();
    case 'timestamp':
      return new TimestampMicrosecond();
    case 'timestamptz':
      return new TimestampMicrosecond('UTC');
    case 'utf8':
      return new Utf8();
  }
}

const MS_PER_DAY = 86_400_000;

/** Normalises one DuckDB value to what the Arrow column of `kind` stores. */
function normalise(kind: Kind, value: DuckDBValue): unknown {
  if (value === null) return null;
  switch (kind) {
    case 'bool':
      return Boolean(value);
    case 'int32':
      return Number(value);
    case 'int64':
      return typeof value === 'bigint' ? value : BigInt(value as number);
    case 'float64':
      if (typeof value === 'number') return value;
      if (typeof value === 'bigint') return Number(value);
      if (typeof value === 'object' && 'toDouble' in value && typeof value.toDouble === 'function') {
        return (value.toDouble as () => number)();
      }
      return Number(String(value));
    case 'date':
      // Arrow's DateDay builder takes epoch milliseconds.
      return typeof value === 'object' && 'days' in value ? Number(value.days) * MS_PER_DAY : null;
    case 'timestamp':
    case 'timestamptz':
      return typeof value === 'object' && 'micros' in value ? (value.micros as bigint) : null;
    case 'utf8':
      return typeof value === 'string' ? value : String(value);
  }
}

function buildTimestampData(type: TimestampMicrosecond, values: readonly unknown[]): Data {
  const length = values.length;
  const micros = new BigInt64Array(length);
  const validity = new Uint8Array(Math.ceil(length / 8));
  let nullCount = 0;
  for (let i = 0; i < length; i++) {
    const v = values[i];
    if (typeof v === 'bigint') {
      micros[i] = v;
      validity[i >> 3]! |= 1 << (i & 7);
    } else {
      nullCount++;
    }
  }
  return makeData({ type, length, nullCount, nullBitmap: nullCount > 0 ? validity : null, data: micros });
}

export interface EncodedColumn {
  name: string;
  /** DuckDB's own spelling of the type, for display. */
  type: string;
}

/**
 * Buffers rows from DuckDB chunks and emits self-contained Arrow IPC streams
 * (schema + one record batch) of at most `rowsPerChunk` rows.
 */
export class ArrowChunkEncoder {
  readonly columns: EncodedColumn[];
  private readonly kinds: Kind[];
  private readonly schema: Schema;
  private buffers: unknown[][];
  private buffered = 0;

  constructor(names: readonly string[], types: readonly DuckDBType[]) {
    this.kinds = types.map(kindOf);
    this.columns = names.map((name, i) => ({ name, type: types[i]!.toString() }));
    this.schema = new Schema(names.map((name, i) => new Field(name, arrowType(this.kinds[i]!), true)));
    this.buffers = names.map(() => []);
  }

  get bufferedRows(): number {
    return this.buffered;
  }

  /** Buffers rows [from, to) of a DuckDB chunk. */
  append(chunk: DuckDBDataChunk, from = 0, to = chunk.rowCount): void {
    for (let c = 0; c < this.kinds.length; c++) {
      const kind = this.kinds[c]!;
      const vector = chunk.getColumnVector(c);
      const out = this.buffers[c]!;
      for (let r = from; r < to; r++) out.push(normalise(kind, vector.getItem(r)));
    }
    this.buffered += to - from;
  }

  /** Emits everything buffered as one IPC stream (an empty batch when nothing is). */
  flush(): Uint8Array {
    const length = this.buffered;
    const children = this.schema.fields.map((field, i) => {
      const values = this.buffers[i]!;
      if (field.type instanceof TimestampMicrosecond) return buildTimestampData(field.type, values);
      return vectorFromArray(values, field.type).data[0]!;
    });
    const data = makeData({ type: new Struct(this.schema.fields), length, nullCount: 0, children });
    const batch = new RecordBatch(this.schema, data);
    this.buffers = this.schema.fields.map(() => []);
    this.buffered = 0;
    return RecordBatchStreamWriter.writeAll([batch]).toUint8Array(true);
  }
}
