/**
 * Golden tests: what a pipeline author sees for each mistake — where, and the
 * sentence. A change here is a change to the product's words; review it.
 */
import { describe, expect, it } from 'vitest';
import { checkPipeline, type BronzeColumn, type PipelineDraft } from '../../../src/shared/formula';
import { METER_BRONZE_SCHEMA } from '../../support/meterSchema';

const SCHEMA: BronzeColumn[] = [...METER_BRONZE_SCHEMA, { name: 'payload', type: 'STRUCT(a INTEGER)' }];

/** [start, end, message, suggestion?] of each diagnostic of a one-metric pipeline. */
function diagnose(formula: string): unknown[] {
  const draft: PipelineDraft = { filter: null, metrics: [{ name: 'm', formula, unit: '' }] };
  return checkPipeline(draft, SCHEMA).diagnostics.map(({ diagnostic: d }) =>
    d.suggestion === undefined
      ? [d.range.start, d.range.end, d.message]
      : [d.range.start, d.range.end, d.message, d.suggestion],
  );
}

const GOLDEN: [string, unknown[]][] = [
  [
    'value * multipler / 1000',
    [
      [
        8,
        17,
        "`multipler` is not a column of this pipeline's Bronze data nor a metric above; did you mean `multiplier`?",
        'multiplier',
      ],
    ],
  ],
  ['value *', [[6, 7, 'A value is missing after `*`']]],
  ['(value + 1', [[0, 1, 'This `(` is never closed; add `)` where the group ends']]],
  ["if(status = 'ok, value, null)", [[12, 29, "This text value has no closing '; add ' where the text ends"]]],
  [
    'vаlue * 2', // Cyrillic а
    [
      [
        0,
        5,
        '`vаlue` contains `а` (U+0430), which is not a plain Latin letter; names in formulas use only A–Z, a–z, 0–9 and _ (it may be a look-alike character pasted from elsewhere)',
      ],
    ],
  ],
  [
    'rate(energy_kwh, 15x)',
    [[17, 20, '`15x` is not a number or a duration; durations are a number and one of s, m, h, d, w (like 15m or 1h)']],
  ],
  [
    'if(value < 1 < 2, 1, 0)',
    [[13, 14, 'Comparisons cannot be chained; write `a < b and b < c` instead of `a < b < c`']],
  ],
  ["if(value = 'a', 1, 0)", [[11, 14, "`=` needs values of the same kind, but `value` is a number and `'a'` is text"]]],
  [
    'rolling_average(value, 1h)',
    [[0, 15, '`rolling_average` is not a formula function; did you mean `rolling_avg`?', 'rolling_avg']],
  ],
  ['if(value > 1, 2)', [[0, 16, '`if` takes 3 arguments but has 2: if(condition, then, otherwise)']]],
  [
    'value 2',
    [
      [
        6,
        7,
        '`2` cannot follow a complete expression here; is an operator such as `+`, `*` or `and` missing before it?',
      ],
    ],
  ],
  [
    ')',
    [
      [0, 1, 'A value is missing before `)`'],
      [0, 1, 'This `)` has no matching `(`; remove it or add `(` where the group starts'],
    ],
  ],
  ['', [[0, 0, 'The formula is empty; write an expression such as `value * 2`']]],
  ['if(value is 3, 1, 0)', [[12, 13, 'After `is` write `null` or `not null`, as in `status is not null`']]],
  ["if(status in 'ok', 1, 0)", [[13, 17, "`in` needs a list in parentheses, as in `status in ('ok', 'late')`"]]],
  ['if(status, 1, 0)', [[3, 9, 'The condition of `if` needs true/false, but this is text']]],
  ['lag(value, 0)', [[11, 12, 'How many records `lag` looks back must be a plain whole number from 1 to 10000']]],
  [
    "if(matches(status, '(?=a)'), 1, 0)",
    [[19, 26, 'Look-ahead and look-behind (`(?=`, `(?!`, `(?<=`, `(?<!`) are not supported in patterns (RE2 syntax)']],
  ],
  [
    'value; drop table x; --',
    [
      [5, 6, '`;` (U+003B) has no meaning in a formula'],
      [19, 20, '`;` (U+003B) has no meaning in a formula'],
      [22, 23, 'A value is missing after `-`'],
    ],
  ],
  ["rate(energy_kwh, 1h, 'x')", [[21, 24, "The mode of `rate` is one of 'counter', 'restart', 'gauge'"]]],
  ['hour(value)', [[5, 10, '`hour` needs a time, but this is a number']]],
  ["'a' + 1", [[0, 3, '`+` needs a number, but this is text']]],
  ['value between 1', [[15, 15, '`between` needs `and` between its two bounds, as in `value between 0 and 100`']]],
  [
    'value > 1',
    [
      [
        0,
        9,
        "A metric's value must be a number, but this formula gives true/false; use `if(condition, 1, 0)` to count it",
      ],
    ],
  ],
  [
    'value + 15m',
    [[8, 11, 'A duration like `15m` can only be the window of `rate` or a `rolling_…` function; `+` needs a number']],
  ],
  [
    'payload',
    [
      [
        0,
        7,
        '`payload` is a STRUCT(a INTEGER) column; formulas can use number, text, true/false and time columns only',
      ],
    ],
  ],
  ['rate', [[0, 4, '`rate` is a function; call it with parentheses, as in `rate(x, per?, mode?)`']]],
  [
    "case(value > 1, 'a', 2)",
    [[21, 22, "`case` needs values of the same kind, but `'a'` is text and `2` is a number"]],
  ],
  ['1e999', [[0, 5, 'This number is too large to be used']]],
];

describe('formula diagnostics (golden)', () => {
  it.each(GOLDEN)('%s', (formula, expected) => {
    expect(diagnose(formula)).toEqual(expected);
  });

  it('accepts the demo pipelines as written', () => {
    const draft: PipelineDraft = {
      filter: "status = 'ok'",
      metrics: [
        { name: 'power_kw', formula: 'value * multiplier / 1000', unit: 'kW' },
        { name: 'energy_rate', formula: 'rate(energy_kwh, 1h)', unit: 'kWh/h' },
      ],
    };
    expect(checkPipeline(draft, SCHEMA)).toEqual({ diagnostics: [], ok: true, metricTypes: ['number', 'number'] });
  });

  it('resolves metrics above, rejects metrics below and self references, and names the filter rules', () => {
    const r = checkPipeline(
      {
        filter: 'lag(value) > 0 and power_kw > 1',
        metrics: [
          { name: 'power_kw', formula: 'value * multiplier', unit: '' },
          { name: 'doubled', formula: 'power_kw * 2 + later', unit: '' },
          { name: 'later', formula: 'later + 1', unit: '' },
          { name: 'value', formula: 'value', unit: '' },
          { name: 'uses_value', formula: 'value', unit: '' },
        ],
      },
      SCHEMA,
    );
    expect(r.ok).toBe(false);
    expect(r.metricTypes).toEqual(['number', null, null, 'number', 'number']);
    expect(r.diagnostics.map((d) => [d.where, d.diagnostic.severity, d.diagnostic.message])).toEqual([
      [
        'filter',
        'error',
        '`lag` cannot be used in the filter: the filter picks records before per-series windows are computed; use it in a metric',
      ],
      [
        'filter',
        'error',
        '`power_kw` is a metric; the filter can use Bronze columns only, because it picks records before metrics are computed',
      ],
      [
        { metric: 1 },
        'error',
        '`later` is a metric defined below this one; a metric can use only the metrics above it (move `later` up, unless it uses this one, which would be a cycle)',
      ],
      [{ metric: 2 }, 'error', 'A metric cannot use itself: `later` is the metric being defined here'],
      [{ metric: 4 }, 'warning', '`value` is both a Bronze column and a metric above; the metric is used'],
    ]);
  });

  it('checks metric names', () => {
    const r = checkPipeline(
      {
        filter: null,
        metrics: [
          { name: 'a b', formula: '1', unit: '' },
          { name: 'ts', formula: '1', unit: '' },
          { name: 'x', formula: '1', unit: '' },
          { name: 'X', formula: '1', unit: '' },
          { name: '', formula: '1', unit: '' },
          { name: 'and', formula: '1', unit: '' },
        ],
      },
      SCHEMA,
    );
    expect(r.diagnostics.map((d) => d.diagnostic.message)).toEqual([
      'The metric name `a b` can use only letters A–Z, digits and _, and cannot start with a digit',
      '`ts` is the name of an output column (series_id, ts); pick another metric name',
      'Another metric above is already named `X`; metric names must be different',
      'This metric has no name; give it one made of letters, digits and _',
      '`and` is a word of the formula language; pick another metric name',
    ]);
  });

  it('says when the Bronze data lacks series_id or ts', () => {
    const r = checkPipeline({ filter: null, metrics: [{ name: 'm', formula: 'value', unit: '' }] }, [
      { name: 'value', type: 'DOUBLE' },
    ]);
    expect(r.diagnostics.map((d) => d.diagnostic.message)).toEqual([
      "This pipeline's Bronze data has no series_id or ts column, which every pipeline needs; check that the right Bronze files are cached",
    ]);
  });
});
