import { describe, expect, it } from 'vitest';
import {
  breadcrumb,
  bronzeQuery,
  dayInRange,
  holdsPipelines,
  lakeRootPrefix,
  pipelinePrefix,
  placeOf,
} from '../../../src/renderer/features/lake/lakePaths';

describe('places in the Bronze lake', () => {
  it('knows pipelines and days from prefixes', () => {
    expect(placeOf('bronze/energy_meters/')).toEqual({ pipelineId: 'energy_meters', day: null });
    expect(placeOf('bronze/energy_meters/date=2026-10-01/')).toEqual({
      pipelineId: 'energy_meters',
      day: '2026-10-01',
    });
    expect(placeOf('bronze/')).toEqual({ pipelineId: null, day: null });
    expect(holdsPipelines('bronze/')).toBe(true);
    expect(holdsPipelines('team/bronze/')).toBe(true);
    expect(holdsPipelines('bronze/x/')).toBe(false);
  });

  it('starts at the profile prefix and finds pipeline folders under it', () => {
    expect(lakeRootPrefix('s3://dash-bronze/bronze/', 's3')).toBe('bronze/');
    expect(lakeRootPrefix('s3://dash-bronze/', 's3')).toBe('');
    expect(lakeRootPrefix('/home/me/lake', 'folder')).toBe('');
    expect(pipelinePrefix('bronze/', 'p')).toBe('bronze/p/');
    expect(pipelinePrefix('', 'p')).toBe('bronze/p/');
  });

  it('shows days as days in the breadcrumb', () => {
    expect(breadcrumb('bronze/p/date=2026-10-01/').map((c) => c.label)).toEqual(['lake', 'bronze', 'p', '2026-10-01']);
    expect(breadcrumb('bronze/p/').at(-1)).toEqual({ label: 'p', prefix: 'bronze/p/' });
  });

  it('opens a day in a query with quoted names', () => {
    expect(bronzeQuery('energy_meters', '2026-10-01')).toBe(
      "SELECT * FROM bronze.energy_meters WHERE date = '2026-10-01' LIMIT 100;\n",
    );
    expect(bronzeQuery('Meter-2', null)).toBe('SELECT * FROM bronze."Meter-2" LIMIT 100;\n');
  });

  it('filters days by an inclusive range', () => {
    expect(dayInRange('2026-10-02', '2026-10-01', '2026-10-02')).toBe(true);
    expect(dayInRange('2026-10-03', '', '2026-10-02')).toBe(false);
    expect(dayInRange('2026-10-03', '', '')).toBe(true);
  });
});
