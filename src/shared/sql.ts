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

/**
 * `name` unquoted when it reads the same that way (lower case, not one of the
 * engine's `reserved` words), else quoted: `bronze.meter_readings`.
 */
export function readableName(name: string, reserved: ReadonlySet<string>): string {
  return PLAIN.test(name) && !reserved.has(name) ? name : quoteIdent(name);
}

// DuckDB's reserved words: a table called `order` must still be quoted.
const DUCKDB_RESERVED = new Set(
  (
    'all analyse analyze and any array as asc asymmetric both case cast check collate column constraint create ' +
    'default deferrable desc describe distinct do else end except false fetch for foreign from grant group having ' +
    'in initially intersect into lateral leading limit not null offset on only or order pivot pivot_longer ' +
    'pivot_wider placing primary qualify references returning select show some summarize symmetric table then to ' +
    'trailing true union unique unpivot using variadic when where window with'
  ).split(' '),
);

/** A name for DuckDB SQL, quoted only when it must be. */
export function sqlName(name: string): string {
  return readableName(name, DUCKDB_RESERVED);
}

export function relationName(schema: string, name: string): string {
  // `main` is DuckDB's default schema: no need to spell it.
  return schema === 'main' ? sqlName(name) : `${sqlName(schema)}.${sqlName(name)}`;
}

export function selectFromRelation(schema: string, name: string, limit = 100): string {
  return `SELECT * FROM ${relationName(schema, name)} LIMIT ${limit};\n`;
}
