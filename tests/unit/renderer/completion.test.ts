import { describe, expect, it } from 'vitest';
import type { Catalog } from '../../../src/shared/api/contract';
import { suggestionsAt } from '../../../src/renderer/features/query/completion';

const catalog: Catalog = {
  relations: [
    {
      schema: 'main',
      name: 'metrics',
      kind: 'view',
      columns: [
        { name: 'time', type: 'TIMESTAMP WITH TIME ZONE' },
        { name: 'value', type: 'DOUBLE' },
      ],
    },
    { schema: 'bronze', name: 'energy_meters', kind: 'view', columns: [{ name: 'multiplier', type: 'DOUBLE' }] },
  ],
};
const functions = [
  {
    name: 'date_trunc',
    kind: 'scalar' as const,
    signatures: ['date_trunc(VARCHAR, DATE) → TIMESTAMP'],
    description: null,
  },
];

/** Suggestions at the `|` in `sql`. */
function at(sql: string) {
  const offset = sql.indexOf('|');
  return suggestionsAt(sql.replace('|', ''), offset, catalog, functions);
}

describe('completion from the warehouse catalog', () => {
  it('after schema. offers that schema’s relations', () => {
    expect(at('SELECT * FROM bronze.|').map((s) => s.label)).toEqual(['energy_meters']);
  });

  it('after a relation or its alias offers its columns with their types', () => {
    const columns = at('SELECT m.| FROM metrics m');
    expect(columns.map((s) => [s.label, s.kind])).toEqual([
      ['time', 'column'],
      ['value', 'column'],
    ]);
    expect(columns[1]!.detail).toMatch(/^DOUBLE/);
    expect(at('SELECT e.mu| FROM bronze.energy_meters AS e').map((s) => s.label)).toEqual(['multiplier']);
    expect(at('SELECT bronze.energy_meters.| FROM bronze.energy_meters').map((s) => s.label)).toEqual(['multiplier']);
    expect(at('SELECT nope.| FROM metrics')).toEqual([]);
  });

  it('otherwise offers the statement’s columns first, then relations, functions and keywords', () => {
    const all = at('SELECT | FROM metrics; SELECT 1 FROM bronze.energy_meters');
    const labels = all.map((s) => s.label);
    expect(labels).toEqual(
      expect.arrayContaining([
        'value',
        'metrics',
        'bronze.energy_meters',
        'bronze',
        'date_trunc',
        'QUALIFY',
        'HUGEINT',
      ]),
    );
    // Only this statement's relations lend their columns.
    expect(labels).not.toContain('multiplier');
    const sorted = [...all].sort((a, b) => a.sortText.localeCompare(b.sortText));
    expect(sorted[0]!.kind).toBe('column');
    expect(all.find((s) => s.label === 'date_trunc')!.detail).toContain('date_trunc(VARCHAR, DATE)');
  });
});
