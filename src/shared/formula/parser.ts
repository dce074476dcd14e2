/**
 * A hand-written Pratt parser for one formula. It recovers from errors (a bad
 * piece becomes an `error` node) so every problem in the text is reported at
 * once, each with its range.
 */
import { lex, type Token } from './lexer';
import type { FormulaDiagnostic, TextRange } from './types';

export type BinaryOp = '+' | '-' | '*' | '/' | '%' | '^' | '=' | '<>' | '<' | '<=' | '>' | '>=' | 'and' | 'or';

export type Node =
  | { kind: 'number'; value: number; range: TextRange }
  | { kind: 'string'; value: string; range: TextRange }
  | { kind: 'bool'; value: boolean; range: TextRange }
  | { kind: 'null'; range: TextRange }
  | { kind: 'duration'; micros: number; text: string; range: TextRange }
  | { kind: 'name'; name: string; range: TextRange }
  | { kind: 'call'; name: string; nameRange: TextRange; args: Node[]; range: TextRange }
  | { kind: 'unary'; op: '-' | 'not'; arg: Node; range: TextRange }
  | { kind: 'binary'; op: BinaryOp; left: Node; right: Node; range: TextRange }
  | { kind: 'in'; negated: boolean; arg: Node; list: Node[]; range: TextRange }
  | { kind: 'between'; negated: boolean; arg: Node; lo: Node; hi: Node; range: TextRange }
  | { kind: 'isnull'; negated: boolean; arg: Node; range: TextRange }
  | { kind: 'error'; range: TextRange };

export interface Parsed {
  node: Node;
  diagnostics: FormulaDiagnostic[];
}

const COMPARISON = 4;
const BINARY: Readonly<Record<string, { bp: number; op: BinaryOp; right?: boolean }>> = {
  or: { bp: 1, op: 'or' },
  and: { bp: 2, op: 'and' },
  '=': { bp: COMPARISON, op: '=' },
  '==': { bp: COMPARISON, op: '=' },
  '<>': { bp: COMPARISON, op: '<>' },
  '!=': { bp: COMPARISON, op: '<>' },
  '<': { bp: COMPARISON, op: '<' },
  '<=': { bp: COMPARISON, op: '<=' },
  '>': { bp: COMPARISON, op: '>' },
  '>=': { bp: COMPARISON, op: '>=' },
  '+': { bp: 5, op: '+' },
  '-': { bp: 5, op: '-' },
  '*': { bp: 6, op: '*' },
  '/': { bp: 6, op: '/' },
  '%': { bp: 6, op: '%' },
  '^': { bp: 8, op: '^', right: true },
};
const UNARY_MINUS = 7;
const NOT = 3;

const span = (a: TextRange, b: TextRange): TextRange => ({ start: a.start, end: b.end });

function describe(t: Token | undefined): string {
  if (!t) return 'the end of the formula';
  return `\`${t.text}\``;
}

class Parser {
  private pos = 0;
  readonly diagnostics: FormulaDiagnostic[] = [];

  constructor(
    private readonly tokens: Token[],
    private readonly length: number,
  ) {}

  private peek(offset = 0): Token | undefined {
    return this.tokens[this.pos + offset];
  }
  private next(): Token {
    return this.tokens[this.pos++]!;
  }
  private is(kind: Token['kind'], text?: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t !== undefined && t.kind === kind && (text === undefined || t.text === text);
  }
  private endRange(): TextRange {
    return { start: this.length, end: this.length };
  }
  private error(range: TextRange, message: string): void {
    // An unclosed text runs to the end of the formula; what follows it is only noise.
    if (this.diagnostics.some((d) => d.message.startsWith('This text value has no closing'))) return;
    this.diagnostics.push({ range, severity: 'error', message });
  }

  parseFormula(): Node {
    if (this.tokens.length === 0) {
      this.error({ start: 0, end: this.length }, 'The formula is empty; write an expression such as `value * 2`');
      return { kind: 'error', range: { start: 0, end: this.length } };
    }
    const node = this.parseExpr(0);
    // After one "cannot follow" error the rest is checked only for problems of its own.
    let trailing = false;
    while (this.pos < this.tokens.length) {
      const t = this.next();
      if (t.kind === 'error') {
        this.error(t.range, t.message!);
        trailing = true;
      } else if (t.kind === 'paren' && t.text === ')')
        this.error(t.range, 'This `)` has no matching `(`; remove it or add `(` where the group starts');
      else {
        if (!trailing)
          this.error(
            t.range,
            `${describe(t)} cannot follow a complete expression here; is an operator such as \`+\`, \`*\` or \`and\` missing before it?`,
          );
        trailing = true;
        if (t.kind !== 'comma') {
          // Report what else is wrong further on (the result is discarded).
          const at = --this.pos;
          this.parseExpr(0);
          if (this.pos === at) this.pos++;
        }
      }
    }
    return node;
  }

  private parseExpr(minBp: number): Node {
    let left = this.parsePrefix();
    for (;;) {
      const t = this.peek();
      if (!t) break;
      if (
        t.kind === 'keyword' &&
        (t.text === 'in' ||
          t.text === 'between' ||
          t.text === 'is' ||
          (t.text === 'not' && (this.is('keyword', 'in', 1) || this.is('keyword', 'between', 1))))
      ) {
        if (COMPARISON < minBp || minBp === COMPARISON + 1) break;
        left = this.parsePostfixComparison(left);
        continue;
      }
      const key = t.kind === 'keyword' || t.kind === 'operator' ? t.text : '';
      const info = BINARY[key];
      if (!info || info.bp < minBp) break;
      if (info.bp === COMPARISON && minBp === COMPARISON + 1) break;
      this.next();
      // Comparisons do not chain (`a < b < c` is an error, not a surprise).
      const right = this.parseExpr(info.right ? info.bp : info.bp + 1);
      left = { kind: 'binary', op: info.op, left, right, range: span(left.range, right.range) };
      if (info.bp === COMPARISON && this.peekIsComparison()) {
        const c = this.peek()!;
        this.error(c.range, `Comparisons cannot be chained; write \`a < b and b < c\` instead of \`a < b < c\``);
        this.next();
        const rest = this.parseExpr(COMPARISON + 1);
        left = { kind: 'error', range: span(left.range, rest.range) };
      }
    }
    return left;
  }

  private peekIsComparison(): boolean {
    const t = this.peek();
    if (!t) return false;
    const info = BINARY[t.text];
    return (
      (t.kind === 'operator' && info?.bp === COMPARISON) ||
      (t.kind === 'keyword' && (t.text === 'in' || t.text === 'between' || t.text === 'is'))
    );
  }

  private parsePostfixComparison(arg: Node): Node {
    let negated = false;
    if (this.is('keyword', 'not')) {
      this.next();
      negated = true;
    }
    const kw = this.next();
    if (kw.text === 'is') {
      let neg = false;
      if (this.is('keyword', 'not')) {
        this.next();
        neg = true;
      }
      if (!this.is('keyword', 'null')) {
        const bad = this.peek();
        this.error(bad?.range ?? this.endRange(), 'After `is` write `null` or `not null`, as in `status is not null`');
        if (bad && bad.kind !== 'comma' && bad.kind !== 'paren') this.next();
        return { kind: 'error', range: span(arg.range, bad?.range ?? kw.range) };
      }
      const nul = this.next();
      return { kind: 'isnull', negated: neg, arg, range: span(arg.range, nul.range) };
    }
    if (kw.text === 'between') {
      const lo = this.parseExpr(COMPARISON + 1);
      if (!this.is('keyword', 'and')) {
        this.error(
          this.peek()?.range ?? this.endRange(),
          '`between` needs `and` between its two bounds, as in `value between 0 and 100`',
        );
        return { kind: 'error', range: span(arg.range, lo.range) };
      }
      this.next();
      const hi = this.parseExpr(COMPARISON + 1);
      return { kind: 'between', negated, arg, lo, hi, range: span(arg.range, hi.range) };
    }
    // in (...)
    if (!this.is('paren', '(')) {
      this.error(
        this.peek()?.range ?? this.endRange(),
        "`in` needs a list in parentheses, as in `status in ('ok', 'late')`",
      );
      const t = this.peek();
      if (t && t.kind !== 'comma' && t.kind !== 'paren') this.parseExpr(COMPARISON + 1);
      return { kind: 'error', range: span(arg.range, kw.range) };
    }
    const open = this.next();
    const { args, end } = this.parseList(open);
    if (args.length === 0)
      this.error(span(open.range, end), 'The list after `in` is empty; put at least one value in it');
    return { kind: 'in', negated, arg, list: args, range: span(arg.range, end) };
  }

  /** Comma-separated expressions after `open` up to the matching `)`. */
  private parseList(open: Token): { args: Node[]; end: TextRange } {
    const args: Node[] = [];
    if (this.is('paren', ')')) return { args, end: this.next().range };
    for (;;) {
      args.push(this.parseExpr(0));
      if (this.is('comma')) {
        this.next();
        continue;
      }
      if (this.is('paren', ')')) return { args, end: this.next().range };
      const t = this.peek();
      if (!t) {
        this.error(open.range, 'This `(` is never closed; add `)` where the group ends');
        return { args, end: this.endRange() };
      }
      this.error(t.range, `Expected \`,\` or \`)\` here, not ${describe(t)}`);
      // Skip to the next comma or the closing parenthesis.
      let depth = 0;
      while (this.peek()) {
        const s = this.peek()!;
        if (depth === 0 && (s.kind === 'comma' || (s.kind === 'paren' && s.text === ')'))) break;
        if (s.kind === 'paren') depth += s.text === '(' ? 1 : -1;
        this.next();
      }
    }
  }

  private parsePrefix(): Node {
    const t = this.peek();
    if (!t) {
      const prev = this.tokens[this.pos - 1];
      this.error(prev ? prev.range : this.endRange(), `A value is missing after ${describe(prev)}`);
      return { kind: 'error', range: this.endRange() };
    }
    switch (t.kind) {
      case 'number':
        this.next();
        return { kind: 'number', value: t.value!, range: t.range };
      case 'duration':
        this.next();
        return { kind: 'duration', micros: t.micros!, text: t.text, range: t.range };
      case 'string':
        this.next();
        return { kind: 'string', value: t.text, range: t.range };
      case 'identifier':
        this.next();
        return { kind: 'name', name: t.text, range: t.range };
      case 'error':
        this.next();
        this.error(t.range, t.message!);
        return { kind: 'error', range: t.range };
      case 'function': {
        this.next();
        const open = this.next();
        const { args, end } = this.parseList(open);
        return { kind: 'call', name: t.text, nameRange: t.range, args, range: span(t.range, end) };
      }
      case 'paren':
        if (t.text === '(') {
          this.next();
          if (this.is('paren', ')')) {
            const close = this.next();
            this.error(span(t.range, close.range), 'These parentheses are empty; put a value between them');
            return { kind: 'error', range: span(t.range, close.range) };
          }
          const inner = this.parseExpr(0);
          if (this.is('paren', ')')) {
            this.next();
            return inner;
          }
          const u = this.peek();
          if (!u) this.error(t.range, 'This `(` is never closed; add `)` where the group ends');
          else this.error(u.range, `Expected \`)\` here, not ${describe(u)}`);
          return inner;
        }
        break;
      case 'keyword':
        if (t.text === 'true' || t.text === 'false') {
          this.next();
          return { kind: 'bool', value: t.text === 'true', range: t.range };
        }
        if (t.text === 'null') {
          this.next();
          return { kind: 'null', range: t.range };
        }
        if (t.text === 'not') {
          this.next();
          const arg = this.parseExpr(NOT);
          return { kind: 'unary', op: 'not', arg, range: span(t.range, arg.range) };
        }
        break;
      case 'operator':
        if (t.text === '-' || t.text === '+') {
          this.next();
          const arg = this.parseExpr(UNARY_MINUS);
          if (t.text === '+') return arg;
          return { kind: 'unary', op: '-', arg, range: span(t.range, arg.range) };
        }
        break;
      default:
        break;
    }
    // Something that cannot start a value: report it, and skip it unless it ends a group.
    if (t.kind === 'comma' || (t.kind === 'paren' && t.text === ')')) {
      const prev = this.tokens[this.pos - 1];
      this.error(
        t.range,
        prev ? `A value is missing after ${describe(prev)}` : `A value is missing before ${describe(t)}`,
      );
      return { kind: 'error', range: { start: t.range.start, end: t.range.start } };
    }
    this.next();
    this.error(
      t.range,
      `${describe(t)} cannot start a value; write a number, a text in quotes, a column name or a function call here`,
    );
    return { kind: 'error', range: t.range };
  }
}

export function parseFormula(text: string): Parsed {
  const parser = new Parser(lex(text), text.length);
  const node = parser.parseFormula();
  return { node, diagnostics: parser.diagnostics };
}
