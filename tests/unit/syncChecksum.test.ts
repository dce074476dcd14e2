import { describe, expect, it } from 'vitest';
import { DayChecksum, isoUtcMicros, pgHashBytes, pgHashFloat8 } from '../../src/main/services/sync/dayChecksum';

// Values PostgreSQL 18 returns for hashtext(…) and hashfloat8(…) (checked against the embedded server;
// tests/integration/metricSync.test.ts compares whole days against the server's own checksum).
const hashtext = (s: string) => pgHashBytes(Buffer.from(s, 'utf8'), 0, Buffer.byteLength(s));

describe("the sync checksum's PostgreSQL hashes", () => {
  it('gives the same hash for ±0 and for every NaN, as hashfloat8 does', () => {
    expect(pgHashFloat8(0)).toBe(0);
    expect(pgHashFloat8(-0)).toBe(0);
    const otherNaN = new Float64Array(new BigUint64Array([0x7ff0000000000001n]).buffer)[0]!;
    expect(pgHashFloat8(otherNaN)).toBe(pgHashFloat8(Number.NaN));
    expect(pgHashFloat8(1)).not.toBe(pgHashFloat8(-1));
  });

  it('hashes every tail length of hash_bytes differently and within int4', () => {
    const seen = new Set<number>();
    for (let n = 0; n <= 26; n++) {
      const h = hashtext('x'.repeat(n));
      expect(h).toBe(h | 0);
      seen.add(h);
    }
    expect(seen.size).toBe(27);
  });

  it("sums rows order-independently into the server's summary text", () => {
    const a = new DayChecksum();
    const b = new DayChecksum();
    const rows: [number, string, number | null][] = [
      [1_767_225_600_000_001, 'dev-1\u001fpower', 1.5],
      [1_767_225_700_000_000, 'dev-2\u001fpower', null],
      [1_767_225_650_123_456, 'dev-1\u001fenergy', Number.NaN],
    ];
    for (const [t, pair, v] of rows) a.add(t, hashtext(pair), v);
    for (const [t, pair, v] of [...rows].reverse()) b.add(t, hashtext(pair), v);
    expect(a.summary()).toEqual(b.summary());
    expect(a.summary()).toMatchObject({ rows: 3, maxTime: '2026-01-01T00:01:40.000000Z' });
    expect(new DayChecksum().summary()).toBeNull();
  });

  it('writes max(time) as the server does, to the microsecond', () => {
    expect(isoUtcMicros(1_767_225_600_123_456)).toBe('2026-01-01T00:00:00.123456Z');
    expect(isoUtcMicros(946_684_799_999_999)).toBe('1999-12-31T23:59:59.999999Z');
  });
});
