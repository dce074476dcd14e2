/**
 * The Arrow column types results are encoded as, whichever engine produced
 * them: the grid and DuckDB-WASM understand exactly these.
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
  type Data,
  type DataType,
} from 'apache-arrow';
import { resultColumnNames } from '../../../shared/resultColumns';

export type ArrowColumnKind = 'bool' | 'int32' | 'int64' | 'float64' | 'date' | 'timestamp' | 'timestamptz' | 'utf8';

function arrowTypeOf(kind: ArrowColumnKind): DataType {
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

/** The schema of a result: one nullable field per column, named by `resultColumnNames` (shared/resultColumns). */
export function resultSchema(names: readonly string[], kinds: readonly ArrowColumnKind[]): Schema {
  return new Schema(resultColumnNames(names).map((name, i) => new Field(name, arrowTypeOf(kinds[i]!), true)));
}

/** One self-contained Arrow IPC stream (schema + one record batch) of `columns`, `length` rows each. */
export function ipcStream(schema: Schema, columns: Data[], length: number): Uint8Array {
  const data = makeData({ type: new Struct(schema.fields), length, nullCount: 0, children: columns });
  return RecordBatchStreamWriter.writeAll([new RecordBatch(schema, data)]).toUint8Array(true);
}
