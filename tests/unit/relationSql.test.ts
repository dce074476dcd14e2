import { describe, expect, it } from 'vitest';
import { relationName, selectFromRelation } from '../../src/shared/sql';

describe('catalog queries', () => {
  it('names relations plainly when it is safe and quotes them otherwise', () => {
    expect(selectFromRelation('main', 'metrics')).toBe('SELECT * FROM metrics LIMIT 100;\n');
    expect(relationName('bronze', 'meter_readings')).toBe('bronze.meter_readings');
    expect(relationName('bronze', 'Meter-2')).toBe('bronze."Meter-2"');
    expect(relationName('main', 'order')).toBe('"order"');
    expect(relationName('main', 'we"ird')).toBe('"we""ird"');
  });
});
