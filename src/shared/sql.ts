/**
 * Quoting for SQL text we build ourselves (DuckDB and PostgreSQL agree on both
 * rules). Every identifier or literal that did not come from our own code goes
 * through one of these.
 */
export function quoteIdent(name: string): string {
  if (name.includes('\0')) throw new Error('An identifier cannot contain a NUL character');
  return `"${name.replaceAll('"', '""')}"`;
}

export function quoteLiteral(value: string): string {
  if (value.includes('\0')) throw new Error('A string literal cannot contain a NUL character');
  return `'${value.replaceAll("'", "''")}'`;
}
