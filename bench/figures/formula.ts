/**
 * formula.compile_50: parsing, checking and compiling a 50-metric pipeline
 * (arithmetic, conditions, windows, metrics built on metrics) to one DuckDB
 * query, against native DuckDB preparing (parsing, binding, planning) that
 * same query — the least any edit-to-preview round must spend on the SQL.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { compilePipeline, type PipelineDraft } from '../../src/shared/formula';
import { METER_BRONZE_SCHEMA } from '../../tests/support/meterSchema';
import { medianMs, timeFigure, type Figure } from '../harness';

/** Fifty metrics in the mix a real pipeline has, each of the later ones using earlier ones. */
export function fiftyMetricDraft(): PipelineDraft {
  const shapes = [
    (i: number) => `value * multiplier / 1000 + ${i}`,
    (i: number) => `if(status = 'ok', m${i - 1} * 2, null)`,
    () => 'rate(energy_kwh, 1h)',
    (i: number) => `rolling_avg(m${i - 2}, 15m)`,
    (i: number) => `case(value > ${i}, 1, value < 0, -1, 0) + coalesce(m${i - 1}, 0)`,
    (i: number) => `delta(m${i - 1}) + hour() / 24`,
    (i: number) => `clamp(round(value, 2), 0, 100) + sqrt(abs(m${i - 3}))`,
    (i: number) => `if(contains(lower(raw), 'error') or value between 10 and 20, lag(m${i - 1}, 2), m${i - 4})`,
  ];
  return {
    filter: "status in ('ok', 'late') and value is not null",
    metrics: Array.from({ length: 50 }, (_, i) => ({
      name: `m${i}`,
      formula: i < 4 ? shapes[i % 3]!(i) : shapes[i % shapes.length]!(i),
      unit: '',
    })),
  };
}

export const formulaCompile50: Figure = {
  id: 'formula.compile_50',
  description: 'Parse, check and compile a 50-metric pipeline vs native DuckDB preparing the SQL it produces',
  async run(ctx) {
    const draft = fiftyMetricDraft();
    const sql = compilePipeline(draft, METER_BRONZE_SCHEMA, 'src');
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    try {
      await conn.run(`CREATE TABLE src (${METER_BRONZE_SCHEMA.map((c) => `"${c.name}" ${c.type}`).join(', ')})`);
      const ours = await medianMs(() => compilePipeline(draft, METER_BRONZE_SCHEMA, 'src'), 41, 5);
      const baseline = await medianMs(async () => (await conn.prepare(sql)).destroySync(), 41, 5);
      ctx.log(`  compiled SQL: ${sql.length.toLocaleString('en-US')} characters`);
      return timeFigure(
        'formula.compile_50',
        ours,
        'native DuckDB prepare of the compiled SQL',
        baseline,
        `50 metrics + filter, ${sql.length.toLocaleString('en-US')} characters of SQL; median of 41 runs`,
      );
    } finally {
      conn.closeSync();
      db.closeSync();
    }
  },
};
