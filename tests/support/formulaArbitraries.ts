/**
 * fast-check generators for the formula language's property tests: random
 * valid pipelines over a fixed Bronze-like schema, random rows for it with the
 * values that break arithmetic (null, ±0, NaN, ±Infinity), and the helpers to
 * load those rows into either DuckDB and compare results.
 */
import fc from 'fast-check';
import type { BronzeColumn, PipelineDraft } from '../../src/shared/formula';
import { quoteLiteral } from '../../src/shared/sql';

export const SCHEMA: BronzeColumn[] = [
  { name: 'record_id', type: 'VARCHAR' },
  { name: 'series_id', type: 'VARCHAR' },
  { name: 'ts', type: 'TIMESTAMP WITH TIME ZONE' },
  { name: 'value', type: 'DOUBLE' },
  { name: 'multiplier', type: 'DOUBLE' },
  { name: 'count', type: 'BIGINT' },
  { name: 'status', type: 'VARCHAR' },
  { name: 'flag', type: 'BOOLEAN' },
];

type Arb = fc.Arbitrary<string>;
const call = (name: string, ...args: Arb[]): Arb => fc.tuple(...args).map((xs) => `${name}(${xs.join(', ')})`);
const dur = fc.constantFrom('90s', '1m', '15m', '1h', '1d', '1w');

/** Typed expression generators, memoized by depth (they are built eagerly). */
function grammar(windows: boolean, metrics: boolean) {
  const numLeaf: Arb = fc.oneof(
    fc.constantFrom('value', 'multiplier', 'count', ...(metrics ? ['m0', 'm1', 'm2'] : [])),
    fc.integer({ min: 0, max: 100 }).map(String),
    fc.constantFrom('0', '0.5', '2.25', '1e3', '1e-3', 'null'),
  );
  const strLeaf: Arb = fc.constantFrom('status', "'ok'", "'it''s'", "''", "'é'", '"OK"');
  const boolLeaf: Arb = fc.constantFrom('flag', 'true', 'false', 'null');
  /** Window arguments stay exact (sums of quarters) so both engines' summation orders agree. */
  const exact: Arb = fc.oneof(
    numLeaf,
    fc.tuple(numLeaf, fc.constantFrom('+', '-', '*'), numLeaf).map(([a, o, b]) => `(${a} ${o} ${b})`),
  );
  const num: Arb[] = [numLeaf];
  const bool: Arb[] = [boolLeaf];
  const str: Arb[] = [strLeaf];
  for (let d = 1; d <= 3; d++) {
    const n = num[d - 1]!;
    const b = bool[d - 1]!;
    const s = str[d - 1]!;
    const numOptions: Arb[] = [
      numLeaf,
      fc.tuple(n, fc.constantFrom('+', '-', '*', '/', '%', '^'), n).map(([x, o, y]) => `(${x} ${o} ${y})`),
      n.map((x) => `-${x}`),
      fc.tuple(fc.constantFrom('abs', 'floor', 'ceil', 'sqrt', 'ln', 'log10', 'exp'), n).map(([f, x]) => `${f}(${x})`),
      fc.tuple(n, fc.integer({ min: 0, max: 3 })).map(([x, k]) => `round(${x}, ${k})`),
      call('pow', n, n),
      fc
        .tuple(fc.constantFrom('min', 'max', 'coalesce'), fc.array(n, { minLength: 1, maxLength: 3 }))
        .map(([f, xs]) => `${f}(${xs.join(', ')})`),
      call('clamp', n, n, n),
      call('nullif', n, n),
      call('if', b, n, n),
      call('case', b, n, b, n, n),
      call('length', s),
      fc.constantFrom(
        'hour()',
        'minute(ts)',
        'day_of_week()',
        'day()',
        'month(ts)',
        'year()',
        'day_of_year()',
        'epoch()',
      ),
    ];
    if (windows)
      numOptions.push(
        call('lag', exact),
        fc.tuple(exact, fc.integer({ min: 1, max: 3 })).map(([x, k]) => `lead(${x}, ${k})`),
        call('delta', exact),
        fc
          .tuple(exact, dur, fc.constantFrom('counter', 'restart', 'gauge'))
          .map(([x, p, m]) => `rate(${x}, ${p}, '${m}')`),
        call('rate', exact),
        fc
          .tuple(
            fc.constantFrom('rolling_avg', 'rolling_min', 'rolling_max', 'rolling_sum', 'rolling_count'),
            exact,
            dur,
          )
          .map(([f, x, w]) => `${f}(${x}, ${w})`),
      );
    num.push(fc.oneof(...numOptions));
    bool.push(
      fc.oneof(
        boolLeaf,
        fc.tuple(n, fc.constantFrom('=', '<>', '<', '<=', '>', '>=', '!='), n).map(([x, o, y]) => `(${x} ${o} ${y})`),
        fc.tuple(s, fc.constantFrom('=', '<>', '<', '>='), s).map(([x, o, y]) => `(${x} ${o} ${y})`),
        fc.tuple(b, fc.constantFrom('and', 'or'), b).map(([x, o, y]) => `(${x} ${o} ${y})`),
        b.map((x) => `not ${x}`),
        fc
          .tuple(n, fc.boolean(), fc.array(n, { minLength: 1, maxLength: 3 }))
          .map(([x, neg, xs]) => `(${x} ${neg ? 'not in' : 'in'} (${xs.join(', ')}))`),
        fc
          .tuple(n, fc.boolean(), n, n)
          .map(([x, neg, lo, hi]) => `(${x} ${neg ? 'not between' : 'between'} ${lo} and ${hi})`),
        fc.tuple(fc.oneof(n, s, b), fc.boolean()).map(([x, neg]) => `(${x} is ${neg ? 'not ' : ''}null)`),
        fc.tuple(fc.constantFrom('is_nan', 'is_finite'), n).map(([f, x]) => `${f}(${x})`),
        fc.tuple(fc.constantFrom('contains', 'starts_with', 'ends_with'), s, s).map(([f, x, y]) => `${f}(${x}, ${y})`),
        fc.tuple(s, fc.constantFrom("'^o'", "'k$'", "'[a-z]+'", "''''", "'^$'")).map(([x, p]) => `matches(${x}, ${p})`),
      ),
    );
    str.push(fc.oneof(strLeaf, call('lower', s), call('upper', s), call('if', b, s, s), call('coalesce', s, s)));
  }
  return { num, bool, str };
}

export function formulaArbitraries(): { draft: fc.Arbitrary<PipelineDraft>; anyFormula: Arb } {
  const metricsGrammar = grammar(true, true);
  const filterGrammar = grammar(false, false);
  const draft = fc
    .record({
      filter: fc.option(filterGrammar.bool[2]!, { nil: null }),
      metrics: fc.array(metricsGrammar.num[3]!, { minLength: 1, maxLength: 3 }),
    })
    .map(({ filter, metrics }) => ({
      filter,
      // A metric may only use the metrics above it.
      metrics: metrics.map((formula, i) => ({
        name: `m${i}`,
        formula: formula.replace(/\bm(\d)\b/g, (whole, k: string) => (Number(k) < i ? whole : 'value')),
        unit: '',
      })),
    }));
  return { draft, anyFormula: metricsGrammar.num[3]! };
}

export interface TestRow {
  record_id: string;
  series_id: string;
  ts: number;
  value: number | null;
  multiplier: number | null;
  count: number | null;
  status: string | null;
  flag: boolean | null;
}

const special = fc.constantFrom(null, 0, -0, NaN, Infinity, -Infinity, 1, -1);
/** Quarters: sums stay exact whatever order an engine adds them in. */
const quarter = fc.integer({ min: -4000, max: 4000 }).map((k) => k / 4);

export function rowsArbitrary(): fc.Arbitrary<TestRow[]> {
  const row = fc.record({
    series_id: fc.constantFrom('a', 'b', 'c'),
    // Whole minutes within two days from 2026-01-01, so time parts and windows vary.
    minute: fc.integer({ min: 0, max: 2880 }),
    value: fc.oneof(special, quarter),
    multiplier: fc.oneof(special, quarter),
    count: fc.option(fc.integer({ min: -5, max: 20 }), { nil: null }),
    status: fc.option(fc.constantFrom('ok', 'OK', 'failed', '', 'é', "it's", 'a"b', 'Ok'), { nil: null }),
    flag: fc.option(fc.boolean(), { nil: null }),
  });
  return fc
    .uniqueArray(row, { minLength: 1, maxLength: 25, selector: (r) => `${r.series_id}/${r.minute}` })
    .map((rows) =>
      rows.map(({ minute, ...r }, i) => ({
        record_id: `r${String(i).padStart(3, '0')}`,
        ts: 1_767_225_600_000 + minute * 60_000,
        ...r,
      })),
    );
}

function doubleSql(v: number | null): string {
  if (v === null) return 'CAST(NULL AS DOUBLE)';
  if (Number.isNaN(v)) return "'nan'::DOUBLE";
  if (!Number.isFinite(v)) return v > 0 ? "'inf'::DOUBLE" : "'-inf'::DOUBLE";
  return Object.is(v, -0) ? "'-0.0'::DOUBLE" : `${v}::DOUBLE`;
}

/** A CREATE TABLE … AS VALUES that both engines run (to_timestamp is core DuckDB, no ICU). */
export function rowsTableSql(table: string, rows: Record<string, unknown>[]): string {
  const values = (rows as unknown as TestRow[]).map(
    (r) =>
      `(${quoteLiteral(r.record_id)}, ${quoteLiteral(r.series_id)}, to_timestamp(${r.ts / 1000}), ${doubleSql(r.value)}, ${doubleSql(r.multiplier)}, ${
        r.count === null ? 'CAST(NULL AS BIGINT)' : `${r.count}::BIGINT`
      }, ${r.status === null ? 'CAST(NULL AS VARCHAR)' : quoteLiteral(r.status)}, ${r.flag === null ? 'CAST(NULL AS BOOLEAN)' : r.flag})`,
  );
  return `CREATE OR REPLACE TABLE ${table} AS SELECT * FROM (VALUES ${values.join(', ')}) t(record_id, series_id, ts, value, multiplier, count, status, flag)`;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === null || a === undefined) return b === null || b === undefined;
  if (typeof a === 'bigint') a = Number(a);
  if (typeof b === 'bigint') b = Number(b);
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
    if (a === b) return true;
    if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
    // libm differs between engines by an ulp or so in exp/ln/pow.
    return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
  }
  return a === b;
}

/** Rows equal column by column (the columns of `expected`), numbers within rounding. */
export function sameRows(actual: Record<string, unknown>[], expected: Record<string, unknown>[]): boolean {
  if (actual.length !== expected.length) return false;
  return expected.every((e, i) => Object.keys(e).every((k) => sameValue(actual[i]![k], e[k])));
}
