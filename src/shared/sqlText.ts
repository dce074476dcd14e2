/**
 * Reading SQL text without parsing it: where statements end, skipping string
 * literals, quoted identifiers and comments. Used to wrap a user's query in
 * `COPY (…) TO`, which takes exactly one statement.
 */

/** Offsets of the semicolons that end statements (outside quotes and comments). */
function statementEnds(sql: string): { ends: number[]; lastCode: number } {
  const ends: number[] = [];
  let lastCode = -1;
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i]!;
    const next = sql[i + 1];
    if (ch === '-' && next === '-') {
      const nl = sql.indexOf('\n', i);
      i = nl < 0 ? sql.length : nl + 1;
    } else if (ch === '/' && next === '*') {
      const close = sql.indexOf('*/', i + 2);
      i = close < 0 ? sql.length : close + 2;
    } else if (ch === "'" || ch === '"') {
      let j = i + 1;
      // A doubled quote is an escaped quote inside the literal or identifier.
      while (j < sql.length && !(sql[j] === ch && sql[j + 1] !== ch)) j += sql[j] === ch ? 2 : 1;
      lastCode = j;
      i = j + 1;
    } else {
      if (ch === ';') ends.push(i);
      else if (!/\s/.test(ch)) lastCode = i;
      i++;
    }
  }
  return { ends, lastCode };
}

/**
 * The one statement in `sql`, without its trailing semicolon and comments;
 * null when there is no statement, 'many' when there is more than one.
 */
export function singleStatement(sql: string): string | null | 'many' {
  const { ends, lastCode } = statementEnds(sql);
  if (lastCode < 0) return null;
  const inside = ends.filter((e) => e < lastCode);
  if (inside.length > 0) {
    // `;;` or a leading `;` only separate empty statements.
    const before = sql.slice(0, inside[inside.length - 1]);
    if (statementEnds(before).lastCode >= 0) return 'many';
  }
  const start = inside.length ? inside[inside.length - 1]! + 1 : 0;
  return sql.slice(start, lastCode + 1).trim();
}
