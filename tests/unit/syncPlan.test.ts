import { describe, expect, it } from 'vitest';
import { SyncSelection } from '../../src/shared/api/sync';
import {
  dayKey,
  daysToCompare,
  discoveryRuns,
  fetchRuns,
  freshPipelines,
  planSync,
  sampleSql,
  whereSql,
  summarySql,
  type HeldDay,
  type PlannedDay,
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

  describe('runs of days, one COPY each', () => {
    const days = (pipelineId: string, list: string[], rows = 100): PlannedDay[] =>
      list.map((day) => ({ pipelineId, day, outcome: 'new', rows }));
    const shape = (runs: ReturnType<typeof fetchRuns>) =>
      runs.map((r) => `${r.pipelineId} ${r.from}..${r.to} ${r.days.length}d ${r.rows}`);
    const month = Array.from({ length: 20 }, (_, i) => `2026-01-${String(i + 1).padStart(2, '0')}`);

    it('grow from one day, doubling, per pipeline; a run never spans a day that is not fetched', () => {
      expect(shape(fetchRuns([...days('beta', month.slice(0, 5)), ...days('alpha', month)]))).toEqual([
        'beta 2026-01-01..2026-01-02 1d 100',
        'beta 2026-01-02..2026-01-04 2d 200',
        'beta 2026-01-04..2026-01-06 2d 200',
        'alpha 2026-01-01..2026-01-02 1d 100',
        'alpha 2026-01-02..2026-01-04 2d 200',
        'alpha 2026-01-04..2026-01-08 4d 400',
        'alpha 2026-01-08..2026-01-16 8d 800',
        'alpha 2026-01-16..2026-01-21 5d 500',
      ]);
      // Unchanged days in between split the runs, and days given out of order are sorted.
      const gaps = days('alpha', ['2026-01-09', '2026-01-01', '2026-01-02', '2026-01-03', '2026-01-05', '2026-01-06']);
      expect(shape(fetchRuns(gaps))).toEqual([
        'alpha 2026-01-01..2026-01-02 1d 100',
        'alpha 2026-01-02..2026-01-04 2d 200',
        'alpha 2026-01-05..2026-01-07 2d 200',
        'alpha 2026-01-09..2026-01-10 1d 100',
      ]);
      // Every day is in exactly one run.
      const all = fetchRuns([...days('beta', month.slice(0, 5)), ...days('alpha', month)]).flatMap((r) =>
        r.days.map((d) => `${d.pipelineId} ${d.day}`),
      );
      expect(new Set(all).size).toBe(25);
      expect(all).toHaveLength(25);
    });

    it('stop at the row limit; a day above it is a run of its own', () => {
      const list = days('alpha', month.slice(0, 8), 300);
      list[3] = { ...list[3]!, rows: 5000 };
      expect(shape(fetchRuns(list, 1000))).toEqual([
        'alpha 2026-01-01..2026-01-02 1d 300',
        'alpha 2026-01-02..2026-01-04 2d 600',
        'alpha 2026-01-04..2026-01-05 1d 5000',
        'alpha 2026-01-05..2026-01-08 3d 900',
        'alpha 2026-01-08..2026-01-09 1d 300',
      ]);
    });

    it("fetch exactly a run's days", () => {
      const where = whereSql(SyncSelection.parse({ pipelines: ['alpha', 'beta'], metricNames: ["o'k"] }), {
        pipelineId: 'alpha',
        from: '2026-01-02',
        to: '2026-01-05',
      });
      expect(where).toBe(
        "pipeline_id = 'alpha' AND metric_name IN ('o''k') AND time >= '2026-01-02 00:00:00+00'::timestamptz AND time < '2026-01-05 00:00:00+00'::timestamptz",
      );
    });

    it('discovered without a summary: shaped by a sample, stretched so every row of the range is in exactly one run', () => {
      // The sample saw some days only; runs double by calendar days, across what it missed.
      const sampled = days('alpha', ['2026-01-03', '2026-01-04', '2026-01-07', '2026-01-12', '2026-01-20'], 1000);
      const runs = discoveryRuns('alpha', sampled, { from: null, to: null });
      expect(runs.map((r) => [r.from, r.to, r.days.map((d) => d.day).join(' '), r.rows, r.discovered])).toEqual([
        [null, '2026-01-04', '2026-01-03', 1000, true],
        ['2026-01-04', '2026-01-07', '2026-01-04', 1000, true],
        ['2026-01-07', '2026-01-20', '2026-01-07 2026-01-12', 2000, true],
        ['2026-01-20', null, '2026-01-20', 1000, true],
      ]);
      // Inside a selection's range; days the sample saw outside it are ignored.
      const bounded = discoveryRuns('alpha', sampled, { from: '2026-01-04', to: '2026-01-13' });
      expect(bounded.map((r) => [r.from, r.to])).toEqual([
        ['2026-01-04', '2026-01-07'],
        ['2026-01-07', '2026-01-13'],
      ]);
      // Nothing sampled: the whole range, one run.
      expect(discoveryRuns('alpha', [], { from: '2026-01-04', to: null })).toEqual([
        { pipelineId: 'alpha', days: [], from: '2026-01-04', to: null, rows: 0, discovered: true },
      ]);
    });

    it('discover only pipelines the cache holds no day of in the range, never for a re-sync of given days', () => {
      const selection = SyncSelection.parse({ pipelines: ['alpha', 'beta', 'gamma'], from: '2026-01-05' });
      const heldDays = new Map([
        ['alpha', held({ '2026-01-06': {} })],
        ['beta', held({ '2026-01-01': {} })],
      ]);
      expect(freshPipelines({ selection, held: heldDays })).toEqual(['beta', 'gamma']);
      expect(freshPipelines({ selection, held: heldDays, only: new Set(['2026-01-06']) })).toEqual([]);
      expect(sampleSql(SyncSelection.parse({ pipelines: ["o'k"] }))).toMatch(
        /FROM dash\.pipeline_metrics TABLESAMPLE SYSTEM \(1\)\s+WHERE pipeline_id IN \('o''k'\) GROUP BY 1, 2$/,
      );
    });
  });
});
