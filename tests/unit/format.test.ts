import { describe, expect, it } from 'vitest';
import { formatUtcInstant } from '../../src/shared/format';

describe('formatUtcInstant', () => {
  it('shows an instant in UTC to the minute, with seconds only where they matter', () => {
    expect(formatUtcInstant('2026-10-06T02:15:00.000Z')).toBe('2026-10-06 02:15 UTC');
    expect(formatUtcInstant('2026-10-05T22:00:00+00:00')).toBe('2026-10-05 22:00 UTC');
    expect(formatUtcInstant('2026-10-06T02:15:30.000Z')).toBe('2026-10-06 02:15:30 UTC');
    expect(formatUtcInstant('2026-10-06T04:15:00+02:00')).toBe('2026-10-06 02:15 UTC');
    expect(formatUtcInstant('not a time')).toBe('not a time');
  });
});
