/**
 * Name resolution and type checking of a pipeline against its Bronze schema.
 * Errors do not cascade: a piece that already has an error has type `unknown`,
 * which is accepted everywhere.
 */
import { closest, FUNCTION_BY_NAME, RATE_MODES, ROLLING, TIME_PARTS } from './functions';
import { KEYWORDS } from './lexer';
import { parseFormula, type Node } from './parser';
import type { BronzeColumn, CheckedPipeline, FormulaDiagnostic, PipelineDraft, TextRange } from './types';

export type FType = 'number' | 'string' | 'boolean' | 'timestamp' | 'duration' | 'null' | 'unknown';

const TYPE_WORDS: Record<FType, string> = {
  number: 'a number',
  string: 'text',
  boolean: 'true/false',
  timestamp: 'a time',
  duration: 'a duration',
  null: 'null',
  unknown: 'unknown',
};

/** How a Bronze column is read in formulas, from the type the catalog reports. */
export function columnKind(type: string): Exclude<FType, 'duration' | 'null' | 'unknown'> | null {
  const t = type.trim().toUpperCase();
  if (
    /^(DOUBLE|FLOAT[48]?|REAL|DECIMAL(\(.*\))?|NUMERIC(\(.*\))?|U?(BIG|SMALL|TINY|HUGE)?INT(EGER)?|INT[1248]|LONG)$/.test(
      t,
    )
  )
    return 'number';
  if (/^(VARCHAR|TEXT|STRING|CHAR|BPCHAR)(\(.*\))?$/.test(t)) return 'string';
  if (t === 'BOOLEAN' || t === 'BOOL') return 'boolean';
  if (/^(TIMESTAMP(TZ|_S|_MS|_NS| WITH TIME ZONE)?|DATE|DATETIME)$/.test(t)) return 'timestamp';
  return null;
}

export type Resolution = { kind: 'column'; column: BronzeColumn } | { kind: 'metric'; index: number };

export interface CheckedFormula {
  node: Node;
  types: Map<Node, FType>;
  names: Map<Node, Resolution>;
  diagnostics: FormulaDiagnostic[];
  type: FType;
  hasErrors: boolean;
}

export interface CheckedDraft extends CheckedPipeline {
  filter: CheckedFormula | null;
  metrics: CheckedFormula[];
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const RESERVED_OUTPUT = new Set(['series_id', 'ts']);

class FormulaChecker {
  readonly types = new Map<Node, FType>();
  readonly names = new Map<Node, Resolution>();
  readonly diagnostics: FormulaDiagnostic[] = [];

  constructor(
    private readonly columns: Map<string, BronzeColumn>,
    private readonly metrics: { name: string; type: FType }[],
    /** Index of the metric being checked; null for the filter. */
    private readonly self: number | null,
    private readonly text: string,
    private readonly parseErrors: TextRange[],
  ) {}

  /** A piece of the formula as the user wrote it, for messages. */
  private snippet(node: Node): string {
    const s = this.text.slice(node.range.start, node.range.end);
    return `\`${s.length > 30 ? s.slice(0, 29) + '…' : s}\``;
  }

  private error(range: TextRange, message: string, suggestion?: string): 'unknown' {
    this.diagnostics.push({ range, severity: 'error', message, ...(suggestion !== undefined ? { suggestion } : {}) });
    return 'unknown';
  }

  check(node: Node): FType {
    const t = this.infer(node);
    this.types.set(node, t);
    return t;
  }

  private expect(node: Node, want: FType[], what: string): FType {
    const t = this.check(node);
    if (t === 'unknown' || t === 'null' || want.includes(t)) return t;
    if (t === 'duration')
      return this.error(
        node.range,
        `A duration like \`15m\` can only be the window of \`rate\` or a \`rolling_…\` function; ${what} needs ${want.map((w) => TYPE_WORDS[w]).join(' or ')}`,
      );
    return this.error(
      node.range,
      `${what} needs ${want.map((w) => TYPE_WORDS[w]).join(' or ')}, but this is ${TYPE_WORDS[t]}`,
    );
  }

  /** The common type of values that must agree (comparison sides, if branches, list items). */
  private unify(nodes: Node[], what: string, allowed: FType[]): FType {
    let common: FType = 'null';
    let first: Node | null = null;
    for (const n of nodes) {
      const t = this.expect(n, allowed, what);
      if (t === 'unknown') return 'unknown';
      if (t === 'null') continue;
      if (common === 'null') {
        common = t;
        first = n;
      } else if (t !== common) {
        return this.error(
          n.range,
          `${what} needs values of the same kind, but ${this.snippet(first!)} is ${TYPE_WORDS[common]} and ${this.snippet(n)} is ${TYPE_WORDS[t]}`,
        );
      }
    }
    return common;
  }

  private infer(node: Node): FType {
    switch (node.kind) {
      case 'error':
        return 'unknown';
      case 'number':
        if (!Number.isFinite(node.value)) return this.error(node.range, 'This number is too large to be used');
        return 'number';
      case 'string':
        return 'string';
      case 'bool':
        return 'boolean';
      case 'null':
        return 'null';
      case 'duration':
        if (!(node.micros > 0) || !Number.isSafeInteger(node.micros))
          return this.error(node.range, 'A duration must be more than zero and less than a few hundred years');
        return 'duration';
      case 'name':
        return this.resolve(node);
      case 'unary':
        if (node.op === '-') return this.expect(node.arg, ['number'], '`-`') === 'unknown' ? 'unknown' : 'number';
        return this.expect(node.arg, ['boolean'], '`not`') === 'unknown' ? 'unknown' : 'boolean';
      case 'binary': {
        const op = node.op;
        if (op === 'and' || op === 'or') {
          const a = this.expect(node.left, ['boolean'], `\`${op}\``);
          const b = this.expect(node.right, ['boolean'], `\`${op}\``);
          return a === 'unknown' || b === 'unknown' ? 'unknown' : 'boolean';
        }
        if (op === '=' || op === '<>') {
          const t = this.unify([node.left, node.right], `\`${op === '=' ? '=' : '<>'}\``, [
            'number',
            'string',
            'boolean',
            'timestamp',
          ]);
          return t === 'unknown' ? 'unknown' : 'boolean';
        }
        if (op === '<' || op === '<=' || op === '>' || op === '>=') {
          const t = this.unify([node.left, node.right], `\`${op}\``, ['number', 'string', 'timestamp']);
          return t === 'unknown' ? 'unknown' : 'boolean';
        }
        const a = this.expect(node.left, ['number'], `\`${op}\``);
        const b = this.expect(node.right, ['number'], `\`${op}\``);
        return a === 'unknown' || b === 'unknown' ? 'unknown' : 'number';
      }
      case 'in': {
        const t = this.unify([node.arg, ...node.list], '`in`', ['number', 'string', 'boolean', 'timestamp']);
        return t === 'unknown' ? 'unknown' : 'boolean';
      }
      case 'between': {
        const t = this.unify([node.arg, node.lo, node.hi], '`between`', ['number', 'string', 'timestamp']);
        return t === 'unknown' ? 'unknown' : 'boolean';
      }
      case 'isnull':
        this.check(node.arg);
        return 'boolean';
      case 'call':
        return this.call(node);
    }
  }

  private resolve(node: Extract<Node, { kind: 'name' }>): FType {
    const lower = node.name.toLowerCase();
    const column = this.columns.get(lower);
    const metricIndex = this.metrics.findIndex((m) => m.name.toLowerCase() === lower);
    if (this.self !== null && metricIndex >= 0 && metricIndex < this.self) {
      if (column)
        this.diagnostics.push({
          range: node.range,
          severity: 'warning',
          message: `\`${node.name}\` is both a Bronze column and a metric above; the metric is used`,
        });
      this.names.set(node, { kind: 'metric', index: metricIndex });
      const t = this.metrics[metricIndex]!.type;
      return t === 'null' ? 'number' : t;
    }
    if (column) {
      const kind = columnKind(column.type);
      if (!kind)
        return this.error(
          node.range,
          `\`${column.name}\` is a ${column.type} column; formulas can use number, text, true/false and time columns only`,
        );
      this.names.set(node, { kind: 'column', column });
      return kind;
    }
    if (metricIndex >= 0) {
      if (this.self === null)
        return this.error(
          node.range,
          `\`${node.name}\` is a metric; the filter can use Bronze columns only, because it picks records before metrics are computed`,
        );
      if (metricIndex === this.self)
        return this.error(node.range, `A metric cannot use itself: \`${node.name}\` is the metric being defined here`);
      return this.error(
        node.range,
        `\`${node.name}\` is a metric defined below this one; a metric can use only the metrics above it (move \`${node.name}\` up, unless it uses this one, which would be a cycle)`,
      );
    }
    if (FUNCTION_BY_NAME.has(lower))
      return this.error(
        node.range,
        `\`${node.name}\` is a function; call it with parentheses, as in \`${FUNCTION_BY_NAME.get(lower)!.signature}\``,
      );
    const candidates = [
      ...[...this.columns.values()].map((c) => c.name),
      ...this.metrics.slice(0, this.self ?? 0).map((m) => m.name),
    ];
    const guess = closest(node.name, candidates);
    return this.error(
      node.range,
      `\`${node.name}\` is not a column of this pipeline's Bronze data${this.self !== null ? ' nor a metric above' : ''}${guess ? `; did you mean \`${guess}\`?` : ''}`,
      guess,
    );
  }

  private arity(node: Extract<Node, { kind: 'call' }>, min: number, max: number): boolean {
    const n = node.args.length;
    if (n >= min && n <= max) return true;
    // A syntax error inside the call already explains a wrong count (a lost comma or parenthesis).
    if (this.parseErrors.some((r) => r.start >= node.range.start && r.end <= node.range.end)) {
      for (const a of node.args) this.check(a);
      return false;
    }
    const doc = FUNCTION_BY_NAME.get(node.name.toLowerCase())!;
    const want = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
    this.error(
      node.range,
      `\`${doc.name}\` takes ${want} argument${want === '1' ? '' : 's'} but has ${n}: ${doc.signature}`,
    );
    for (const a of node.args) this.check(a);
    return false;
  }

  private literalInt(node: Node, min: number, max: number, what: string): boolean {
    this.check(node);
    if (node.kind === 'number' && Number.isInteger(node.value) && node.value >= min && node.value <= max) return true;
    if (node.kind === 'error') return false;
    this.error(node.range, `${what} must be a plain whole number from ${min} to ${max}`);
    return false;
  }

  private call(node: Extract<Node, { kind: 'call' }>): FType {
    const name = node.name.toLowerCase();
    const doc = FUNCTION_BY_NAME.get(name);
    const args = node.args;
    if (!doc) {
      for (const a of args) this.check(a);
      const guess = closest(node.name, FUNCTION_BY_NAME.keys());
      return this.error(
        node.nameRange,
        `\`${node.name}\` is not a formula function${guess ? `; did you mean \`${guess}\`?` : ''}`,
        guess,
      );
    }
    if (doc.kind === 'window' && this.self === null) {
      for (const a of args) this.check(a);
      return this.error(
        node.nameRange,
        `\`${doc.name}\` cannot be used in the filter: the filter picks records before per-series windows are computed; use it in a metric`,
      );
    }
    const num = (n: Node, what = `\`${doc.name}\``): FType => this.expect(n, ['number'], what);
    const all = (ts: FType[], result: FType): FType => (ts.includes('unknown') ? 'unknown' : result);
    switch (name) {
      case 'if': {
        if (!this.arity(node, 3, 3)) return 'unknown';
        const c = this.expect(args[0]!, ['boolean'], 'The condition of `if`');
        const t = this.unify([args[1]!, args[2]!], '`if`', ['number', 'string', 'boolean', 'timestamp']);
        return all([c], t === 'null' ? 'number' : t);
      }
      case 'case': {
        if (!this.arity(node, 3, Infinity)) return 'unknown';
        if (args.length % 2 === 0) {
          for (const a of args) this.check(a);
          return this.error(
            node.range,
            '`case` takes pairs of condition and value, then the value when no condition holds: case(condition1, value1, …, otherwise)',
          );
        }
        const conds = args
          .filter((_, i) => i % 2 === 0 && i < args.length - 1)
          .map((a) => this.expect(a, ['boolean'], 'A condition of `case`'));
        const values = args.filter((_, i) => i % 2 === 1 || i === args.length - 1);
        const t = this.unify(values, '`case`', ['number', 'string', 'boolean', 'timestamp']);
        return all(conds, t === 'null' ? 'number' : t);
      }
      case 'coalesce': {
        if (!this.arity(node, 1, Infinity)) return 'unknown';
        return this.unify(args, '`coalesce`', ['number', 'string', 'boolean', 'timestamp']);
      }
      case 'nullif': {
        if (!this.arity(node, 2, 2)) return 'unknown';
        return this.unify(args, '`nullif`', ['number', 'string', 'boolean', 'timestamp']);
      }
      case 'is_nan':
      case 'is_finite':
        if (!this.arity(node, 1, 1)) return 'unknown';
        return all([num(args[0]!)], 'boolean');
      case 'abs':
      case 'floor':
      case 'ceil':
      case 'sqrt':
      case 'ln':
      case 'log10':
      case 'exp':
        if (!this.arity(node, 1, 1)) return 'unknown';
        return all([num(args[0]!)], 'number');
      case 'round': {
        if (!this.arity(node, 1, 2)) return 'unknown';
        const t = num(args[0]!);
        if (args[1] && !this.literalInt(args[1], 0, 12, 'The number of digits of `round`')) return 'unknown';
        return all([t], 'number');
      }
      case 'pow':
        if (!this.arity(node, 2, 2)) return 'unknown';
        return all([num(args[0]!), num(args[1]!)], 'number');
      case 'min':
      case 'max':
        if (!this.arity(node, 1, Infinity)) return 'unknown';
        return all(
          args.map((a) => num(a)),
          'number',
        );
      case 'clamp':
        if (!this.arity(node, 3, 3)) return 'unknown';
        return all(
          args.map((a) => num(a)),
          'number',
        );
      case 'lower':
      case 'upper':
        if (!this.arity(node, 1, 1)) return 'unknown';
        return all([this.expect(args[0]!, ['string'], `\`${name}\``)], 'string');
      case 'length':
        if (!this.arity(node, 1, 1)) return 'unknown';
        return all([this.expect(args[0]!, ['string'], '`length`')], 'number');
      case 'contains':
      case 'starts_with':
      case 'ends_with':
        if (!this.arity(node, 2, 2)) return 'unknown';
        return all(
          [this.expect(args[0]!, ['string'], `\`${name}\``), this.expect(args[1]!, ['string'], `\`${name}\``)],
          'boolean',
        );
      case 'matches': {
        if (!this.arity(node, 2, 2)) return 'unknown';
        const t = this.expect(args[0]!, ['string'], '`matches`');
        const p = args[1]!;
        this.check(p);
        if (p.kind !== 'string')
          return p.kind === 'error'
            ? 'unknown'
            : this.error(
                p.range,
                "The pattern of `matches` must be written as a text value in quotes, like '^meter-[0-9]+$'",
              );
        const problem = regexProblem(p.value);
        if (problem) return this.error(p.range, problem);
        return all([t], 'boolean');
      }
      case 'lag':
      case 'lead': {
        if (!this.arity(node, 1, 2)) return 'unknown';
        const t = this.expect(args[0]!, ['number', 'string', 'boolean', 'timestamp'], `\`${name}\``);
        if (
          args[1] &&
          !this.literalInt(args[1], 1, 10000, `How many records \`${name}\` looks ${name === 'lag' ? 'back' : 'ahead'}`)
        )
          return 'unknown';
        return t === 'null' ? 'number' : t;
      }
      case 'delta':
        if (!this.arity(node, 1, 1)) return 'unknown';
        return all([num(args[0]!)], 'number');
      case 'rate': {
        if (!this.arity(node, 1, 3)) return 'unknown';
        const t = num(args[0]!);
        if (args[1]) {
          const d = this.check(args[1]);
          if (d !== 'duration' && d !== 'unknown')
            return this.error(
              args[1].range,
              'The second argument of `rate` is the time unit of the rate, a duration like 1s, 1m or 1h',
            );
        }
        if (args[2]) {
          const m = args[2];
          this.check(m);
          if (m.kind !== 'string' || !(RATE_MODES as readonly string[]).includes(m.value))
            return this.error(m.range, `The mode of \`rate\` is one of ${RATE_MODES.map((x) => `'${x}'`).join(', ')}`);
        }
        return all([t], 'number');
      }
      default: {
        if (ROLLING.has(name)) {
          if (!this.arity(node, 2, 2)) return 'unknown';
          const t = num(args[0]!);
          const d = this.check(args[1]!);
          if (d !== 'duration' && d !== 'unknown')
            return this.error(
              args[1]!.range,
              `The second argument of \`${name}\` is the window, a duration like 15m or 1h`,
            );
          return all([t, d], 'number');
        }
        if (TIME_PARTS.has(name)) {
          if (!this.arity(node, 0, 1)) return 'unknown';
          if (args[0]) {
            const t = this.expect(args[0], ['timestamp'], `\`${name}\``);
            return all([t], 'number');
          }
          if (!this.columns.has('ts'))
            return this.error(
              node.range,
              `\`${name}()\` reads \`ts\`, which this pipeline's Bronze data does not have`,
            );
          return 'number';
        }
        return this.error(node.nameRange, `\`${node.name}\` cannot be used here`);
      }
    }
  }
}

/** Patterns must mean the same in RE2 (DuckDB) and in the reference evaluator. */
export function regexProblem(pattern: string): string | null {
  if (/\(\?<?[=!]/.test(pattern))
    return 'Look-ahead and look-behind (`(?=`, `(?!`, `(?<=`, `(?<!`) are not supported in patterns (RE2 syntax)';
  if (/\\[1-9]|\\k</.test(pattern)) return 'Back-references such as `\\1` are not supported in patterns (RE2 syntax)';
  try {
    new RegExp(pattern, 'u');
  } catch (e) {
    return `This pattern is not a valid regular expression: ${e instanceof Error ? e.message : String(e)}`;
  }
  return null;
}

function metricNameProblem(name: string, index: number, draft: PipelineDraft): string | null {
  if (name.trim() === '') return 'This metric has no name; give it one made of letters, digits and _';
  if (!IDENT.test(name))
    return `The metric name \`${name}\` can use only letters A–Z, digits and _, and cannot start with a digit`;
  const lower = name.toLowerCase();
  if (RESERVED_OUTPUT.has(lower))
    return `\`${name}\` is the name of an output column (series_id, ts); pick another metric name`;
  if (KEYWORDS.has(lower)) return `\`${name}\` is a word of the formula language; pick another metric name`;
  if (draft.metrics.slice(0, index).some((m) => m.name.toLowerCase() === lower))
    return `Another metric above is already named \`${name}\`; metric names must be different`;
  return null;
}

export function checkDraft(draft: PipelineDraft, schema: BronzeColumn[]): CheckedDraft {
  const columns = new Map<string, BronzeColumn>();
  for (const c of schema) if (!columns.has(c.name.toLowerCase())) columns.set(c.name.toLowerCase(), c);
  const diagnostics: CheckedPipeline['diagnostics'] = [];
  const missing = ['series_id', 'ts'].filter((c) => !columns.has(c));
  let filter: CheckedFormula | null = null;
  const metricsInfo: { name: string; type: FType }[] = draft.metrics.map((m) => ({ name: m.name, type: 'unknown' }));

  const run = (text: string, self: number | null): CheckedFormula => {
    const parsed = parseFormula(text);
    const checker = new FormulaChecker(
      columns,
      metricsInfo,
      self,
      text,
      parsed.diagnostics.map((d) => d.range),
    );
    const type = checker.check(parsed.node);
    const all = [...parsed.diagnostics, ...checker.diagnostics];
    return {
      node: parsed.node,
      types: checker.types,
      names: checker.names,
      diagnostics: all,
      type,
      hasErrors: all.some((d) => d.severity === 'error'),
    };
  };

  if (draft.filter !== null && draft.filter.trim() !== '') {
    filter = run(draft.filter, null);
    if (!filter.hasErrors && filter.type !== 'boolean' && filter.type !== 'null' && filter.type !== 'unknown') {
      filter.diagnostics.push({
        range: filter.node.range,
        severity: 'error',
        message: `The filter must be a condition (true or false), such as \`status = 'ok'\`, but this is ${TYPE_WORDS[filter.type]}`,
      });
      filter.hasErrors = true;
    }
    for (const d of filter.diagnostics) diagnostics.push({ where: 'filter', diagnostic: d });
  }
  const metrics = draft.metrics.map((m, i) => {
    const checked = run(m.formula, i);
    const nameProblem = metricNameProblem(m.name, i, draft);
    if (nameProblem)
      checked.diagnostics.unshift({ range: { start: 0, end: 0 }, severity: 'error', message: nameProblem });
    const t = checked.type;
    if (t === 'boolean' || t === 'string' || t === 'timestamp' || t === 'duration') {
      const fix =
        t === 'boolean'
          ? 'use `if(condition, 1, 0)` to count it'
          : t === 'timestamp'
            ? 'use `epoch(…)` for seconds'
            : t === 'duration'
              ? 'durations are only windows of `rate` and `rolling_…`'
              : 'use `length(…)` or compare it in `if(…)`';
      checked.diagnostics.push({
        range: checked.node.range,
        severity: 'error',
        message: `A metric's value must be a number, but this formula gives ${TYPE_WORDS[t]}; ${fix}`,
      });
    }
    checked.hasErrors = checked.diagnostics.some((d) => d.severity === 'error');
    metricsInfo[i]!.type = checked.hasErrors ? 'unknown' : t === 'null' ? 'number' : t;
    for (const d of checked.diagnostics) diagnostics.push({ where: { metric: i }, diagnostic: d });
    return checked;
  });
  if (missing.length > 0 && (draft.metrics.length > 0 || filter))
    diagnostics.push({
      where: draft.metrics.length > 0 ? { metric: 0 } : 'filter',
      diagnostic: {
        range: { start: 0, end: 0 },
        severity: 'error',
        message: `This pipeline's Bronze data has no ${missing.join(' or ')} column, which every pipeline needs; check that the right Bronze files are cached`,
      },
    });
  const ok = !diagnostics.some((d) => d.diagnostic.severity === 'error');
  return {
    diagnostics,
    ok,
    metricTypes: metrics.map((m) => (m.hasErrors ? null : m.type === 'null' ? 'number' : m.type)),
    filter,
    metrics,
  };
}
