/** walkPlan: what a live query counts as rows read from the planner's JSON, and that odd JSON counts nothing. */
import { describe, expect, it } from 'vitest';
import { walkPlan } from '../../src/main/services/postgres/planEstimate';
import { HEAVY_SERVER_READ_ROWS } from '../../src/shared/api/server';

describe('walkPlan', () => {
  it('sums the scans under joins and aggregates, and lists sequential scans by schema-qualified name', () => {
    const plan = {
      'Node Type': 'Aggregate',
      'Plan Rows': 1,
      Plans: [
        {
          'Node Type': 'Hash Join',
          'Plan Rows': 900,
          Plans: [
            { 'Node Type': 'Seq Scan', 'Relation Name': 'pipeline_metrics', Schema: 'dash', 'Plan Rows': 700 },
            {
              'Node Type': 'Hash',
              'Plan Rows': 40,
              Plans: [{ 'Node Type': 'Index Scan', 'Relation Name': 'series', Schema: 'dash', 'Plan Rows': 40 }],
            },
          ],
        },
      ],
    };
    const walked = walkPlan(plan);
    expect(walked.planned).toBe(40);
    expect(walked.fullScans).toEqual([{ name: '"dash"."pipeline_metrics"', planned: 700, share: 1 }]);
  });

  it('counts a decompressing scan by its rows and not the compressed batches under it', () => {
    const plan = {
      'Node Type': 'Append',
      'Plan Rows': 3000,
      Plans: [
        {
          'Node Type': 'Custom Scan',
          'Custom Plan Provider': 'DecompressChunk',
          'Plan Rows': 2000,
          Plans: [
            { 'Node Type': 'Seq Scan', 'Relation Name': 'compress_hyper_2_4_chunk', Schema: 'x', 'Plan Rows': 2 },
          ],
        },
        {
          'Node Type': 'Bitmap Heap Scan',
          'Plan Rows': 1000,
          Plans: [{ 'Node Type': 'Bitmap Index Scan', 'Plan Rows': 1000 }],
        },
      ],
    };
    expect(walkPlan(plan)).toEqual({ planned: 3000, fullScans: [] });
  });

  it('counts the share of a streaming scan a LIMIT lets run, but all of it under a sort', () => {
    const scan = { 'Node Type': 'Seq Scan', 'Relation Name': 'readings', Schema: 'x', 'Plan Rows': 1_000_000 };
    const limited = walkPlan({ 'Node Type': 'Limit', 'Plan Rows': 1000, Plans: [scan] });
    expect(limited.fullScans).toEqual([{ name: '"x"."readings"', planned: 1_000_000, share: 0.001 }]);
    const sorted = walkPlan({
      'Node Type': 'Limit',
      'Plan Rows': 10,
      Plans: [{ 'Node Type': 'Sort', 'Plan Rows': 1_000_000, Plans: [scan] }],
    });
    expect(sorted.fullScans[0]!.share).toBe(1);
    const index = { 'Node Type': 'Index Scan', 'Plan Rows': 50_000 };
    const grouped = (strategy: string) =>
      walkPlan({
        'Node Type': 'Limit',
        'Plan Rows': 5,
        Plans: [{ 'Node Type': 'Aggregate', Strategy: strategy, 'Plan Rows': 500, Plans: [index] }],
      }).planned;
    expect(grouped('Hashed')).toBe(50_000);
    expect(grouped('Sorted')).toBe(500);
  });

  it('counts a parallel scan for all its processes: EXPLAIN gives its rows per process under a Gather', () => {
    // The plan PostgreSQL 18 gives `SELECT count(*), max(value) FROM dash.readings WHERE time >= …` with
    // 2 workers (costs left out), scaled to 40M rows: 16,666,667 in each of 2.4 processes.
    const indexScan = {
      'Node Type': 'Index Scan',
      'Parent Relationship': 'Outer',
      'Parallel Aware': true,
      'Scan Direction': 'Forward',
      'Index Name': 'readings_time_idx',
      'Relation Name': 'readings',
      Schema: 'dash',
      Alias: 'readings',
      'Plan Rows': 16_666_667,
      'Plan Width': 8,
      Output: ['"time"', 'value'],
      'Index Cond': '((readings."time" >= \'2025-01-01 00:00:00+00\'::timestamp with time zone))',
    };
    const aggregated = {
      'Node Type': 'Aggregate',
      Strategy: 'Plain',
      'Partial Mode': 'Finalize',
      'Parallel Aware': false,
      'Plan Rows': 1,
      Output: ['count(*)', 'max(value)'],
      Plans: [
        {
          'Node Type': 'Gather',
          'Parent Relationship': 'Outer',
          'Parallel Aware': false,
          'Plan Rows': 2,
          Output: ['(PARTIAL count(*))', '(PARTIAL max(value))'],
          'Workers Planned': 2,
          'Single Copy': false,
          Plans: [
            {
              'Node Type': 'Aggregate',
              Strategy: 'Plain',
              'Partial Mode': 'Partial',
              'Parent Relationship': 'Outer',
              'Plan Rows': 1,
              Output: ['PARTIAL count(*)', 'PARTIAL max(value)'],
              Plans: [indexScan],
            },
          ],
        },
      ],
    };
    const planned = walkPlan(aggregated).planned;
    expect(planned).toBeCloseTo(40_000_000, -1);
    expect(planned).toBeGreaterThan(HEAVY_SERVER_READ_ROWS);

    // `… ORDER BY value` with 4 workers: the bitmap heap scan's share times 4; the bitmap index scan
    // (built once, whole) is not a read of rows; a LIMIT above does not cut what each worker sorts.
    const bitmap = {
      'Node Type': 'Gather Merge',
      'Plan Rows': 2_159_628,
      'Workers Planned': 4,
      Plans: [
        {
          'Node Type': 'Sort',
          'Parent Relationship': 'Outer',
          'Plan Rows': 539_907,
          Plans: [
            {
              'Node Type': 'Bitmap Heap Scan',
              'Parent Relationship': 'Outer',
              'Parallel Aware': true,
              'Relation Name': 'readings',
              Schema: 'dash',
              'Plan Rows': 539_907,
              Plans: [{ 'Node Type': 'Bitmap Index Scan', 'Parallel Aware': false, 'Plan Rows': 2_159_628 }],
            },
          ],
        },
      ],
    };
    expect(walkPlan(bitmap).planned).toBe(2_159_628);
    expect(walkPlan({ 'Node Type': 'Limit', 'Plan Rows': 10, Plans: [bitmap] }).planned).toBe(2_159_628);

    // A parallel sequential scan is listed with its rows for all processes (the table's size decides later).
    const seq = walkPlan({
      'Node Type': 'Gather',
      'Plan Rows': 1_000_000,
      'Workers Planned': 1,
      Plans: [
        {
          'Node Type': 'Seq Scan',
          'Parallel Aware': true,
          'Relation Name': 'readings',
          Schema: 'x',
          'Plan Rows': 588_235,
        },
      ],
    });
    expect(seq.fullScans).toEqual([{ name: '"x"."readings"', planned: 588_235 * 1.7, share: 1 }]);
    // A Single Copy Gather runs its plan once, in one process; a Gather without its worker count counts 1.
    const once = { 'Node Type': 'Index Scan', 'Plan Rows': 1000 };
    expect(walkPlan({ 'Node Type': 'Gather', 'Workers Planned': 1, 'Single Copy': true, Plans: [once] }).planned).toBe(
      1000,
    );
    expect(walkPlan({ 'Node Type': 'Gather', Plans: [once] }).planned).toBe(1000);
  });

  it('shares a parallel Append’s total over its parts, each scanned by as many workers as its size allows', () => {
    // TimescaleDB 2.19 on PostgreSQL 17, `SELECT series_id, max(value) FROM dash.pipeline_metrics GROUP BY 1`
    // over chunks of 201,605 and 86,400 rows: each chunk's scan is divided by 1.7 (one worker for its size),
    // the Gather by 2.4; the Append's 120,002 rows a process are the 288,005 of both.
    const chunk = (name: string, rows: number) => ({
      'Node Type': 'Seq Scan',
      'Parent Relationship': 'Member',
      'Parallel Aware': true,
      'Relation Name': name,
      Schema: '_timescaledb_internal',
      'Plan Rows': rows,
    });
    const walked = walkPlan({
      'Node Type': 'Aggregate',
      Strategy: 'Sorted',
      'Partial Mode': 'Finalize',
      'Plan Rows': 51,
      Plans: [
        {
          'Node Type': 'Gather Merge',
          'Plan Rows': 102,
          'Workers Planned': 2,
          Plans: [
            {
              'Node Type': 'Sort',
              'Plan Rows': 51,
              Plans: [
                {
                  'Node Type': 'Aggregate',
                  Strategy: 'Hashed',
                  'Partial Mode': 'Partial',
                  'Plan Rows': 51,
                  Plans: [
                    {
                      'Node Type': 'Append',
                      'Parallel Aware': true,
                      'Plan Rows': 120_002,
                      Plans: [chunk('_hyper_1_1_chunk', 118_591), chunk('_hyper_1_2_chunk', 50_824)],
                    },
                  ],
                },
              ],
            },
          ],
        },
      ],
    });
    expect(walked.fullScans.map((s) => s.name)).toEqual([
      '"_timescaledb_internal"."_hyper_1_1_chunk"',
      '"_timescaledb_internal"."_hyper_1_2_chunk"',
    ]);
    expect(walked.fullScans[0]!.planned).toBeCloseTo(201_605, -1);
    expect(walked.fullScans[1]!.planned).toBeCloseTo(86_400, -1);
  });

  it('quotes names with quotes in them, and ignores what is not a plan', () => {
    const odd = walkPlan({ 'Node Type': 'Seq Scan', 'Relation Name': 'a"b', Schema: 's', 'Plan Rows': 5 });
    expect(odd.fullScans[0]!.name).toBe('"s"."a""b"');
    for (const junk of [
      null,
      7,
      'Seq Scan',
      [],
      { 'Node Type': 'Index Scan', 'Plan Rows': -3 },
      { 'Node Type': 'Index Scan', 'Plan Rows': 'many' },
    ]) {
      expect(walkPlan(junk)).toEqual({ planned: 0, fullScans: [] });
    }
    // A plan nested past any real depth is cut off rather than overflowing the stack.
    let deep: Record<string, unknown> = { 'Node Type': 'Index Scan', 'Plan Rows': 1 };
    for (let i = 0; i < 10_000; i++) deep = { 'Node Type': 'Limit', 'Plan Rows': 1, Plans: [deep] };
    expect(walkPlan(deep).planned).toBe(0);
  });
});
