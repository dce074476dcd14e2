import { describe, expect, it } from 'vitest';
import { formatBytes } from '../../../src/shared/format';
import {
  formatCell,
  formatDate,
  formatDuration,
  formatFloat,
  formatRowCount,
  formatTimestamp,
  shortType,
} from '../../../src/renderer/workbench/format';
import { MAX_AUTO_WIDTH, MIN_WIDTH, autoWidths } from '../../../src/renderer/features/grid/columnWidths';

describe('grid formatting', () => {
  it('shows times as YYYY-MM-DD HH:mm:ss, with milliseconds only when present, as DuckDB prints them', () => {
    expect(formatTimestamp(Date.UTC(2026, 2, 29, 7, 5, 9))).toBe('2026-03-29 07:05:09');
    expect(formatTimestamp(Date.UTC(2026, 2, 29, 7, 5, 9, 120))).toBe('2026-03-29 07:05:09.12');
    // Microsecond timestamps arrive as fractional milliseconds.
    expect(formatTimestamp(1700000000123.456)).toBe('2023-11-14 22:13:20.123');
    expect(formatTimestamp(0)).toBe('1970-01-01 00:00:00');
    expect(formatDate(Date.UTC(2026, 0, 2))).toBe('2026-01-02');
  });

  it('formats doubles to a sensible precision', () => {
    expect(formatFloat(12.5)).toBe('12.5');
    expect(formatFloat(1 / 3)).toBe('0.333333');
    expect(formatFloat(3)).toBe('3');
    expect(formatFloat(-0.0000001)).toBe('-1e-7');
    expect(formatFloat(1.5e20)).toBe('1.5e+20');
    expect(formatFloat(Number.NaN)).toBe('NaN');
    expect(formatFloat(-Infinity)).toBe('-Infinity');
    expect(formatFloat(-0.0000004)).toBe('-4e-7');
    expect(formatFloat(-0.0)).toBe('0');
  });

  it('keeps integers exact, BigInt included', () => {
    expect(formatCell(42, 'integer')).toBe('42');
    expect(formatCell(9007199254740993n, 'integer')).toBe('9007199254740993');
    expect(formatCell(null, 'integer')).toBe('NULL');
    expect(formatCell(true, 'boolean')).toBe('true');
    expect(formatCell('x', 'text')).toBe('x');
    expect(formatCell(Date.UTC(2026, 0, 1), 'timestamp')).toBe('2026-01-01 00:00:00');
  });

  it('shortens DuckDB type names for headers', () => {
    expect(shortType('TIMESTAMP WITH TIME ZONE')).toBe('timestamptz');
    expect(shortType('DOUBLE')).toBe('double');
    expect(shortType('BIGINT')).toBe('bigint');
    expect(shortType('VARCHAR')).toBe('text');
    expect(shortType('DECIMAL(18, 3)')).toBe('decimal(18,3)');
    expect(shortType('INTEGER[]')).toBe('int[]');
    expect(shortType('STRUCT(a INTEGER)')).toBe('struct');
  });

  it('says counts, durations and sizes the way people read them', () => {
    expect(formatRowCount(1)).toBe('1 row');
    expect(formatRowCount(12)).toBe('12 rows');
    expect(formatRowCount(1234567)).toBe('1,234,567 rows');
    expect(formatDuration(0.4)).toBe('<1 ms');
    expect(formatDuration(412.4)).toBe('412 ms');
    expect(formatDuration(1234)).toBe('1.23 s');
    expect(formatDuration(125_000)).toBe('2 min 5 s');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(50 * 1024 * 1024)).toBe('50 MB');
  });
});

describe('fitted column widths', () => {
  it('fits the longest value or the header, within bounds', () => {
    const widths = autoWidths(
      ['id', 'a_rather_long_column_name', 'payload', 'n'],
      ['integer', 'text', 'text', 'integer'],
      [
        [9007199254740993n, 'x', 'y'.repeat(500), null],
        [1, 'x', 'short', null],
      ],
    );
    expect(widths[0]).toBeGreaterThanOrEqual(16 * 7); // all 16 digits visible
    expect(widths[1]).toBeGreaterThanOrEqual(25 * 7); // the header is readable
    expect(widths[2]).toBe(MAX_AUTO_WIDTH);
    expect(widths[3]).toBe(MIN_WIDTH);
  });

  it('opens a column of times wide enough for the time with its offset in any zone', () => {
    const t = Date.UTC(2026, 9, 1, 12, 30, 15, 250);
    const [width] = autoWidths(['time'], ['timestamp'], [[t]]);
    for (const zone of ['UTC', 'Europe/Berlin', 'Asia/Kolkata']) {
      expect(width).toBeGreaterThanOrEqual(formatCell(t, 'timestamp', zone).length * 7.2);
    }
  });
});
