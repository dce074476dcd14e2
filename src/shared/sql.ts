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

// ---- readable names: quote only what needs it (the catalog's and the lake's generated SQL)

const PLAIN = /^[a-z_][a-z0-9_]*$/;

// DuckDB's reserved words: a table called `order` must still be quoted.
const RESERVED = new Set(
  (
    'all analyse analyze and any array as asc asymmetric both case cast check collate column constraint create ' +
    'default deferrable desc describe distinct do else end except false fetch for foreign from grant group having ' +
    'in initially intersect into lateral leading limit not null offset on only or order pivot pivot_longer ' +
    'pivot_wider placing primary qualify references returning select show some summarize symmetric table then to ' +
    'trailing true union unique unpivot using variadic when where window with'
  ).split(' '),
);

/** Quotes only what needs it, so the SQL stays readable: `bronze.meter_readings`. */
export function sqlName(name: string): string {
  return PLAIN.test(name) && !RESERVED.has(name) ? name : quoteIdent(name);
}

export function relationName(schema: string, name: string): string {
  // `main` is DuckDB's default schema: no need to spell it.
  return schema === 'main' ? sqlName(name) : `${sqlName(schema)}.${sqlName(name)}`;
}

export function selectFromRelation(schema: string, name: string, limit = 100): string {
  return `SELECT * FROM ${relationName(schema, name)} LIMIT ${limit};\n`;
}
