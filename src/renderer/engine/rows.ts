/**
 * Arrow record batches → plain rows for the grid. Values stay faithful to
 * their type: 64-bit integers stay BigInt (no silent rounding), timestamps and
 * dates become epoch milliseconds, and the column's `kind` says how to show them.
 */
import { MessageReader, Type, type DataType, type Table } from 'apache-arrow';
import type { ColumnKind } from '../../shared/gridView';

export type { ColumnKind };

export type CellValue = null | boolean | number | bigint | string;

export interface EngineColumn {
  name: string;
  kind: ColumnKind;
}

export interface EngineRows {
  columns: EngineColumn[];
  /** One array per row, in column order. */
  rows: CellValue[][];
}

export function columnKind(type: DataType): ColumnKind {
  switch (type.typeId) {
    case Type.Int:
    case Type.Int8:
    case Type.Int16:
    case Type.Int32:
    case Type.Int64:
    case Type.Uint8:
    case Type.Uint16:
    case Type.Uint32:
    case Type.Uint64:
      return 'integer';
    case Type.Float:
    case Type.Float16:
    case Type.Float32:
    case Type.Float64:
    case Type.Decimal:
      return 'float';
    case Type.Timestamp:
    case Type.TimestampSecond:
    case Type.TimestampMillisecond:
    case Type.TimestampMicrosecond:
    case Type.TimestampNanosecond:
      return 'timestamp';
    case Type.Date:
    case Type.DateDay:
    case Type.DateMillisecond:
      return 'date';
    case Type.Bool:
      return 'boolean';
    case Type.Utf8:
    case Type.LargeUtf8:
      return 'text';
    default:
      return 'other';
  }
}

function jsonText(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ?? String(value);
}

function toCell(kind: ColumnKind, value: unknown): CellValue {
  if (value === null || value === undefined) return null;
  switch (kind) {
    case 'integer':
      return typeof value === 'bigint' || typeof value === 'number' ? value : Number(value);
    case 'float':
      return typeof value === 'number' ? value : Number(value);
    case 'timestamp':
    case 'date':
      if (value instanceof Date) return value.getTime();
      return typeof value === 'bigint' ? Number(value) : (value as number);
    case 'boolean':
      return Boolean(value);
    case 'text':
      return String(value);
    case 'other':
      if (typeof value === 'object' && value !== null && 'toJSON' in value && typeof value.toJSON === 'function') {
        return jsonText((value.toJSON as () => unknown)());
      }
      return typeof value === 'string' ? value : jsonText(value);
  }
}

export function tableToRows(table: Table): EngineRows {
  const fields = table.schema.fields;
  const columns = fields.map((f) => ({ name: f.name, kind: columnKind(f.type) }));
  const rows: CellValue[][] = Array.from({ length: table.numRows }, () => new Array<CellValue>(fields.length));
  // Column by column: one vector lookup per column instead of per cell.
  for (let c = 0; c < fields.length; c++) {
    const vector = table.getChildAt(c);
    const kind = columns[c]!.kind;
    for (let r = 0; r < table.numRows; r++) rows[r]![c] = toCell(kind, vector?.get(r));
  }
  return { columns, rows };
}

/** The rows of an Arrow IPC stream, from its record batches' headers (no column is decoded). */
export function ipcRowCount(bytes: Uint8Array): number {
  const reader = new MessageReader(bytes);
  let rows = 0;
  for (let message = reader.readMessage(); message !== null; message = reader.readMessage()) {
    if (message.isRecordBatch()) rows += message.header().length;
    reader.readMessageBody(message.bodyLength);
  }
  return rows;
}
