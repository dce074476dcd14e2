import { describe, expect, it } from 'vitest';
import { SyncSelection } from '../../src/shared/api/sync';
import {
  dayKey,
  daysToCompare,
  planSync,
  summarySql,
  type HeldDay,
  type ServerDay,
} from '../../src/main/services/sync/syncPlan';

const ALL = { metricNames: null, seriesIds: null };
const summary = (rows: number, checksum = `c${rows}`) => ({ rows, maxTime: '2026-01-01T23:00:00.000000Z', checksum });
const held = (days: Record<string, Partial<HeldDay>>) =>
  new Map(Object.entries(days).map(([day, h]) => [day, { selection: ALL, summary: summary(10), onDisk: true, ...h }]));
const server = (days: Record<string, ServerDay>, pipelineId = 'alpha') =>
  new Map(Object.entries(days).map(([day, s]) => [dayKey(pipelineId, day), s]));
const onServer = (rows: number, checksum: string | null = `c${rows}`): ServerDay => ({
  rows,
  maxTime: '2026-01-01T23:00:00.000000Z',
  checksum,
});

describe('the metric sync planner', () => {
  const selection = SyncSelection.parse({ pipelines: ['alpha'] });

  it('fetches new and changed days, re-checks the newest, keeps the rest and removes what the server lost', () => {
    const plan = planSync({
      selection,
      held: new Map([
        [
          'alpha',
          held({
            '2026-01-01': {},
            '2026-01-02': {},
            '2026-01-03': { onDisk: false },
            '2026-01-04': { selection: { metricNames: ['power'], seriesIds: null } },
            '2026-01-05': {},
            '2026-01-07': {},
          }),
        ],
      ]),
      server: server({
        '2026-01-01': onServer(10),
        '2026-01-02': onServer(10, 'edited'),
        '2026-01-03': onServer(10),
        '2026-01-04': onServer(10),
        '2026-01-05': onServer(11, 'c10'),
        '2026-01-06': onServer(4, null),
        '2026-01-08': onServer(10),
      }),
    });
    expect(plan.fetch.map((d) => [d.day, d.outcome, d.rows])).toEqual([
      ['2026-01-02', 'changed', 10],
      ['2026-01-03', 'new', 10],
      ['2026-01-04', 'changed', 10],
      ['2026-01-05', 'changed', 11],
      ['2026-01-06', 'new', 4],
      ['2026-01-08', 'new', 10],
    ]);
    expect(plan.unchanged).toEqual([{ pipelineId: 'alpha', day: '2026-01-01' }]);
    expect(plan.remove).toEqual([{ pipelineId: 'alpha', day: '2026-01-07' }]);
  });

  it('re-checks the newest held day even when it matches, but not in a re-sync of given days', () => {
    const input = {
      selection,
      held: new Map([['alpha', held({ '2026-01-01': {}, '2026-01-02': {} })]]),
      server: server({ '2026-01-01': onServer(10), '2026-01-02': onServer(10) }),
    };
    expect(planSync(input).fetch.map((d) => [d.day, d.outcome])).toEqual([['2026-01-02', 'latest']]);
    const only = new Set(['2026-01-01', '2026-01-02', '2026-01-03']);
    const resync = planSync({ ...input, only });
    expect(resync.fetch).toEqual([]);
    // A day asked for that the server no longer has (e.g. the demo's own) is removed.
    expect(resync.remove).toEqual([{ pipelineId: 'alpha', day: '2026-01-03' }]);
  });

  it('treats a held day the server gave no checksum for as changed, never as unchanged', () => {
    const plan = planSync({
      selection,
      held: new Map([['alpha', held({ '2026-01-01': {}, '2026-01-02': {} })]]),
      server: server({ '2026-01-01': onServer(10, null), '2026-01-02': onServer(10) }),
    });
    expect(plan.fetch.map((d) => [d.day, d.outcome])).toEqual([
      ['2026-01-01', 'changed'],
      ['2026-01-02', 'latest'],
    ]);
  });

  it('asks the server to hash only the held days it compares, in merged ranges', () => {
    const narrow = SyncSelection.parse({ pipelines: ['alpha', 'beta'], from: '2026-01-01', to: '2026-01-06' });
    const compare = daysToCompare({
      selection: narrow,
      held: new Map([
        ['alpha', held({ '2026-01-01': {}, '2026-01-02': {}, '2026-01-04': {}, '2026-01-03': { onDisk: false } })],
        ['beta', held({ '2026-01-09': {}, '2026-01-02': { selection: { metricNames: ['x'], seriesIds: null } } })],
      ]),
    });
    expect(compare).toEqual([
      { pipelineId: 'alpha', day: '2026-01-01' },
      { pipelineId: 'alpha', day: '2026-01-02' },
      { pipelineId: 'alpha', day: '2026-01-04' },
    ]);
    const sql = summarySql(narrow, compare);
    expect(sql).toContain(
      "FILTER (WHERE (pipeline_id = 'alpha' AND time >= '2026-01-01 00:00:00+00'::timestamptz AND time < '2026-01-03 00:00:00+00'::timestamptz) OR (pipeline_id = 'alpha' AND time >= '2026-01-04 00:00:00+00'::timestamptz AND time < '2026-01-05 00:00:00+00'::timestamptz))",
    );
    // A first sync hashes nothing on the server.
    expect(summarySql(narrow, [])).not.toContain('hashtext');
  });
});
