/**
 * One time format everywhere: the grid, copies, the inspector, chart tooltips
 * and CSV exports show an instant as DuckDB and PostgreSQL print a
 * TIMESTAMPTZ in the workspace's zone; the "(UTC)" time inputs read and show UTC.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { formatInstant as chartTooltipTime } from '../../src/renderer/features/charts/chartFormat';
import { formatCell } from '../../src/renderer/workbench/format';
import { inspectorText } from '../../src/renderer/features/inspector/inspectorFormat';
import { parseTimeInZone } from '../../src/shared/gridView';
import { formatInstant, formatOffset, parseUtcInput, utcInputValue } from '../../src/shared/timeZone';

const BERLIN_WINTER = Date.UTC(2026, 2, 8, 13, 5, 0, 123);
const BERLIN_SUMMER = Date.UTC(2026, 6, 8, 13, 5, 0);

describe('the one time format', () => {
  it('is wall-clock time in the zone with its offset, milliseconds only when present', () => {
    expect(formatInstant(BERLIN_WINTER, 'Europe/Berlin')).toBe('2026-03-08 14:05:00.123+01');
    expect(formatInstant(BERLIN_SUMMER, 'Europe/Berlin')).toBe('2026-07-08 15:05:00+02');
    expect(formatInstant(BERLIN_SUMMER, 'UTC')).toBe('2026-07-08 13:05:00+00');
    expect(formatInstant(Date.UTC(2026, 2, 8, 13, 5, 0, 120), 'Asia/Kolkata')).toBe('2026-03-08 18:35:00.12+05:30');
    expect(formatInstant(BERLIN_WINTER, 'America/St_Johns')).toBe('2026-03-08 10:35:00.123-02:30');
    expect(formatOffset(0)).toBe('+00');
    expect(formatOffset(-4 * 3_600_000)).toBe('-04');
  });

  it('is what DuckDB writes to a CSV export with the session in the workspace zone', async () => {
    const db = await DuckDBInstance.create(':memory:');
    const con = await db.connect();
    try {
      for (const [zone, ms] of [
        ['Europe/Berlin', BERLIN_WINTER],
        ['Europe/Berlin', BERLIN_SUMMER],
        ['Asia/Kolkata', Date.UTC(2026, 2, 8, 13, 5, 0, 120)],
        ['UTC', BERLIN_SUMMER],
      ] as const) {
        await con.run(`SET TimeZone = '${zone}'`);
        const reader = await con.runAndReadAll(`SELECT (to_timestamp(0) + to_milliseconds(${ms}))::VARCHAR AS t`);
        expect(formatInstant(ms, zone)).toBe(reader.getRowObjectsJson()[0]!.t);
      }
    } finally {
      con.closeSync();
      db.closeSync();
    }
  });

  it('is the same in grid cells, chart tooltips and the inspector', () => {
    const text = formatInstant(BERLIN_WINTER, 'Europe/Berlin');
    expect(formatCell(BERLIN_WINTER, 'timestamp', 'Europe/Berlin')).toBe(text);
    expect(chartTooltipTime(BERLIN_WINTER, 'Europe/Berlin')).toBe(text);
    // The inspector receives Bronze times as ISO instants.
    expect(inspectorText(new Date(BERLIN_WINTER).toISOString(), 'Europe/Berlin')).toBe(text);
    expect(inspectorText('not a time', 'Europe/Berlin')).toBe('not a time');
    expect(inspectorText(42, 'Europe/Berlin')).toBe('42');
  });

  it('reads back in a grid filter, offset and all', () => {
    for (const zone of ['Europe/Berlin', 'Asia/Kolkata', 'America/St_Johns']) {
      const shown = formatInstant(BERLIN_WINTER, zone);
      // Whatever zone the filter would assume, the offset shown wins.
      expect(parseTimeInZone(shown, 'Pacific/Auckland')).toBe(BigInt(BERLIN_WINTER) * 1000n);
    }
    expect(parseTimeInZone('2026-03-08 13:05:00Z', 'Europe/Berlin')).toBe(BigInt(Date.UTC(2026, 2, 8, 13, 5)) * 1000n);
    expect(parseTimeInZone('2026-03-08 14:05', 'Europe/Berlin')).toBe(BigInt(Date.UTC(2026, 2, 8, 13, 5)) * 1000n);
  });
});

describe('the "(UTC)" time inputs', () => {
  it('read what is typed as UTC, whatever the browser’s zone', () => {
    expect(parseUtcInput('2026-10-05 11:00')).toBe(Date.UTC(2026, 9, 5, 11));
    expect(parseUtcInput('2026-10-05T11:00:30')).toBe(Date.UTC(2026, 9, 5, 11, 0, 30));
    expect(parseUtcInput('2026-10-05')).toBeNull();
    expect(parseUtcInput('05/10/2026 11:00 AM')).toBeNull();
  });

  it('show UTC in the one format, to the minute or the second', () => {
    expect(utcInputValue(Date.UTC(2026, 9, 5, 11, 0, 30))).toBe('2026-10-05 11:00');
    expect(utcInputValue(Date.UTC(2026, 9, 5, 11, 0, 30), true)).toBe('2026-10-05 11:00:30');
  });
});
