/**
 * The formula tokenizer. It never throws: anything it cannot read becomes an
 * `error` token carrying the message, so the parser can keep going and the
 * editor can still highlight the rest.
 */
import type { TextRange } from './types';

export type TokenKind =
  'number' | 'string' | 'duration' | 'identifier' | 'function' | 'keyword' | 'operator' | 'paren' | 'comma' | 'error';

export interface Token {
  kind: TokenKind;
  range: TextRange;
  /** The token as written (for strings: the decoded value; for numbers and durations: the number). */
  text: string;
  value?: number;
  /** Durations in microseconds. */
  micros?: number;
  message?: string;
}

export const KEYWORDS = new Set(['and', 'or', 'not', 'in', 'between', 'is', 'null', 'true', 'false']);

export const DURATION_UNITS: Readonly<Record<string, number>> = {
  s: 1_000_000,
  m: 60_000_000,
  h: 3_600_000_000,
  d: 86_400_000_000,
  w: 604_800_000_000,
};

const OPERATORS = ['<=', '>=', '<>', '!=', '==', '+', '-', '*', '/', '%', '^', '=', '<', '>'];

const isDigit = (c: string): boolean => c >= '0' && c <= '9';
const isIdentStart = (c: string): boolean => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_';
const isIdentPart = (c: string): boolean => isIdentStart(c) || isDigit(c);
/** Letters and digits outside ASCII: likely a look-alike of a Latin letter in a name. */
const isWordLike = (c: string): boolean => /[\p{L}\p{N}\p{M}]/u.test(c);

function codePointLabel(ch: string): string {
  return `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

export function lex(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = text.length;
  // Whole characters (astral look-alikes such as 𝐯 are two UTF-16 units).
  const charAt = (k: number): string => (k < n ? String.fromCodePoint(text.codePointAt(k)!) : '');
  while (i < n) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    const start = i;
    if (isDigit(c) || (c === '.' && isDigit(text[i + 1] ?? ''))) {
      while (i < n && isDigit(text[i]!)) i++;
      if (text[i] === '.') {
        i++;
        while (i < n && isDigit(text[i]!)) i++;
      }
      if (
        (text[i] === 'e' || text[i] === 'E') &&
        (isDigit(text[i + 1] ?? '') || (/[+-]/.test(text[i + 1] ?? '') && isDigit(text[i + 2] ?? '')))
      ) {
        i += 2;
        while (i < n && isDigit(text[i]!)) i++;
      }
      const numText = text.slice(start, i);
      const value = Number(numText);
      if (i < n && (isIdentPart(text[i]!) || isWordLike(charAt(i)))) {
        let j = i;
        while (j < n && (isIdentPart(text[j]!) || isWordLike(charAt(j)))) j += charAt(j).length;
        const unit = text.slice(i, j);
        const factor = DURATION_UNITS[unit];
        if (factor !== undefined) {
          tokens.push({
            kind: 'duration',
            range: { start, end: j },
            text: text.slice(start, j),
            value,
            micros: Math.round(value * factor),
          });
        } else {
          tokens.push({
            kind: 'error',
            range: { start, end: j },
            text: text.slice(start, j),
            message: `\`${text.slice(start, j)}\` is not a number or a duration; durations are a number and one of s, m, h, d, w (like 15m or 1h)`,
          });
        }
        i = j;
        continue;
      }
      tokens.push({ kind: 'number', range: { start, end: i }, text: numText, value });
      continue;
    }
    if (c === "'" || c === '"') {
      // Strings are quoted with ' or "; the quote is written twice to include it.
      let value = '';
      i++;
      let closed = false;
      while (i < n) {
        const ch = text[i]!;
        if (ch === c) {
          if (text[i + 1] === c) {
            value += c;
            i += 2;
            continue;
          }
          i++;
          closed = true;
          break;
        }
        value += ch;
        i++;
      }
      if (!closed) {
        tokens.push({
          kind: 'error',
          range: { start, end: i },
          text: value,
          message: `This text value has no closing ${c}; add ${c} where the text ends`,
        });
      } else if (value.includes('\0')) {
        tokens.push({
          kind: 'error',
          range: { start, end: i },
          text: value,
          message: 'A text value cannot contain the NUL character',
        });
      } else {
        tokens.push({ kind: 'string', range: { start, end: i }, text: value });
      }
      continue;
    }
    if (isIdentStart(c) || isWordLike(charAt(i))) {
      let hasForeign = false;
      while (i < n && (isIdentPart(text[i]!) || isWordLike(charAt(i)))) {
        if (!isIdentPart(text[i]!)) hasForeign = true;
        i += charAt(i).length;
      }
      const word = text.slice(start, i);
      if (hasForeign) {
        const foreign = [...word].find((ch) => !isIdentPart(ch))!;
        tokens.push({
          kind: 'error',
          range: { start, end: i },
          text: word,
          message: `\`${word}\` contains \`${foreign}\` (${codePointLabel(foreign)}), which is not a plain Latin letter; names in formulas use only A–Z, a–z, 0–9 and _ (it may be a look-alike character pasted from elsewhere)`,
        });
        continue;
      }
      const lower = word.toLowerCase();
      if (KEYWORDS.has(lower)) {
        tokens.push({ kind: 'keyword', range: { start, end: i }, text: lower });
        continue;
      }
      let j = i;
      while (j < n && (text[j] === ' ' || text[j] === '\t' || text[j] === '\n' || text[j] === '\r')) j++;
      tokens.push({ kind: text[j] === '(' ? 'function' : 'identifier', range: { start, end: i }, text: word });
      continue;
    }
    if (c === '(' || c === ')') {
      tokens.push({ kind: 'paren', range: { start, end: i + 1 }, text: c });
      i++;
      continue;
    }
    if (c === ',') {
      tokens.push({ kind: 'comma', range: { start, end: i + 1 }, text: c });
      i++;
      continue;
    }
    const op = OPERATORS.find((o) => text.startsWith(o, i));
    if (op) {
      tokens.push({ kind: 'operator', range: { start, end: i + op.length }, text: op });
      i += op.length;
      continue;
    }
    const ch = String.fromCodePoint(text.codePointAt(i)!);
    i += ch.length;
    tokens.push({
      kind: 'error',
      range: { start, end: i },
      text: ch,
      message: `\`${ch}\` (${codePointLabel(ch)}) has no meaning in a formula`,
    });
  }
  return tokens;
}
