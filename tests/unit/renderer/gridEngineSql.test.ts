/**
 * Filters and the column profile run on the same DuckDB-WASM build the grid
 * uses (its Node flavour), over a table loaded from Arrow: filtered counts
 * are right, and hostile filter values find nothing instead of running.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { whereClause, type ColumnFilter } from '../../../src/shared/gridView';
import { countSql, rowOrderSql } from '../../../src/renderer/engine/pagingSql';
import { histogramSql, statsSql, topValuesSql } from '../../../src/renderer/engine/profileSql';
import { NodeWasmEngine } from '../../support/NodeWasmEngine';

let engine: NodeWasmEngine;
const count = (sql: string) => Number(engine.query(sql).getChildAt(0)?.get(0));

beforeAll(async () => {
  engine = await NodeWasmEngine.start();
  // TIMESTAMPTZ built without ICU: epoch_us arithmetic on a TIMESTAMP, then cast.
  engine.query(`CREATE TABLE result_1 AS SELECT range::INTEGER AS id,
      CASE WHEN range % 10 = 0 THEN NULL ELSE (range % 7) * 1.5 END AS value,
      'series ' || (range % 3) AS "series id",
      make_timestamp(1704067200000000 + range * 60000000)::TIMESTAMPTZ AS ts
    FROM range(1000)`);
});
afterAll(() => engine?.close());

function filtered(filters: ColumnFilter[]): number {
  engine.query(
    rowOrderSql(
      'result_1',
      'result_1_view',
      [{ column: 'id', desc: true }],
      whereClause(filters, { timeZone: 'UTC', zoned: new Set(['ts']) }),
    ),
  );
  return count(countSql('result_1_view'));
}

describe('grid filters on the WASM engine', () => {
  it('count the whole result, with every operator', () => {
    expect(filtered([])).toBe(1000);
    expect(filtered([{ column: 'value', kind: 'float', op: 'is_null', value: '' }])).toBe(100);
    expect(filtered([{ column: 'value', kind: 'float', op: 'gt', value: '7' }])).toBe(
      count('SELECT count(*) FROM result_1 WHERE value > 7'),
    );
    expect(filtered([{ column: 'series id', kind: 'text', op: 'contains', value: 'SERIES 1' }])).toBe(333);
    expect(
      filtered([
        { column: 'ts', kind: 'timestamp', op: 'lt', value: '2024-01-01 01:00' },
        { column: 'id', kind: 'integer', op: 'gt', value: '9' },
      ]),
    ).toBe(50);
  });

  it('find nothing for hostile values, and the table is still there', () => {
    for (const value of ["x'); DROP TABLE result_1; --", "' OR '1'='1", '%', '_']) {
      expect(filtered([{ column: 'series id', kind: 'text', op: 'eq', value }]), value).toBe(0);
      expect(filtered([{ column: 'series id', kind: 'text', op: 'contains', value }]), value).toBe(0);
    }
    expect(count('SELECT count(*) FROM result_1')).toBe(1000);
  });
});

describe('column profile SQL on the WASM engine', () => {
  it('counts nulls and distinct values and bins numbers and times', () => {
    const stats = engine
      .query(statsSql('result_1', '', 'value', 'float'))
      .get(0)!
      .toJSON() as Record<string, number>;
    expect(stats.total).toBe(1000);
    expect(stats.nulls).toBe(100);
    expect(stats.lo).toBe(0);
    expect(stats.hi).toBe(9);
    const bins = engine
      .query(histogramSql('result_1', '', 'value', 'float', 0, 9))
      .toArray()
      .map((r) => r.toJSON() as { bin: number; n: number });
    expect(bins.reduce((a, b) => a + b.n, 0)).toBe(900);
    expect(Math.max(...bins.map((b) => b.bin))).toBe(23);

    const where = whereClause([{ column: 'id', kind: 'integer', op: 'lt', value: '100' }]);
    const t = engine
      .query(statsSql('result_1', where, 'ts', 'timestamp'))
      .get(0)!
      .toJSON() as Record<string, number>;
    expect(t.total).toBe(100);
    expect(t.hi! - t.lo!).toBe(99 * 60_000_000);
    const timeBins = engine.query(histogramSql('result_1', where, 'ts', 'timestamp', t.lo!, t.hi!)).toArray();
    expect(timeBins.reduce((a, r) => a + Number((r.toJSON() as { n: number }).n), 0)).toBe(100);
  });

  it('lists the most frequent text values', () => {
    const top = engine
      .query(topValuesSql('result_1', '', 'series id'))
      .toArray()
      .map((r) => r.toJSON() as { value: string; n: number });
    expect(top).toEqual([
      { value: 'series 0', n: 334 },
      { value: 'series 1', n: 333 },
      { value: 'series 2', n: 333 },
    ]);
  });
});
