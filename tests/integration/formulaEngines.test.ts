/**
 * The formula compiler on both engines: random valid pipelines over random
 * rows (nulls, zeros, NaN, ±Infinity included) give the same rows from the
 * TypeScript reference evaluator, native DuckDB and DuckDB-WASM; and the demo
 * pipelines compiled from their formulas give the demo's metrics.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import fc from 'fast-check';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEMO_PIPELINES, demoMetricsSql } from '../../src/main/services/demo/DemoPipelines';
import { quoteIdent, quoteLiteral } from '../../src/shared/sql';
import { compilePipeline, referenceEvaluate, type BronzeColumn, type PipelineDraft } from '../../src/shared/formula';
import { NodeWasmEngine } from '../support/NodeWasmEngine';
import { formulaArbitraries, rowsArbitrary, rowsTableSql, sameRows, SCHEMA } from '../support/formulaArbitraries';

describe('compiled formulas agree on native DuckDB, DuckDB-WASM and the reference evaluator', () => {
  let native: DuckDBConnection;
  let wasm: NodeWasmEngine;

  beforeAll(async () => {
    native = await (await DuckDBInstance.create(':memory:')).connect();
    wasm = await NodeWasmEngine.start();
  });
  afterAll(() => {
    wasm?.close();
    native?.closeSync();
  });

  /** Results as plain rows keyed by series_id and ts (epoch microseconds). */
  const wrap = (sql: string): string =>
    `SELECT * EXCLUDE (ts), epoch_us(ts)::DOUBLE AS ts_us FROM (${sql}) ORDER BY series_id, ts_us`;

  async function runNative(sql: string): Promise<Record<string, unknown>[]> {
    const reader = await native.runAndReadAll(wrap(sql));
    return reader.getRowObjectsJS() as Record<string, unknown>[];
  }
  function runWasm(sql: string): Record<string, unknown>[] {
    return wasm
      .query(wrap(sql))
      .toArray()
      .map((r: { toJSON(): Record<string, unknown> }) => r.toJSON());
  }

  async function agree(
    draft: PipelineDraft,
    rows: Record<string, unknown>[],
    schema: BronzeColumn[] = SCHEMA,
  ): Promise<void> {
    const table = rowsTableSql('src', rows);
    await native.run(table);
    wasm.query(table);
    const sql = compilePipeline(draft, schema, 'src');
    const expected: Record<string, unknown>[] = referenceEvaluate(draft, rows).map(({ ts, ...rest }) => ({
      ...rest,
      ts_us: (ts as number) * 1000,
    }));
    const key = (r: Record<string, unknown>): string =>
      `${String(r['series_id'])}/${String(r['ts_us']).padStart(20, '0')}`;
    expected.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
    const fromNative = await runNative(sql);
    const fromWasm = runWasm(sql);
    const explain = `formulas ${JSON.stringify(draft)}\nSQL ${sql}`;
    expect(
      sameRows(fromNative, expected),
      `native vs reference: ${explain}\n${JSON.stringify(fromNative)}\n${JSON.stringify(expected)}`,
    ).toBe(true);
    expect(sameRows(fromWasm, expected), `WASM vs reference: ${explain}\n${JSON.stringify(fromWasm)}`).toBe(true);
    // The preview's unsorted compile: the same rows, only not sorted by the SQL itself.
    const unordered = compilePipeline(draft, schema, 'src', { ordered: false });
    expect(unordered).not.toMatch(/ORDER BY __sid, __t(, __rid)?$/);
    expect(sameRows(runWasm(unordered), expected), `WASM, unsorted compile: ${explain}`).toBe(true);
  }

  it('on hand-picked edge cases', async () => {
    const rows = [
      {
        record_id: 'r1',
        series_id: 'a',
        ts: 1_767_225_600_000,
        value: 0,
        multiplier: 0,
        count: 3,
        status: 'ok',
        flag: true,
      },
      {
        record_id: 'r2',
        series_id: 'a',
        ts: 1_767_225_660_000,
        value: NaN,
        multiplier: -0,
        count: null,
        status: 'OK',
        flag: null,
      },
      {
        record_id: 'r3',
        series_id: 'a',
        ts: 1_767_229_200_000,
        value: Infinity,
        multiplier: 2,
        count: -1,
        status: null,
        flag: false,
      },
      {
        record_id: 'r4',
        series_id: 'b',
        ts: 1_767_225_600_000,
        value: -Infinity,
        multiplier: NaN,
        count: 0,
        status: 'é',
        flag: true,
      },
      {
        record_id: 'r5',
        series_id: 'b',
        ts: 1_767_312_000_000,
        value: null,
        multiplier: 1.5,
        count: 7,
        status: "it's",
        flag: true,
      },
      {
        record_id: 'r6',
        series_id: 'b',
        ts: 1_767_312_060_000,
        value: 2.5,
        multiplier: 1,
        count: 2,
        status: 'ok',
        flag: false,
      },
    ];
    await agree(
      {
        filter: null,
        metrics: [
          { name: 'div', formula: 'value / multiplier', unit: '' },
          { name: 'modulo', formula: 'value % multiplier', unit: '' },
          { name: 'roots', formula: 'sqrt(value) + ln(multiplier) + log10(count)', unit: '' },
          { name: 'powers', formula: 'value ^ multiplier + pow(1, value) + exp(value)', unit: '' },
          {
            name: 'rounds',
            formula: 'round(value) + round(multiplier, 2) + floor(value) + ceil(-value) + abs(value)',
            unit: '',
          },
          { name: 'cmp', formula: "if(value = value and value > 1e300 or status in ('ok', null), 1, 0)", unit: '' },
          {
            name: 'ranges',
            formula: 'if(value between -1 and multiplier, 1, if(value not between 0 and 1, 2, 3))',
            unit: '',
          },
          {
            name: 'extremes',
            formula: 'min(value, multiplier, null) + max(value, count) + clamp(value, 0, 10)',
            unit: '',
          },
          {
            name: 'nulls',
            formula: 'coalesce(nullif(value, 0), count, -1) + if(is_nan(value) or not is_finite(value), 100, 0)',
            unit: '',
          },
          {
            name: 'text',
            formula: "length(upper(status)) + if(contains(lower(status), 'o') and matches(status, '^[a-z]'), 1, 0)",
            unit: '',
          },
          {
            name: 'time',
            formula:
              'hour() * 100 + minute(ts) + day_of_week() / 10 + day() + month() + year() + day_of_year() + epoch() / 1e9',
            unit: '',
          },
          { name: 'win', formula: 'delta(value) + lag(count, 2) + lead(multiplier)', unit: '' },
          {
            name: 'rates',
            formula: "rate(count) + rate(count, 1h, 'restart') + coalesce(rate(value, 1m, 'gauge'), 0)",
            unit: '',
          },
          {
            name: 'rolling',
            formula:
              'rolling_avg(count, 1h) + rolling_sum(value, 1d) + rolling_min(multiplier, 1w) + rolling_max(count, 90s) + rolling_count(value, 1h)',
            unit: '',
          },
          { name: 'chain', formula: 'rolling_avg(delta(win), 1h) + cmp * 2', unit: '' },
          {
            name: 'flags',
            formula:
              "case(flag, 1, flag is null, 2, 3) + if(starts_with(status, 'o') or ends_with(status, 's'), 10, 0)",
            unit: '',
          },
        ],
      },
      rows,
    );
    await agree({ filter: "status = 'ok' or flag", metrics: [{ name: 'd', formula: 'delta(count)', unit: '' }] }, rows);
  });

  it('treat injection attempts in text values as plain text on both engines', async () => {
    const rows = [
      {
        record_id: 'r1',
        series_id: 'a',
        ts: 1_767_225_600_000,
        value: 1,
        multiplier: 1,
        count: 1,
        status: "x'; drop table src; --",
        flag: true,
      },
      {
        record_id: 'r2',
        series_id: 'a',
        ts: 1_767_225_660_000,
        value: 2,
        multiplier: 1,
        count: 1,
        status: 'ok',
        flag: true,
      },
    ];
    await agree(
      {
        filter: "status <> '; drop table src; --' and not contains(status, '*/')",
        metrics: [
          { name: 'hit', formula: "if(status = 'x''; drop table src; --', 1, 0)", unit: '' },
          { name: 'quoted', formula: 'if(status = "x\'; drop table src; --", 1, 0)', unit: '' },
        ],
      },
      rows,
    );
    const left = await native.runAndReadAll('SELECT count(*) AS n FROM src');
    expect(Number(left.getRowObjectsJS()[0]!['n'])).toBe(2);
    expect(wasm.query('SELECT count(*) AS n FROM src').numRows).toBe(1);
  });

  it('on random pipelines over random rows', async () => {
    const { draft } = formulaArbitraries();
    await fc.assert(
      fc.asyncProperty(draft, rowsArbitrary(), async (d, rows) => {
        await agree(d, rows as unknown as Record<string, unknown>[]);
      }),
      { numRuns: 150 },
    );
  });
});

describe('the demo pipelines, compiled from their formulas', () => {
  const servers = inject('servers');
  let native: DuckDBConnection;
  beforeAll(async () => {
    native = await (await DuckDBInstance.create(':memory:')).connect();
  });
  afterAll(() => native?.closeSync());

  it.each(DEMO_PIPELINES.map((p) => [p.id, p] as const))('%s gives the demo metrics', async (id, pipeline) => {
    const glob = join(servers.lakeDir, 'bronze', id, '*', '*.parquet');
    await native.run(
      `CREATE OR REPLACE VIEW ${quoteIdent(`bronze_${id}`)} AS SELECT * FROM read_parquet(${quoteLiteral(glob)}, hive_partitioning = true, union_by_name = true)`,
    );
    const described = await native.runAndReadAll(`DESCRIBE ${quoteIdent(`bronze_${id}`)}`);
    const schema = described
      .getRowObjectsJS()
      .map((r) => ({ name: String(r['column_name']), type: String(r['column_type']) }));
    const { filter, metrics } = pipeline.definition;
    const compiled = compilePipeline({ filter, metrics }, schema, quoteIdent(`bronze_${id}`));
    const names = metrics.map((m) => quoteIdent(m.name)).join(', ');
    // Both sides in the metrics table's long shape, nulls dropped; matched on every key.
    const ours = `SELECT ts AS time, series_id, metric_name, value FROM (${compiled}) UNPIVOT (value FOR metric_name IN (${names}))`;
    const demo = `SELECT time, series_id, metric_name, value FROM (${demoMetricsSql(id, glob)})`;
    const reader = await native.runAndReadAll(`
      SELECT count(*) AS total,
        count(*) FILTER (WHERE o.value IS NULL OR d.value IS NULL
          OR abs(o.value - d.value) > 1e-9 * greatest(1, abs(d.value))) AS different
      FROM (${ours}) o FULL OUTER JOIN (${demo}) d USING (time, series_id, metric_name)`);
    const [row] = reader.getRowObjectsJS();
    expect(Number(row!['total'])).toBeGreaterThan(100);
    expect(Number(row!['different'])).toBe(0);
  });
});
