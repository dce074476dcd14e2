/**
 * Where in the SQL a DuckDB error points, so the editor can underline it.
 *
 * DuckDB ends most errors with the line and a caret:
 *
 *     Binder Error: Referenced column "valu" not found in FROM clause!
 *
 *     LINE 1: SELECT valu FROM metrics
 *                    ^
 *
 * The context is cut to ~80 characters around the caret (`...` at a cut), and
 * in a script of several statements DuckDB prints the line from the failing
 * statement's own text while the caret counts from the script's start. So the
 * shown snippet is located in each statement's text and the caret taken from
 * there; errors without a caret ("at or near", "at end of input", a quoted
 * name) fall back to finding the token they name.
 */
import { splitStatements } from '../../../shared/sqlText';

export interface ErrorRange {
  /** Offsets into the SQL that was run (UTF-16, like Monaco's model offsets). */
  start: number;
  end: number;
}

const CONTEXT = /\nLINE (\d+): (.*)\n( *)\^/;

export function errorRange(sql: string, message: string): ErrorRange | null {
  const at = caretOffset(sql, message) ?? namedTokenOffset(sql, message);
  if (at === null) return null;
  return { start: at, end: tokenEnd(sql, at) };
}

function caretOffset(sql: string, message: string): number | null {
  const match = CONTEXT.exec(message);
  if (!match) return null;
  const line = Number(match[1]);
  let shown = match[2]!;
  let caret = match[3]!.length - `LINE ${match[1]}: `.length;
  if (shown.startsWith('...')) {
    shown = shown.slice(3);
    caret -= 3;
  }
  if (shown.endsWith('...')) shown = shown.slice(0, -3);
  const probe = shown.slice(0, 40);
  if (caret < 0 || probe.trim() === '') return null;
  const statements = splitStatements(sql);
  // The whole text too, for a statement our splitter sees differently.
  const texts = [...statements.map((s) => ({ from: s.start, to: s.end })), { from: 0, to: sql.length }];
  for (const { from, to } of texts) {
    const text = sql.slice(from, to);
    const lineStart = nthLineStart(text, line);
    if (lineStart === null) continue;
    const lineEnd = text.indexOf('\n', lineStart);
    const found = text.indexOf(probe, lineStart);
    if (found < 0 || (lineEnd >= 0 && found > lineEnd)) continue;
    const offset = found + caret;
    if (offset >= from && offset <= to && offset <= sql.length) return Math.min(offset, Math.max(0, sql.length - 1));
  }
  return null;
}

function nthLineStart(text: string, line: number): number | null {
  let at = 0;
  for (let n = 1; n < line; n++) {
    const nl = text.indexOf('\n', at);
    if (nl < 0) return null;
    at = nl + 1;
  }
  return at;
}

/** For errors without a caret: the token the message names, or the end of the input. */
function namedTokenOffset(sql: string, message: string): number | null {
  if (/at end of input/i.test(message)) {
    const statements = splitStatements(sql);
    const last = statements[statements.length - 1];
    if (!last) return null;
    // Underline the last word of the statement that ran out.
    let i = last.codeEnd - 1;
    while (i > last.codeStart && /[\w"]/.test(sql[i - 1]!) && /[\w"]/.test(sql[i]!)) i--;
    return i;
  }
  const named = /at or near "([^"]+)"/i.exec(message) ?? /"([^"\n]+)"/.exec(message);
  if (!named) return null;
  return findToken(sql, named[1]!);
}

/** The first place `token` stands as a whole word (case-insensitive), outside strings and comments would be nicer but rarely matters. */
function findToken(sql: string, token: string): number | null {
  const escaped = token.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const word = /^\w/.test(token) ? `(?<![\\w"])${escaped}(?![\\w"])` : escaped;
  const found = new RegExp(word, 'i').exec(sql);
  return found ? found.index : null;
}

/** The end of the token at `at`: a (qualified, maybe quoted) name, a string, or one character. */
function tokenEnd(sql: string, at: number): number {
  const name = /^(?:"(?:[^"]|"")*"|[A-Za-z_][\w$]*)(?:\s*\.\s*(?:"(?:[^"]|"")*"|[A-Za-z_][\w$]*|\*))*/.exec(
    sql.slice(at, at + 512),
  );
  if (name && name[0].length > 0) return at + name[0].length;
  const literal = /^'(?:[^']|'')*'?/.exec(sql.slice(at, at + 512));
  if (literal && literal[0].length > 0) return at + literal[0].length;
  const number = /^\d+(?:\.\d+)?/.exec(sql.slice(at, at + 64));
  if (number) return at + number[0].length;
  return Math.min(sql.length, at + 1);
}
