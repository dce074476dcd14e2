/**
 * What Ctrl/Cmd+C and the context menu put on the clipboard: TSV that pastes
 * into a spreadsheet cell for cell (values as the grid shows them, NULL as an
 * empty cell), and JSON for a row.
 */
import type { CellValue, ColumnKind } from '../../engine/rows';
import { formatCell } from '../../workbench/format';

/** A TSV field: quoted (with doubled quotes) only when it holds a tab, a new line or a quote. */
export function tsvField(text: string): string {
  return /[\t\n\r"]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export interface CopyColumn {
  name: string;
  kind: ColumnKind;
  timeZone?: string;
}

function cellText(value: CellValue, column: CopyColumn): string {
  return value === null ? '' : formatCell(value, column.kind, column.timeZone);
}

export function rowsToTsv(
  columns: readonly CopyColumn[],
  rows: readonly (readonly CellValue[])[],
  header: boolean,
): string {
  const lines = rows.map((row) => columns.map((c, i) => tsvField(cellText(row[i] ?? null, c))).join('\t'));
  if (header) lines.unshift(columns.map((c) => tsvField(c.name)).join('\t'));
  return lines.join('\n');
}

/** JSON of one row: exact integers stay exact (as numbers when safe, else strings), times as ISO text. */
export function rowToJson(columns: readonly CopyColumn[], row: readonly CellValue[]): string {
  const object: Record<string, unknown> = {};
  columns.forEach((c, i) => {
    const value = row[i] ?? null;
    if (value === null) object[c.name] = null;
    else if (typeof value === 'bigint')
      object[c.name] =
        value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
          ? Number(value)
          : value.toString();
    else if ((c.kind === 'timestamp' || c.kind === 'date') && typeof value === 'number')
      object[c.name] = c.kind === 'date' ? new Date(value).toISOString().slice(0, 10) : new Date(value).toISOString();
    else if (typeof value === 'number' && !Number.isFinite(value)) object[c.name] = String(value);
    else object[c.name] = value;
  });
  return JSON.stringify(object, null, 2);
}
