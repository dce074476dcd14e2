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

/**
 * The names a result's columns get in Arrow and in the interactive engine, where
 * the grid's SQL finds them. DuckDB's names ignore (ASCII) case, and DuckDB-WASM renames
 * a clash on its own (`A` beside `a` becomes `A_1`) while the grid would still ask
 * for `A`; a column called `rowid` would hide the row id the grid pages by. So
 * a name taken already (in any case), and `rowid`, get the first free `name_N`.
 */
export function resultColumnNames(names: readonly string[]): string[] {
  const taken = new Set<string>(['rowid']);
  return names.map((name) => {
    let free = name;
    for (let n = 1; taken.has(foldCase(free)); n++) free = `${name}_${n}`;
    taken.add(foldCase(free));
    return free;
  });
}

/** DuckDB folds only ASCII letters when it compares names: `Ä` and `ä` are two columns to it. */
function foldCase(name: string): string {
  return name.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}

/** The schema of a result: one nullable field per column, named by `resultColumnNames`. */
export function resultSchema(names: readonly string[], kinds: readonly ArrowColumnKind[]): Schema {
  return new Schema(resultColumnNames(names).map((name, i) => new Field(name, arrowTypeOf(kinds[i]!), true)));
}

/** One self-contained Arrow IPC stream (schema + one record batch) of `columns`, `length` rows each. */
export function ipcStream(schema: Schema, columns: Data[], length: number): Uint8Array {
  const data = makeData({ type: new Struct(schema.fields), length, nullCount: 0, children: columns });
  return RecordBatchStreamWriter.writeAll([new RecordBatch(schema, data)]).toUint8Array(true);
}
