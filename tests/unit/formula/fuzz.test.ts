/**
 * Fuzzing and injection: whatever text a formula holds, the parser and checker
 * never crash, and the SQL that comes out carries user text only inside
 * escaped literals and quoted, schema-checked identifiers.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkPipeline,
  compilePipeline,
  FormulaError,
  tokenize,
  type BronzeColumn,
  type PipelineDraft,
} from '../../../src/shared/formula';
import { formulaArbitraries, SCHEMA } from '../../support/formulaArbitraries';

/**
 * Splits SQL into what is outside quotes, the '…' literals (decoded) and the
 * "…" identifiers (decoded). Throws on an unterminated quote.
 */
function scanSql(sql: string): { outside: string; literals: string[]; identifiers: string[] } {
  let outside = '';
  const literals: string[] = [];
  const identifiers: string[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === "'" || c === '"') {
      let value = '';
      i++;
      for (;;) {
        if (i >= sql.length) throw new Error(`unterminated ${c} in ${sql}`);
        if (sql[i] === c) {
          if (sql[i + 1] === c) {
            value += c;
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += sql[i++];
      }
      (c === "'" ? literals : identifiers).push(value);
      outside += ' ? ';
      continue;
    }
    outside += c;
    i++;
  }
  return { outside, literals, identifiers };
}

const INTERNAL_LITERALS = new Set(['nan', 'inf', '-inf']);

/** The SQL is safe: nothing but our own text outside quotes, user text only as data or known names. */
function expectSafeSql(sql: string, draft: PipelineDraft, schema: BronzeColumn[]): void {
  const { outside, literals, identifiers } = scanSql(sql);
  expect(outside).not.toMatch(/;|--|\/\*|\$\$/);
  // Outside quotes: words and punctuation the compiler writes, and numbers.
  expect(outside).toMatch(/^[A-Za-z0-9_ (),.:*+\-/%<>=!?\n]*$/);
  const texts = [draft.filter ?? '', ...draft.metrics.map((m) => m.formula)].join('\n');
  for (const l of literals) {
    if (INTERNAL_LITERALS.has(l)) continue;
    // Each literal is a text value the author wrote (its quote doubled in the formula, or the other quote kind).
    expect(
      texts.includes(l) || texts.includes(l.replaceAll("'", "''")) || texts.includes(l.replaceAll('"', '""')),
    ).toBe(true);
  }
  const names = new Set([...schema.map((c) => c.name), ...draft.metrics.map((m) => m.name)]);
  for (const id of identifiers) expect(names.has(id)).toBe(true);
}

function tryCompile(draft: PipelineDraft, schema: BronzeColumn[] = SCHEMA): string | null {
  try {
    return compilePipeline(draft, schema, 'src');
  } catch (e) {
    expect(e).toBeInstanceOf(FormulaError);
    return null;
  }
}

/** Formula-ish noise: pieces of the language, quotes, SQL, and arbitrary characters. */
const noise = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        'value',
        'status',
        'ts',
        'multiplier',
        'm0',
        'if(',
        'rate(',
        'rolling_avg(',
        'lag(',
        ',',
        ')',
        '(',
        ' ',
        "'",
        '"',
        "''",
        '15m',
        '1e3',
        ' and ',
        ' or ',
        ' not ',
        ' in (',
        ' between ',
        ' is null',
        '+',
        '-',
        '*',
        '/',
        '%',
        '^',
        '=',
        '<>',
        '<=',
      ),
      fc.constantFrom(
        ';',
        '--',
        '/*',
        '*/',
        '$$',
        'drop table src',
        '\\',
        '\0',
        '\u0430',
        '\u200b',
        '\u202e',
        'ｖ',
        '𝐯',
        '"; select 1; --',
      ),
      fc.string({ unit: 'binary', maxLength: 4 }),
    ),
    { maxLength: 20 },
  )
  .map((parts) => parts.join(''));

describe('formula fuzzing', () => {
  it('never crashes on random text, and keeps every range inside the text', () => {
    fc.assert(
      fc.property(fc.oneof(noise, fc.string({ unit: 'binary', maxLength: 60 })), (text) => {
        for (const t of tokenize(text)) {
          expect(t.range.start).toBeGreaterThanOrEqual(0);
          expect(t.range.end).toBeLessThanOrEqual(text.length);
          expect(t.range.end).toBeGreaterThan(t.range.start);
        }
        const draft: PipelineDraft = { filter: text, metrics: [{ name: 'm0', formula: text, unit: '' }] };
        const checked = checkPipeline(draft, SCHEMA);
        for (const { diagnostic } of checked.diagnostics) {
          expect(diagnostic.range.start).toBeGreaterThanOrEqual(0);
          expect(diagnostic.range.end).toBeLessThanOrEqual(text.length);
          expect(diagnostic.message.length).toBeGreaterThan(10);
        }
        const sqlM = tryCompile({ filter: null, metrics: [{ name: 'm0', formula: text, unit: '' }] });
        if (sqlM) expectSafeSql(sqlM, { filter: null, metrics: [{ name: 'm0', formula: text, unit: '' }] }, SCHEMA);
        const sqlF = tryCompile({ filter: text, metrics: [] });
        if (sqlF) expectSafeSql(sqlF, { filter: text, metrics: [] }, SCHEMA);
      }),
      { numRuns: 400 },
    );
  });

  it('compiles every random valid pipeline to safe SQL', () => {
    const { draft } = formulaArbitraries();
    fc.assert(
      fc.property(draft, (d) => {
        const checked = checkPipeline(d, SCHEMA);
        expect(checked.diagnostics).toEqual([]);
        expectSafeSql(compilePipeline(d, SCHEMA, 'src'), d, SCHEMA);
      }),
      { numRuns: 200 },
    );
  });

  it('never lets a metric name out of its quotes', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 20 }), (name) => {
        const draft: PipelineDraft = { filter: null, metrics: [{ name, formula: 'value', unit: '' }] };
        const sql = tryCompile(draft);
        if (sql) {
          expect(name).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
          expectSafeSql(sql, draft, SCHEMA);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('injection attempts', () => {
  const ok = (formula: string): string => {
    const draft: PipelineDraft = { filter: null, metrics: [{ name: 'm', formula, unit: '' }] };
    const sql = compilePipeline(draft, SCHEMA, 'src');
    expectSafeSql(sql, draft, SCHEMA);
    return sql;
  };
  const rejected = (formula: string): string[] => {
    const draft: PipelineDraft = { filter: null, metrics: [{ name: 'm', formula, unit: '' }] };
    expect(() => compilePipeline(draft, SCHEMA, 'src')).toThrow(FormulaError);
    return checkPipeline(draft, SCHEMA).diagnostics.map((d) => d.diagnostic.message);
  };

  it('keeps quote games inside one escaped literal', () => {
    expect(ok("if(status = 'x''; drop table src; --', 1, 0)")).toContain("'x''; drop table src; --'");
    expect(ok('if(status = "it\'s; drop table src", 1, 0)')).toContain("'it''s; drop table src'");
    expect(ok("if(status = 'a\\', 1, 0)")).toContain("'a\\'");
    expect(ok("if(status = '$$ select 1 $$', 1, 0)")).toContain("'$$ select 1 $$'");
  });

  it('rejects SQL written into a formula', () => {
    expect(rejected("value'; drop table src; --")[0]).toBe(
      "This text value has no closing '; add ' where the text ends",
    );
    expect(rejected('value; drop table src')[0]).toBe('`;` (U+003B) has no meaning in a formula');
    expect(rejected('value /* comment */')[0]).toBe(
      '`*` cannot start a value; write a number, a text in quotes, a column name or a function call here',
    );
    expect(rejected('"value" + 1')[0]).toBe('`+` needs a number, but this is text');
    expect(rejected("if(status = 'a', 1, 0) union select 1")[0]).toMatch(
      /^`union` cannot follow a complete expression/,
    );
    expect(rejected("if(status = 'a\0', 1, 0)")[0]).toBe('A text value cannot contain the NUL character');
  });

  it('rejects look-alike characters in names', () => {
    for (const [formula, ch] of [
      ['vаlue', 'U+0430'], // Cyrillic a
      ['ｖalue', 'U+FF56'], // fullwidth v
      ['𝐯alue', 'U+1D42F'], // mathematical bold v
      ['valuе', 'U+0435'], // Cyrillic e at the end
      ['ʋalue', 'U+028B'],
    ] as const) {
      const [message] = rejected(`${formula} * 2`);
      expect(message).toContain(ch);
      expect(message).toContain('not a plain Latin letter');
    }
    expect(rejected('value\u200b * 2')[0]).toBe('`\u200b` (U+200B) has no meaning in a formula');
    expect(rejected('\u202evalue')[0]).toBe('`\u202e` (U+202E) has no meaning in a formula');
  });

  it('rejects metric names that are not plain names', () => {
    const draft: PipelineDraft = { filter: null, metrics: [{ name: 'x" FROM src; --', formula: 'value', unit: '' }] };
    expect(() => compilePipeline(draft, SCHEMA, 'src')).toThrow(/The metric name/);
  });

  it('quotes schema names exactly, whatever they hold', () => {
    const schema: BronzeColumn[] = [
      { name: 'series_id', type: 'VARCHAR' },
      { name: 'ts', type: 'TIMESTAMPTZ' },
      { name: 'Value', type: 'DOUBLE' },
      { name: 'we"ird; --', type: 'DOUBLE' },
    ];
    const draft: PipelineDraft = { filter: null, metrics: [{ name: 'm', formula: 'value * 2', unit: '' }] };
    const sql = compilePipeline(draft, schema, 'src');
    expect(sql).toContain('CAST("Value" AS DOUBLE)');
    expect(sql).not.toContain('we"ird');
  });
});
