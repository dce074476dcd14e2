import { describe, expect, it } from 'vitest';
import { FilterValueError, filterCondition, parseTimeInZone, whereClause } from '../../../src/shared/gridView';
import { rowToJson, rowsToTsv, tsvField } from '../../../src/renderer/features/grid/copyFormat';
import { decimalsFor, formatCell, formatFixed } from '../../../src/renderer/workbench/format';
import { MAX_SCROLL_PX, scrollLayout, scrollTopFor } from '../../../src/renderer/features/grid/scaledScroll';
import { moveColumn } from '../../../src/renderer/features/grid/columnOrder';
import { singleStatement } from '../../../src/shared/sqlText';
import { wallTimeToEpochMs, zoneOffsetMs } from '../../../src/shared/timeZone';

describe('grid filters compile to a safe WHERE', () => {
  it('builds each operator for the column kind', () => {
    expect(filterCondition({ column: 'value', kind: 'float', op: 'gt', value: ' 1.5e3 ' })).toBe('"value" > 1.5e3');
    expect(filterCondition({ column: 'n', kind: 'integer', op: 'eq', value: '-42' })).toBe('"n" = -42');
    expect(filterCondition({ column: 'name', kind: 'text', op: 'contains', value: 'Ab' })).toBe(
      `contains(lower(CAST("name" AS VARCHAR)), lower('Ab'))`,
    );
    expect(filterCondition({ column: 'name', kind: 'text', op: 'eq', value: 'x' })).toBe(
      `CAST("name" AS VARCHAR) = 'x'`,
    );
    expect(filterCondition({ column: 'd', kind: 'date', op: 'lt', value: '2024-05-01' })).toBe(
      `"d" < DATE '2024-05-01'`,
    );
    expect(filterCondition({ column: 'ok', kind: 'boolean', op: 'eq', value: 'TRUE' })).toBe('"ok" = true');
    expect(filterCondition({ column: 'x', kind: 'text', op: 'is_null', value: 'ignored' })).toBe('"x" IS NULL');
    expect(filterCondition({ column: 'x', kind: 'float', op: 'not_null', value: '' })).toBe('"x" IS NOT NULL');
    expect(whereClause([])).toBe('');
    expect(
      whereClause([
        { column: 'a', kind: 'integer', op: 'gt', value: '1' },
        { column: 'b', kind: 'text', op: 'is_null', value: '' },
      ]),
    ).toBe('WHERE ("a" > 1) AND ("b" IS NULL)');
  });

  it('reads typed times in the workspace time zone, for zone-aware columns only', () => {
    const utc = filterCondition({ column: 'ts', kind: 'timestamp', op: 'gt', value: '2024-01-15 12:00' });
    expect(utc).toBe(`epoch_us("ts") > ${Date.UTC(2024, 0, 15, 12) * 1000}`);
    const zoned = filterCondition(
      { column: 'ts', kind: 'timestamp', op: 'gt', value: '2024-01-15 12:00' },
      { timeZone: 'Europe/Paris', zoned: new Set(['ts']) },
    );
    expect(zoned).toBe(`epoch_us("ts") > ${Date.UTC(2024, 0, 15, 11) * 1000}`);
    // A plain TIMESTAMP column has no zone: the typed time is taken as is.
    const plain = filterCondition(
      { column: 'ts', kind: 'timestamp', op: 'gt', value: '2024-01-15 12:00' },
      { timeZone: 'Europe/Paris', zoned: new Set() },
    );
    expect(plain).toBe(utc);
    expect(parseTimeInZone('2024-07-01 00:00:00.5', 'UTC')).toBe(BigInt(Date.UTC(2024, 6, 1)) * 1000n + 500000n);
  });

  it('never lets a value or a column name become SQL', () => {
    const evil = "x'); DROP TABLE result_1; --";
    expect(filterCondition({ column: 'c', kind: 'text', op: 'eq', value: evil })).toBe(
      `CAST("c" AS VARCHAR) = 'x''); DROP TABLE result_1; --'`,
    );
    expect(filterCondition({ column: 'c', kind: 'text', op: 'contains', value: evil })).toContain(
      `lower('x''); DROP TABLE result_1; --')`,
    );
    expect(filterCondition({ column: 'a" OR 1=1 --', kind: 'text', op: 'is_null', value: '' })).toBe(
      '"a"" OR 1=1 --" IS NULL',
    );
    // Numbers, times, dates and booleans are validated, never pasted.
    for (const [kind, value] of [
      ['integer', '1 OR 1=1'],
      ['float', '1; DROP TABLE t'],
      ['timestamp', "2024-01-01' OR '1'='1"],
      ['date', "2024-01-01' --"],
      ['boolean', 'true OR 1=1'],
    ] as const) {
      expect(() => filterCondition({ column: 'c', kind, op: 'eq', value }), `${kind}: ${value}`).toThrow(
        FilterValueError,
      );
    }
    expect(() => filterCondition({ column: 'c', kind: 'text', op: 'eq', value: 'a\0b' })).toThrow();
  });

  it('says what is wrong with a value in the user’s words', () => {
    expect(() => filterCondition({ column: 'value', kind: 'float', op: 'gt', value: 'ten' })).toThrow(
      '“ten” is not a number (column value)',
    );
    expect(() => filterCondition({ column: 'ts', kind: 'timestamp', op: 'gt', value: 'yesterday' })).toThrow(
      /not a time: write it as 2024-05-01/,
    );
  });
});

describe('copy formatting', () => {
  const columns = [
    { name: 'id', kind: 'integer' as const },
    { name: 'label', kind: 'text' as const },
    { name: 'ts', kind: 'timestamp' as const },
    { name: 'v', kind: 'float' as const },
  ];
  const ts = Date.UTC(2024, 4, 1, 13, 30);

  it('copies TSV with a header for whole rows, NULL as an empty cell, and quotes tabs and new lines', () => {
    const rows = [
      [1n, 'plain', ts, 1.5],
      [2n, 'tab\there', null, null],
      [3n, 'line\nbreak "q"', ts, -0.25],
    ];
    expect(rowsToTsv(columns, rows, true)).toBe(
      [
        'id\tlabel\tts\tv',
        '1\tplain\t2024-05-01 13:30:00\t1.5',
        '2\t"tab\there"\t\t',
        '3\t"line\nbreak ""q"""\t2024-05-01 13:30:00\t-0.25',
      ].join('\n'),
    );
    expect(rowsToTsv(columns.slice(1, 2), [['only']], false)).toBe('only');
    expect(tsvField('a"b')).toBe('"a""b"');
  });

  it('copies timestamps in the workspace time zone when the column has one', () => {
    expect(rowsToTsv([{ name: 'ts', kind: 'timestamp', timeZone: 'America/New_York' }], [[ts]], false)).toBe(
      '2024-05-01 09:30:00-04',
    );
  });

  it('copies a row as JSON with exact integers', () => {
    const json = JSON.parse(rowToJson(columns, [9007199254740993n, 'x', ts, null])) as Record<string, unknown>;
    expect(json).toEqual({ id: '9007199254740993', label: 'x', ts: '2024-05-01T13:30:00.000Z', v: null });
    expect(JSON.parse(rowToJson(columns, [5n, null, null, 2]))).toEqual({ id: 5, label: null, ts: null, v: 2 });
  });
});

describe('typed formatting', () => {
  it('gives a float column one number of decimals', () => {
    expect(decimalsFor([1, 2.5, 3.125, null, 'x'])).toBe(3);
    expect(decimalsFor([1, 2])).toBe(0);
    expect(formatFixed(2.5, 3)).toBe('2.500');
    expect(formatFixed(-0.0001, 2)).toBe('0.00');
    expect(formatCell(2.5, 'float', undefined, 3)).toBe('2.500');
  });

  it('shows zone-aware timestamps in the workspace time zone', () => {
    const t = Date.UTC(2024, 0, 15, 12);
    expect(formatCell(t, 'timestamp')).toBe('2024-01-15 12:00:00');
    expect(formatCell(t, 'timestamp', 'Asia/Tokyo')).toBe('2024-01-15 21:00:00+09');
    expect(zoneOffsetMs(t, 'Europe/Paris')).toBe(3600_000);
    // Across the DST change: 2024-03-31 03:30 in Paris is 01:30 UTC.
    expect(wallTimeToEpochMs(Date.UTC(2024, 2, 31, 3, 30), 'Europe/Paris')).toBe(Date.UTC(2024, 2, 31, 1, 30));
  });
});

describe('scaled scrolling for results taller than a browser can lay out', () => {
  it('is exact below the cap', () => {
    const lay = scrollLayout(1000, 24, 240, 480, 0);
    expect(lay.totalHeight).toBe(24_000);
    expect(lay.rows[0]).toEqual({ index: 10, top: 240 });
  });

  it('reaches the last of 10 million rows', () => {
    const rows = 10_000_000;
    const viewport = 480;
    const lay = scrollLayout(rows, 24, MAX_SCROLL_PX - viewport, viewport, 0);
    expect(lay.totalHeight).toBe(MAX_SCROLL_PX);
    expect(lay.last).toBe(rows - 1);
    const lastRow = lay.rows.find((r) => r.index === rows - 1)!;
    // The last row ends at the bottom of the viewport.
    expect(lastRow.top + 24).toBeCloseTo(MAX_SCROLL_PX, 0);
    const top = scrollTopFor(9_999_000, rows, 24, viewport);
    expect(scrollLayout(rows, 24, top, viewport, 0).first).toBe(9_999_000);
    expect(scrollLayout(rows, 24, 0, viewport, 0).first).toBe(0);
  });
});

describe('the one statement of a query', () => {
  it('drops the trailing semicolon and comments, keeps semicolons in strings', () => {
    expect(singleStatement('SELECT 1; -- done\n')).toBe('SELECT 1');
    expect(singleStatement("SELECT ';' AS s /* ; */ ;")).toBe("SELECT ';' AS s");
    expect(singleStatement('-- only a comment')).toBeNull();
    expect(singleStatement('SELECT 1; SELECT 2')).toBe('many');
    expect(singleStatement(';; SELECT "a;b" FROM t;')).toBe('SELECT "a;b" FROM t');
  });
});

describe('column order', () => {
  it('moves a column to another place', () => {
    expect(moveColumn([0, 1, 2, 3], 0, 2)).toEqual([1, 2, 0, 3]);
    expect(moveColumn([0, 1, 2, 3], 3, 0)).toEqual([3, 0, 1, 2]);
  });
});
