/** The formula functions with their documentation (for completion, hover and docs/formulas.md). */
import type { FunctionDoc } from './types';

export const FORMULA_FUNCTIONS: FunctionDoc[] = [
  {
    name: 'if',
    kind: 'logic',
    signature: 'if(condition, then, otherwise)',
    doc: '`then` where the condition is true, `otherwise` where it is false or null.',
    example: "if(status = 'ok', value, null)",
  },
  {
    name: 'case',
    kind: 'logic',
    signature: 'case(condition1, value1, condition2, value2, …, otherwise)',
    doc: 'The value of the first condition that is true; `otherwise` when none is.',
    example: "case(value < 10, 'low', value < 100, 'mid', 'high') = 'high'",
  },
  {
    name: 'coalesce',
    kind: 'null',
    signature: 'coalesce(a, b, …)',
    doc: 'The first of its arguments that is not null.',
    example: 'coalesce(multiplier, 1)',
  },
  {
    name: 'nullif',
    kind: 'null',
    signature: 'nullif(a, b)',
    doc: 'Null where `a` equals `b`, otherwise `a`.',
    example: 'nullif(value, -1)',
  },
  {
    name: 'is_nan',
    kind: 'null',
    signature: 'is_nan(x)',
    doc: 'True where `x` is NaN (not a number).',
    example: 'if(is_nan(value), null, value)',
  },
  {
    name: 'is_finite',
    kind: 'null',
    signature: 'is_finite(x)',
    doc: 'True where `x` is an ordinary number: not NaN and not infinite.',
    example: 'if(is_finite(value), value, null)',
  },
  { name: 'abs', kind: 'math', signature: 'abs(x)', doc: 'The absolute value.', example: 'abs(delta(value))' },
  {
    name: 'round',
    kind: 'math',
    signature: 'round(x, digits?)',
    doc: 'Rounds half away from zero, to `digits` decimals (0 to 12, a plain number; default 0).',
    example: 'round(value * multiplier, 2)',
  },
  {
    name: 'floor',
    kind: 'math',
    signature: 'floor(x)',
    doc: 'The largest whole number not above `x`.',
    example: 'floor(value)',
  },
  {
    name: 'ceil',
    kind: 'math',
    signature: 'ceil(x)',
    doc: 'The smallest whole number not below `x`.',
    example: 'ceil(value)',
  },
  {
    name: 'sqrt',
    kind: 'math',
    signature: 'sqrt(x)',
    doc: 'The square root; null for a negative `x`.',
    example: 'sqrt(value)',
  },
  {
    name: 'ln',
    kind: 'math',
    signature: 'ln(x)',
    doc: 'The natural logarithm; null for `x` ≤ 0.',
    example: 'ln(value)',
  },
  {
    name: 'log10',
    kind: 'math',
    signature: 'log10(x)',
    doc: 'The base-10 logarithm; null for `x` ≤ 0.',
    example: '10 * log10(value)',
  },
  { name: 'exp', kind: 'math', signature: 'exp(x)', doc: 'e raised to `x`.', example: 'exp(-value)' },
  {
    name: 'pow',
    kind: 'math',
    signature: 'pow(x, y)',
    doc: '`x` raised to `y` (the same as `x ^ y`).',
    example: 'pow(value, 2)',
  },
  {
    name: 'min',
    kind: 'math',
    signature: 'min(a, b, …)',
    doc: 'The smallest of its arguments, ignoring nulls.',
    example: 'min(value, 100)',
  },
  {
    name: 'max',
    kind: 'math',
    signature: 'max(a, b, …)',
    doc: 'The largest of its arguments, ignoring nulls.',
    example: 'max(value, 0)',
  },
  {
    name: 'clamp',
    kind: 'math',
    signature: 'clamp(x, low, high)',
    doc: '`x` limited to the range from `low` to `high`; null where `x` is null.',
    example: 'clamp(humidity, 0, 100)',
  },
  {
    name: 'lower',
    kind: 'string',
    signature: 'lower(text)',
    doc: 'The text in lower case.',
    example: "lower(status) = 'ok'",
  },
  {
    name: 'upper',
    kind: 'string',
    signature: 'upper(text)',
    doc: 'The text in upper case.',
    example: "upper(status) = 'OK'",
  },
  {
    name: 'contains',
    kind: 'string',
    signature: 'contains(text, part)',
    doc: 'True where `text` contains `part`.',
    example: "contains(raw, 'error')",
  },
  {
    name: 'starts_with',
    kind: 'string',
    signature: 'starts_with(text, prefix)',
    doc: 'True where `text` starts with `prefix`.',
    example: "starts_with(series_id, 'meter-')",
  },
  {
    name: 'ends_with',
    kind: 'string',
    signature: 'ends_with(text, suffix)',
    doc: 'True where `text` ends with `suffix`.',
    example: "ends_with(series_id, '-b')",
  },
  {
    name: 'length',
    kind: 'string',
    signature: 'length(text)',
    doc: 'The number of characters.',
    example: 'length(raw)',
  },
  {
    name: 'matches',
    kind: 'string',
    signature: "matches(text, 'pattern')",
    doc: 'True where the regular expression (RE2 syntax, written as a text value) matches somewhere in `text`.',
    example: "matches(series_id, '^meter-[0-9]+$')",
  },
  {
    name: 'hour',
    kind: 'time',
    signature: 'hour(time?)',
    doc: 'The hour (0–23, UTC) of `time`, or of `ts` when left out.',
    example: 'if(hour() between 8 and 18, value, null)',
  },
  {
    name: 'minute',
    kind: 'time',
    signature: 'minute(time?)',
    doc: 'The minute (0–59, UTC) of `time`, or of `ts`.',
    example: 'minute(ts)',
  },
  {
    name: 'day_of_week',
    kind: 'time',
    signature: 'day_of_week(time?)',
    doc: 'The ISO day of the week (1 = Monday … 7 = Sunday, UTC) of `time`, or of `ts`.',
    example: 'if(day_of_week() >= 6, null, value)',
  },
  {
    name: 'day',
    kind: 'time',
    signature: 'day(time?)',
    doc: 'The day of the month (1–31, UTC) of `time`, or of `ts`.',
    example: 'day(ts)',
  },
  {
    name: 'day_of_year',
    kind: 'time',
    signature: 'day_of_year(time?)',
    doc: 'The day of the year (1–366, UTC) of `time`, or of `ts`.',
    example: 'day_of_year()',
  },
  {
    name: 'month',
    kind: 'time',
    signature: 'month(time?)',
    doc: 'The month (1–12, UTC) of `time`, or of `ts`.',
    example: 'month(ts)',
  },
  {
    name: 'year',
    kind: 'time',
    signature: 'year(time?)',
    doc: 'The year (UTC) of `time`, or of `ts`.',
    example: 'year(ts)',
  },
  {
    name: 'epoch',
    kind: 'time',
    signature: 'epoch(time?)',
    doc: 'Seconds since 1970-01-01 00:00 UTC of `time`, or of `ts`.',
    example: 'epoch() - epoch(ingested_at)',
  },
  {
    name: 'lag',
    kind: 'window',
    signature: 'lag(x, n?)',
    doc: 'The value of `x` `n` records earlier in the same series (default 1); null where there is none.',
    example: 'value - lag(value)',
  },
  {
    name: 'lead',
    kind: 'window',
    signature: 'lead(x, n?)',
    doc: 'The value of `x` `n` records later in the same series (default 1); null where there is none.',
    example: 'lead(value) - value',
  },
  {
    name: 'delta',
    kind: 'window',
    signature: 'delta(x)',
    doc: 'The change of `x` since the previous record of the same series: `x - lag(x)`.',
    example: 'delta(energy_kwh)',
  },
  {
    name: 'rate',
    kind: 'window',
    signature: 'rate(x, per?, mode?)',
    doc: "The change of `x` since the previous record of the series, per `per` of time (a duration; default 1s). `mode` says what a drop means: 'counter' (the default: a counter reset, the rate is null there), 'restart' (the counter restarted from zero, so the increase is the new value) or 'gauge' (a real decrease, the rate is negative). Null for the series' first record and where the time did not advance.",
    example: 'rate(energy_kwh, 1h)',
  },
  {
    name: 'rolling_avg',
    kind: 'window',
    signature: 'rolling_avg(x, window)',
    doc: 'The average of `x` over the records of the same series with `ts` within `window` before this record (this one included); nulls are skipped.',
    example: 'rolling_avg(value, 15m)',
  },
  {
    name: 'rolling_min',
    kind: 'window',
    signature: 'rolling_min(x, window)',
    doc: 'The smallest `x` within `window` before this record (included).',
    example: 'rolling_min(value, 1h)',
  },
  {
    name: 'rolling_max',
    kind: 'window',
    signature: 'rolling_max(x, window)',
    doc: 'The largest `x` within `window` before this record (included).',
    example: 'rolling_max(value, 1h)',
  },
  {
    name: 'rolling_sum',
    kind: 'window',
    signature: 'rolling_sum(x, window)',
    doc: 'The sum of `x` within `window` before this record (included); null where all are null.',
    example: 'rolling_sum(amount, 1d)',
  },
  {
    name: 'rolling_count',
    kind: 'window',
    signature: 'rolling_count(x, window)',
    doc: 'How many records within `window` before this record (included) have a value of `x`.',
    example: 'rolling_count(value, 1h)',
  },
];

export const FUNCTION_BY_NAME: ReadonlyMap<string, FunctionDoc> = new Map(FORMULA_FUNCTIONS.map((f) => [f.name, f]));
export const TIME_PARTS = new Set(['hour', 'minute', 'day_of_week', 'day', 'day_of_year', 'month', 'year', 'epoch']);
export const ROLLING = new Set(['rolling_avg', 'rolling_min', 'rolling_max', 'rolling_sum', 'rolling_count']);
export const RATE_MODES = ['counter', 'restart', 'gauge'] as const;

/** Edit distance, for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(up + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

/** The closest candidate within a distance that still reads as a typo. */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  // About one edit in three letters still reads as the same word (rolling_average → rolling_avg).
  let bestD = Math.max(1, Math.min(5, Math.floor(name.length / 3)));
  for (const c of candidates) {
    const d = editDistance(lower, c.toLowerCase());
    if (d <= bestD && (best === undefined || d < bestD)) {
      best = c;
      bestD = d;
    }
  }
  return best;
}
