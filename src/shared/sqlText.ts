/**
 * Reading SQL text without parsing it: where statements start and end, the
 * way DuckDB splits a script on `;` — a `;` inside a string, a quoted
 * identifier, a dollar-quoted string or a comment does not end a statement.
 * Offsets are UTF-16 indexes (as Monaco's model offsets are). The editor runs
 * the statement under the cursor with it; an export wraps exactly one
 * statement in `COPY (…) TO`.
 */

export interface SqlStatement {
  /** Where DuckDB's text of this statement starts: just after the previous `;` (or 0). */
  start: number;
  /** The index of its `;`, or the script's length for a last statement without one. */
  end: number;
  /** The statement itself, without the whitespace and comments around it. */
  codeStart: number;
  codeEnd: number;
}

/** Every statement that holds code (empty ones, e.g. `;;` or a trailing comment, are left out). */
export function splitStatements(sql: string): SqlStatement[] {
  const statements: SqlStatement[] = [];
  let start = 0;
  let codeStart = -1;
  let codeEnd = -1;
  const close = (end: number) => {
    if (codeStart >= 0) statements.push({ start, end, codeStart, codeEnd });
    start = end + 1;
    codeStart = -1;
    codeEnd = -1;
  };
  const code = (from: number, to: number) => {
    if (codeStart < 0) codeStart = from;
    codeEnd = to;
  };
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (c === '-' && next === '-') {
      const nl = sql.indexOf('\n', i);
      i = nl < 0 ? sql.length : nl;
    } else if (c === '/' && next === '*') {
      const endComment = sql.indexOf('*/', i + 2);
      i = endComment < 0 ? sql.length : endComment + 2;
    } else if (c === "'" || c === '"') {
      const to = closingQuote(sql, i, c);
      code(i, to);
      i = to;
    } else if (c === '$' && /^\$[A-Za-z_]*\$/.test(sql.slice(i, i + 64))) {
      const tag = /^\$[A-Za-z_]*\$/.exec(sql.slice(i, i + 64))![0];
      const endTag = sql.indexOf(tag, i + tag.length);
      const to = endTag < 0 ? sql.length : endTag + tag.length;
      code(i, to);
      i = to;
    } else if (c === ';') {
      close(i);
      i++;
    } else {
      if (!/\s/.test(c)) code(i, i + 1);
      i++;
    }
  }
  close(sql.length);
  return statements;
}

/** The index just past the quote that closes the one at `from` (doubled quotes escape). */
function closingQuote(sql: string, from: number, quote: string): number {
  let i = from + 1;
  while (i < sql.length) {
    if (sql[i] === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else i++;
  }
  return sql.length;
}

/**
 * The one statement in `sql`, without the semicolon and the comments around
 * it; null when there is no statement, 'many' when there is more than one.
 */
export function singleStatement(sql: string): string | null | 'many' {
  const statements = splitStatements(sql);
  if (statements.length === 0) return null;
  if (statements.length > 1) return 'many';
  const only = statements[0]!;
  return sql.slice(only.codeStart, only.codeEnd).trim();
}
