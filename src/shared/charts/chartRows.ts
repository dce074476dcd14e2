/**
 * A chart query's answer (src/shared/charts' SQL, on either engine) as the rows
 * chartData reads: the warehouse's Arrow chunks, or DuckDB-WASM's Arrow table.
 */
import { DataType, tableFromIPC, type Table, type Vector } from 'apache-arrow';

/**
 * A text column's values. Chart rows come ordered by series, so a key repeats
 * row after row: its bytes are decoded once per run, not once per row.
 */
function textValues(vector: Vector): unknown[] {
  if (vector.nullCount > 0) return Array.from({ length: vector.length }, (_, r) => vector.get(r) as unknown);
  const out: string[] = [];
  const decoder = new TextDecoder();
  for (const data of vector.data) {
    const offsets = data.valueOffsets as Int32Array;
    const bytes = data.values as Uint8Array;
    let previous: Uint8Array | null = null;
    let text = '';
    for (let r = 0; r < data.length; r++) {
      const value = bytes.subarray(offsets[r]!, offsets[r + 1]!);
      if (!previous || !sameBytes(previous, value)) text = decoder.decode(value);
      previous = value;
      out.push(text);
    }
  }
  return out;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * A chart query's Arrow table as rows, appended to `rows`. Chart SQL answers text
 * keys and DOUBLE numbers; numbers are read straight from their buffers, a 64-bit
 * integer becomes a plain number, a null stays null.
 */
export function chartTableRows(table: Table, rows: Record<string, unknown>[] = []): Record<string, unknown>[] {
  const columns = table.schema.fields.map((field, i) => {
    const vector = table.getChildAt(i)!;
    let values: ArrayLike<unknown>;
    // A buffer holds no nulls: only a column without any is read from it.
    if (DataType.isFloat(field.type) && vector.nullCount === 0) values = vector.toArray() as Float64Array;
    else if (DataType.isUtf8(field.type)) values = textValues(vector);
    else
      values = Array.from({ length: vector.length }, (_, r) => {
        const value: unknown = vector.get(r);
        return typeof value === 'bigint' ? Number(value) : value;
      });
    return { name: field.name, values };
  });
  for (let r = 0; r < table.numRows; r++) {
    const row: Record<string, unknown> = {};
    for (const column of columns) row[column.name] = column.values[r];
    rows.push(row);
  }
  return rows;
}

/** chartTableRows of every chunk (Arrow IPC streams, as the warehouse gives them), in order. */
export function chartRows(chunks: readonly Uint8Array[]): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  for (const bytes of chunks) chartTableRows(tableFromIPC(bytes), rows);
  return rows;
}
