/**
 * The reference evaluator: the formula semantics written plainly in
 * TypeScript, row by row, as docs/formulas.md defines them. Tests hold the
 * compiled SQL on both DuckDBs to its answers. Values follow DuckDB where SQL
 * has a rule of its own (NaN equals NaN and sorts above every number; and/or
 * use three-valued logic).
 */
import { parseFormula, type Node } from './parser';
import { FormulaError, type PipelineDraft } from './types';

/** A time, in microseconds since 1970-01-01 UTC. */
class Time {
  constructor(readonly us: number) {}
}
type Value = number | string | boolean | Time | null;

function toTime(v: unknown): Time | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return new Time(v.getTime() * 1000);
  if (typeof v === 'number') return new Time(v * 1000);
  if (typeof v === 'bigint') return new Time(Number(v));
  if (typeof v === 'string') return new Time(Date.parse(v) * 1000);
  throw new Error(`cannot read ${String(v)} as a time`);
}

/** Contract columns that are times even when given as text or epoch milliseconds. */
const TIME_KEYS = new Set(['ts', 'ingested_at']);

function toValue(v: unknown, key: string): Value {
  if (v === null || v === undefined) return null;
  if (TIME_KEYS.has(key.toLowerCase()) || v instanceof Date) return toTime(v);
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  throw new Error(`cannot read the value of ${key}`);
}

/** DuckDB's order: NaN equals NaN and is above +Infinity; text by code point. */
function cmp(a: Exclude<Value, null>, b: Exclude<Value, null>): number {
  if (typeof a === 'number' && typeof b === 'number') {
    const an = Number.isNaN(a);
    const bn = Number.isNaN(b);
    if (an || bn) return an && bn ? 0 : an ? 1 : -1;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (a instanceof Time && b instanceof Time) return a.us < b.us ? -1 : a.us > b.us ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') {
    const x = [...a].map((c) => c.codePointAt(0)!);
    const y = [...b].map((c) => c.codePointAt(0)!);
    for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1;
    return x.length - y.length === 0 ? 0 : x.length < y.length ? -1 : 1;
  }
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : a ? 1 : -1;
  throw new Error('comparing values of different kinds');
}

/** C's pow (what DuckDB calls), where it differs from JavaScript's `**`. */
function powC(x: number, y: number): number {
  if (x === 1 || y === 0) return 1;
  if (x === -1 && !Number.isFinite(y) && !Number.isNaN(y)) return 1;
  return x ** y;
}

const roundHalfAway = (v: number): number => (v < 0 ? -Math.round(-v) : Math.round(v));

/** DuckDB's round(DOUBLE, digits). */
function roundDigits(x: number, digits: number): number {
  const modifier = 10 ** digits;
  const r = roundHalfAway(x * modifier) / modifier;
  return Number.isFinite(r) ? r : x;
}

const and3 = (a: Value, b: Value): Value =>
  a === false || b === false ? false : a === null || b === null ? null : true;
const or3 = (a: Value, b: Value): Value => (a === true || b === true ? true : a === null || b === null ? null : false);

function dayOfYear(d: Date): number {
  return Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1;
}

interface Frame {
  rows: Record<string, Value>[];
  /** Index of the first row of each row's series. */
  seriesStart: number[];
  seriesEnd: number[];
  t: number[];
  metricNames: string[];
  metricValues: Value[][];
  /** Metrics usable by the formula being evaluated (those above it). */
  visibleMetrics: number;
}

function column(frame: Frame, name: string): Value[] {
  const lower = name.toLowerCase();
  for (let m = 0; m < frame.visibleMetrics; m++)
    if (frame.metricNames[m]!.toLowerCase() === lower) return frame.metricValues[m]!;
  return frame.rows.map((r) => {
    for (const k of Object.keys(r)) if (k.toLowerCase() === lower) return r[k]!;
    return null;
  });
}

function evalNode(frame: Frame, node: Node): Value[] {
  const n = frame.rows.length;
  const fill = (v: Value): Value[] => new Array<Value>(n).fill(v);
  const map = (arrays: Value[][], f: (...vs: Value[]) => Value): Value[] =>
    Array.from({ length: n }, (_, i) => f(...arrays.map((a) => a[i]!)));
  const num =
    (f: (...xs: number[]) => Value) =>
    (...vs: Value[]): Value =>
      vs.some((v) => v === null) ? null : f(...(vs as number[]));
  const ev = (x: Node): Value[] => evalNode(frame, x);
  switch (node.kind) {
    case 'number':
      return fill(node.value);
    case 'string':
      return fill(node.value);
    case 'bool':
      return fill(node.value);
    case 'null':
      return fill(null);
    case 'duration':
    case 'error':
      throw new Error('unreachable');
    case 'name':
      return column(frame, node.name);
    case 'unary':
      return node.op === '-'
        ? map(
            [ev(node.arg)],
            num((a) => -a),
          )
        : map([ev(node.arg)], (a) => (a === null ? null : !a));
    case 'binary': {
      const l = ev(node.left);
      const r = ev(node.right);
      switch (node.op) {
        case '+':
          return map(
            [l, r],
            num((a, b) => a + b),
          );
        case '-':
          return map(
            [l, r],
            num((a, b) => a - b),
          );
        case '*':
          return map(
            [l, r],
            num((a, b) => a * b),
          );
        case '/':
          return map(
            [l, r],
            num((a, b) => (b === 0 ? null : a / b)),
          );
        case '%':
          return map(
            [l, r],
            num((a, b) => (b === 0 ? null : a % b)),
          );
        case '^':
          return map([l, r], num(powC));
        case 'and':
          return map([l, r], and3);
        case 'or':
          return map([l, r], or3);
        default: {
          const test = {
            '=': (c: number) => c === 0,
            '<>': (c: number) => c !== 0,
            '<': (c: number) => c < 0,
            '<=': (c: number) => c <= 0,
            '>': (c: number) => c > 0,
            '>=': (c: number) => c >= 0,
          }[node.op];
          return map([l, r], (a, b) => (a === null || b === null ? null : test(cmp(a, b))));
        }
      }
    }
    case 'in': {
      const x = ev(node.arg);
      const list = node.list.map(ev);
      return Array.from({ length: n }, (_, i) => {
        const a = x[i]!;
        if (a === null) return null;
        let result: Value = false;
        for (const l of list) {
          const b = l[i]!;
          if (b === null) result = result === false ? null : result;
          else if (cmp(a, b) === 0) result = true;
        }
        return node.negated && result !== null ? !result : result;
      });
    }
    case 'between': {
      const [x, lo, hi] = [ev(node.arg), ev(node.lo), ev(node.hi)];
      return Array.from({ length: n }, (_, i) => {
        const a = x[i]!;
        const l = lo[i]!;
        const h = hi[i]!;
        const r = and3(
          a === null || l === null ? null : cmp(l, a) <= 0,
          a === null || h === null ? null : cmp(a, h) <= 0,
        );
        return node.negated && r !== null ? !r : r;
      });
    }
    case 'isnull':
      return ev(node.arg).map((v) => (v === null) !== node.negated);
    case 'call':
      return evalCall(frame, node, ev, map, num);
  }
}

function evalCall(
  frame: Frame,
  node: Extract<Node, { kind: 'call' }>,
  ev: (x: Node) => Value[],
  map: (arrays: Value[][], f: (...vs: Value[]) => Value) => Value[],
  num: (f: (...xs: number[]) => Value) => (...vs: Value[]) => Value,
): Value[] {
  const name = node.name.toLowerCase();
  const args = node.args;
  const n = frame.rows.length;
  const literal = (k: number, dflt: number): number => {
    const a = args[k];
    return a === undefined ? dflt : a.kind === 'number' ? a.value : a.kind === 'duration' ? a.micros : dflt;
  };
  const time = (part: (d: Date, us: number) => number): Value[] => {
    const xs = args[0] ? ev(args[0]) : column(frame, 'ts');
    return xs.map((v) => (v === null ? null : part(new Date(Math.floor((v as Time).us / 1000)), (v as Time).us)));
  };
  /** Value of xs at row i shifted by k rows within its series, or null. */
  const shifted = (xs: Value[], i: number, k: number): Value => {
    const j = i + k;
    return j >= frame.seriesStart[i]! && j < frame.seriesEnd[i]! ? xs[j]! : null;
  };
  const pick =
    (best: (c: number) => boolean) =>
    (...vs: Value[]): Value => {
      let r: Value = null;
      for (const v of vs) if (v !== null && (r === null || best(cmp(v, r)))) r = v;
      return r;
    };
  switch (name) {
    case 'if': {
      const [c, a, b] = args.map(ev);
      return map([c!, a!, b!], (cv, av, bv) => (cv === true ? av : bv));
    }
    case 'case': {
      const vs = args.map(ev);
      return Array.from({ length: n }, (_, i) => {
        for (let k = 0; k + 1 < vs.length; k += 2) if (vs[k]![i] === true) return vs[k + 1]![i]!;
        return vs[vs.length - 1]![i]!;
      });
    }
    case 'coalesce':
      return map(args.map(ev), (...vs) => vs.find((v) => v !== null) ?? null);
    case 'nullif':
      return map(args.map(ev), (a, b) => (a === null ? null : b === null ? a : cmp(a, b) === 0 ? null : a));
    case 'is_nan':
      return map(
        args.map(ev),
        num((a) => Number.isNaN(a)),
      );
    case 'is_finite':
      return map(
        args.map(ev),
        num((a) => Number.isFinite(a)),
      );
    case 'abs':
      return map(args.map(ev), num(Math.abs));
    case 'floor':
      return map(args.map(ev), num(Math.floor));
    case 'ceil':
      return map(args.map(ev), num(Math.ceil));
    case 'exp':
      return map(args.map(ev), num(Math.exp));
    case 'sqrt':
      return map(
        args.map(ev),
        num((a) => (cmp(a, 0) >= 0 ? Math.sqrt(a) : null)),
      );
    case 'ln':
      return map(
        args.map(ev),
        num((a) => (cmp(a, 0) > 0 ? Math.log(a) : null)),
      );
    case 'log10':
      return map(
        args.map(ev),
        num((a) => (cmp(a, 0) > 0 ? Math.log10(a) : null)),
      );
    case 'round': {
      const digits = literal(1, 0);
      return map(
        [ev(args[0]!)],
        num((a) => roundDigits(a, digits)),
      );
    }
    case 'pow':
      return map(args.map(ev), num(powC));
    case 'min':
      return map(
        args.map(ev),
        pick((c) => c < 0),
      );
    case 'max':
      return map(
        args.map(ev),
        pick((c) => c > 0),
      );
    case 'clamp':
      return map(args.map(ev), (x, lo, hi) =>
        x === null ? null : pick((c) => c < 0)(pick((c) => c > 0)(x, lo!), hi!),
      );
    case 'lower':
      return map(args.map(ev), (s) => (s === null ? null : (s as string).toLowerCase()));
    case 'upper':
      return map(args.map(ev), (s) => (s === null ? null : (s as string).toUpperCase()));
    case 'length':
      return map(args.map(ev), (s) => (s === null ? null : [...(s as string)].length));
    case 'contains':
      return map(args.map(ev), (s, p) => (s === null || p === null ? null : (s as string).includes(p as string)));
    case 'starts_with':
      return map(args.map(ev), (s, p) => (s === null || p === null ? null : (s as string).startsWith(p as string)));
    case 'ends_with':
      return map(args.map(ev), (s, p) => (s === null || p === null ? null : (s as string).endsWith(p as string)));
    case 'matches': {
      const re = new RegExp(args[1]!.kind === 'string' ? args[1]!.value : '', 'u');
      return map([ev(args[0]!)], (s) => (s === null ? null : re.test(s as string)));
    }
    case 'hour':
      return time((d) => d.getUTCHours());
    case 'minute':
      return time((d) => d.getUTCMinutes());
    case 'day_of_week':
      return time((d) => d.getUTCDay() || 7);
    case 'day':
      return time((d) => d.getUTCDate());
    case 'day_of_year':
      return time(dayOfYear);
    case 'month':
      return time((d) => d.getUTCMonth() + 1);
    case 'year':
      return time((d) => d.getUTCFullYear());
    case 'epoch':
      return time((_d, us) => us / 1_000_000);
    case 'lag':
    case 'lead': {
      const xs = ev(args[0]!);
      const k = literal(1, 1) * (name === 'lag' ? -1 : 1);
      return xs.map((_, i) => shifted(xs, i, k));
    }
    case 'delta': {
      const xs = ev(args[0]!);
      return xs.map((x, i) => num((a, b) => a - b)(x, shifted(xs, i, -1)));
    }
    case 'rate': {
      const xs = ev(args[0]!);
      const perSeconds = literal(1, 1_000_000) / 1_000_000;
      const mode = args[2] && args[2].kind === 'string' ? args[2].value : 'counter';
      return xs.map((x, i) => {
        const prev = shifted(xs, i, -1);
        if (i === frame.seriesStart[i] || !(frame.t[i]! > frame.t[i - 1]!)) return null;
        if (x === null || prev === null) return null;
        const c = cmp(x, prev);
        const increase =
          mode === 'gauge'
            ? (x as number) - (prev as number)
            : c >= 0
              ? (x as number) - (prev as number)
              : mode === 'restart'
                ? (x as number)
                : null;
        if (increase === null) return null;
        return (increase / ((frame.t[i]! - frame.t[i - 1]!) / 1_000_000)) * perSeconds;
      });
    }
    default: {
      // rolling_*: the rows of the series with ts in [ts - window, ts], peers included.
      const xs = ev(args[0]!);
      const window = literal(1, 0);
      return xs.map((_, i) => {
        const vals: Value[] = [];
        for (let j = frame.seriesStart[i]!; j < frame.seriesEnd[i]!; j++) {
          if (frame.t[j]! >= frame.t[i]! - window && frame.t[j]! <= frame.t[i]! && xs[j] !== null) vals.push(xs[j]!);
        }
        const nums = vals as number[];
        switch (name) {
          case 'rolling_count':
            return nums.length;
          case 'rolling_sum':
            return nums.length ? nums.reduce((a, b) => a + b, 0) : null;
          case 'rolling_avg':
            return nums.length ? nums.reduce((a, b) => a + b, 0) / nums.length : null;
          case 'rolling_min':
            return pick((c) => c < 0)(...nums);
          case 'rolling_max':
            return pick((c) => c > 0)(...nums);
          default:
            throw new Error(`unknown function ${name}`);
        }
      });
    }
  }
}

function parseOrThrow(text: string): Node {
  const parsed = parseFormula(text);
  const errors = parsed.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0)
    throw new FormulaError(
      errors[0]!.message,
      errors.map((d) => ({ where: 'filter', diagnostic: d })),
    );
  return parsed.node;
}

/**
 * Evaluates a (checked) draft over plain rows: `ts` as a Date, epoch
 * milliseconds or ISO text. Gives, like the compiled SQL, one row per kept
 * record ordered by series_id, ts (and record_id), with series_id, ts (as
 * given) and one value per metric.
 */
export function referenceEvaluate(draft: PipelineDraft, input: Record<string, unknown>[]): Record<string, unknown>[] {
  let rows = input;
  // Connectors deliver at least once: keep the copy of each record ingested first.
  if (rows.some((r) => 'record_id' in r) && rows.some((r) => 'ingested_at' in r)) {
    const first = new Map<unknown, Record<string, unknown>>();
    for (const r of rows) {
      const seen = first.get(r['record_id']);
      if (!seen || toTime(r['ingested_at'])!.us < toTime(seen['ingested_at'])!.us) first.set(r['record_id'], r);
    }
    rows = rows.filter((r) => first.get(r['record_id']) === r);
  }
  const typed = rows.map((r) => ({
    original: r,
    values: Object.fromEntries(Object.entries(r).map(([k, v]) => [k, toValue(v, k)])) as Record<string, Value>,
  }));
  const tsOf = (r: Record<string, Value>): number => (r['ts'] as Time).us;
  typed.sort((a, b) => {
    const s = cmp(String(a.values['series_id']), String(b.values['series_id']));
    if (s !== 0) return s;
    const t = tsOf(a.values) - tsOf(b.values);
    if (t !== 0) return t;
    const ra = a.values['record_id'];
    const rb = b.values['record_id'];
    return ra === undefined || rb === undefined || ra === null || rb === null ? 0 : cmp(ra, rb);
  });
  const frameOf = (list: typeof typed): Frame => {
    const seriesStart: number[] = [];
    const seriesEnd: number[] = new Array<number>(list.length);
    list.forEach((r, i) => {
      seriesStart.push(i > 0 && list[i - 1]!.values['series_id'] === r.values['series_id'] ? seriesStart[i - 1]! : i);
    });
    for (let i = list.length - 1; i >= 0; i--)
      seriesEnd[i] = i + 1 < list.length && seriesStart[i + 1] === seriesStart[i] ? seriesEnd[i + 1]! : i + 1;
    return {
      rows: list.map((r) => r.values),
      seriesStart,
      seriesEnd,
      t: list.map((r) => tsOf(r.values)),
      metricNames: draft.metrics.map((m) => m.name),
      metricValues: [],
      visibleMetrics: 0,
    };
  };
  let kept = typed;
  if (draft.filter !== null && draft.filter.trim() !== '') {
    const keep = evalNode(frameOf(typed), parseOrThrow(draft.filter));
    kept = typed.filter((_, i) => keep[i] === true);
  }
  const frame = frameOf(kept);
  draft.metrics.forEach((m, i) => {
    frame.visibleMetrics = i;
    const values = evalNode(frame, parseOrThrow(m.formula)).map((v) =>
      v instanceof Time ? null : v === null ? null : Number(v),
    );
    frame.metricValues.push(values);
  });
  return kept.map((r, i) => {
    const out: Record<string, unknown> = { series_id: r.original['series_id'], ts: r.original['ts'] };
    draft.metrics.forEach((m, k) => {
      out[m.name] = frame.metricValues[k]![i];
    });
    return out;
  });
}
