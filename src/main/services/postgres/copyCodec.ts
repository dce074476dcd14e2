/**
 * The COPY codec: how rows cross between PostgreSQL's COPY and the workbench,
 * in one place — the text format's escapes, written or undone in DuckDB SQL.
 */

/** Text-format COPY needs these escaped; our ids never contain them, but the format is the format. */
export function copyTextSql(column: string): string {
  return `replace(replace(replace(replace(${column}, '\\', '\\\\'), chr(9), '\\t'), chr(10), '\\n'), chr(13), '\\r')`;
}

/** COPY text escapes (backslash, tab, newline, CR) undone; ids almost never have them, so only those that do pay. */
export function unescapeCopyTextSql(column: string): string {
  const undo = `replace(replace(replace(replace(replace(${column}, '\\\\', chr(1)), '\\t', chr(9)), '\\n', chr(10)), '\\r', chr(13)), chr(1), '\\')`;
  return `CASE WHEN contains(${column}, '\\') THEN ${undo} ELSE ${column} END`;
}

/** A DuckDB DOUBLE as a COPY text field: its shortest exact text, or `\N` for null. */
export function copyTextValueSql(column: string): string {
  return `coalesce(${column}::VARCHAR, '\\N')`;
}
