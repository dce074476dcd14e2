/** walkPlan: what a live query counts as rows read from the planner's JSON, and that odd JSON counts nothing. */
import { describe, expect, it } from 'vitest';
import { walkPlan } from '../../src/main/services/postgres/planEstimate';

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
