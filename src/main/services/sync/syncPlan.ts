/**
 * The metric sync's planner: from the sync state, the server's per-day summary (or, for a
 * pipeline the cache holds nothing of, a sample of its rows)
 * and the selection, which days to fetch (new, changed, the newest re-checked),
 * which to keep and which to remove. Pure — no server, no disk — so every rule
 * is unit-tested on its own (tests/unit/syncPlan.test.ts); MetricSync runs the plan.
 */
import type { SyncSelection } from '../../../shared/api/sync';
import { isoUtcSql } from '../../../shared/serverSql';
import { pgLiteral } from '../../../shared/serverSql';
import { DAY_MS, addDays } from '../../../shared/utcDays';
import { checksumSql } from './dayChecksum';

export interface SelectionKey {
  metricNames: string[] | null;
  seriesIds: string[] | null;
}

/** A day's rows as the server summarises them: count, max(time), checksum (see dayChecksum). */
export interface DaySummary {
  rows: number;
  maxTime: string;
  checksum: string;
}

/** The server's summary of a day; the checksum only for days the cache holds (null for the others). */
export interface ServerDay {
  rows: number;
  maxTime: string;
  checksum: string | null;
}

/** A day the state file records for a pipeline, and whether its file is on disk. */
export interface HeldDay {
  selection: SelectionKey;
  summary: DaySummary;
  onDisk: boolean;
}

export type DayOutcome = 'new' | 'changed' | 'latest' | 'unchanged' | 'removed';

export interface DayRef {
  pipelineId: string;
  day: string;
}

export interface PlannedDay extends DayRef {
  outcome: Exclude<DayOutcome, 'unchanged' | 'removed'>;
  /** The server's row count when planned, for progress. */
  rows: number;
}

export interface SyncPlan {
  fetch: PlannedDay[];
  unchanged: DayRef[];
  remove: DayRef[];
}

export interface PlanInput {
  selection: SyncSelection;
  /** Per pipeline and day, what the state file holds. */
  held: ReadonlyMap<string, ReadonlyMap<string, HeldDay>>;
  /** Per `dayKey(pipeline, day)`, the server's summary of the selection. */
  server: ReadonlyMap<string, ServerDay>;
  /** A re-sync of just these days (after a push); a full sync when absent. */
  only?: ReadonlySet<string>;
}

export const dayKey = (pipelineId: string, day: string) => `${pipelineId}\u0000${day}`;

export function selectionKey(selection: SyncSelection): SelectionKey {
  const sorted = (list: string[] | null) => (list ? [...new Set(list)].sort() : null);
  return { metricNames: sorted(selection.metricNames), seriesIds: sorted(selection.seriesIds) };
}

const sameSelection = (a: SelectionKey, b: SelectionKey) => JSON.stringify(a) === JSON.stringify(b);

/** A day inside the selection's range (and among `only`, when given). */
function inRange(selection: SyncSelection, day: string, only?: ReadonlySet<string>): boolean {
  return (
    (!selection.from || day >= selection.from) && (!selection.to || day < selection.to) && (!only || only.has(day))
  );
}

/**
 * Held days whose server checksum decides whether to fetch them: on disk and
 * synced with this same selection (any other held day is fetched anyway).
 */
export function daysToCompare(input: Omit<PlanInput, 'server'>): DayRef[] {
  const key = selectionKey(input.selection);
  const out: DayRef[] = [];
  for (const pipelineId of input.selection.pipelines) {
    for (const [day, held] of input.held.get(pipelineId) ?? []) {
      if (held.onDisk && sameSelection(held.selection, key) && inRange(input.selection, day, input.only)) {
        out.push({ pipelineId, day });
      }
    }
  }
  return out;
}

/**
 * Pipelines of the selection the cache holds no day of in its range (and not
 * a re-sync of given days): every day the server has is new, nothing is to be
 * compared or removed, so their runs can be discovered (discoveryRuns)
 * without the server's per-day summary.
 */
export function freshPipelines(input: Omit<PlanInput, 'server'>): string[] {
  if (input.only) return [];
  return input.selection.pipelines.filter(
    (pipelineId) => ![...(input.held.get(pipelineId)?.keys() ?? [])].some((day) => inRange(input.selection, day)),
  );
}

/** Decides per day: fetch (new, changed, latest), keep, or remove. */
export function planSync(input: PlanInput): SyncPlan {
  const { selection, server, only } = input;
  const key = selectionKey(selection);
  const plan: SyncPlan = { fetch: [], unchanged: [], remove: [] };
  for (const pipelineId of selection.pipelines) {
    const held = input.held.get(pipelineId) ?? new Map<string, HeldDay>();
    const serverDays = [...server.keys()]
      .filter((k) => k.startsWith(`${pipelineId}\u0000`))
      .map((k) => k.slice(pipelineId.length + 1))
      .filter((day) => !only || only.has(day))
      .sort();
    // The newest day may still be growing: a sync re-checks it; a re-sync of given days trusts the summary.
    const newest = only ? undefined : serverDays[serverDays.length - 1];
    for (const day of serverDays) {
      const summary = server.get(dayKey(pipelineId, day))!;
      const had = held.get(day);
      const outcome: DayOutcome =
        !had || !had.onDisk
          ? 'new'
          : !sameSelection(had.selection, key) ||
              summary.checksum === null ||
              had.summary.rows !== summary.rows ||
              had.summary.maxTime !== summary.maxTime ||
              had.summary.checksum !== summary.checksum
            ? 'changed'
            : day === newest
              ? 'latest'
              : 'unchanged';
      if (outcome === 'unchanged') plan.unchanged.push({ pipelineId, day });
      else plan.fetch.push({ pipelineId, day, outcome, rows: summary.rows });
    }
    // Days synced before that the server no longer has (inside this range) go too; a re-sync also
    // looks at the days it was asked for that the demo wrote without a state entry.
    for (const day of new Set([...held.keys(), ...(only ?? [])])) {
      if (inRange(selection, day, only) && !server.has(dayKey(pipelineId, day))) plan.remove.push({ pipelineId, day });
    }
  }
  return plan;
}

/** Days of one pipeline fetched by one COPY, split into a file per day by the writer. */
export interface PlannedRun {
  pipelineId: string;
  /**
   * The days the plan knows of, in order: every day of the run for a planned
   * run; for a discovered one, the days its sample saw (others may come).
   */
  days: PlannedDay[];
  /** The first day and the day after the last; null: open-ended (only a discovered run). */
  from: string | null;
  to: string | null;
  /** The server's row count when planned (estimated from a sample when discovered), for progress. */
  rows: number;
  /** Planned from a sample of the server's rows instead of its summary: the days come with the rows. */
  discovered: boolean;
}

/** The most rows one COPY fetches: a run fetched again after a failure costs at most this. */
export const RUN_MAX_ROWS = 500_000;

/** Days in `[from, to)`. */
const daysBetween = (from: string, to: string) => Math.round((Date.parse(to) - Date.parse(from)) / DAY_MS);

/**
 * Groups one pipeline's days into runs, in day order: the first run one day
 * long, each next at most twice as long, up to `maxRows` rows (a single larger
 * day is a run of its own), so a sync that stops early has still saved its
 * first days. A run spans only consecutive days unless `spanGaps`.
 */
function groupRuns(days: readonly PlannedDay[], maxRows: number, spanGaps: boolean): PlannedRun[] {
  const runs: PlannedRun[] = [];
  let allowed = 1;
  let run: PlannedRun | null = null;
  for (const day of [...days].sort((a, b) => a.day.localeCompare(b.day))) {
    const fits =
      run &&
      (spanGaps || run.to === day.day) &&
      daysBetween(run.from!, day.day) < allowed &&
      run.rows + day.rows <= maxRows;
    if (run && fits) {
      run.days.push(day);
      run.to = addDays(day.day, 1);
      run.rows += day.rows;
      continue;
    }
    // The days the run ended up covering: up to this day when it spans gaps (its days reach the next run's).
    if (run) allowed = Math.max(allowed, daysBetween(run.from!, spanGaps ? day.day : run.to!) * 2);
    run = {
      pipelineId: day.pipelineId,
      days: [day],
      from: day.day,
      to: addDays(day.day, 1),
      rows: day.rows,
      discovered: spanGaps,
    };
    runs.push(run);
  }
  return runs;
}

/**
 * The planned days to fetch as runs of consecutive days per pipeline, one COPY
 * each (a COPY per day costs the server twice the work: each one searches the
 * index again); see groupRuns for their lengths.
 */
export function fetchRuns(fetch: readonly PlannedDay[], maxRows = RUN_MAX_ROWS): PlannedRun[] {
  const byPipeline = new Map<string, PlannedDay[]>();
  for (const day of fetch) byPipeline.set(day.pipelineId, [...(byPipeline.get(day.pipelineId) ?? []), day]);
  return [...byPipeline.values()].flatMap((days) => groupRuns(days, maxRows, false));
}

/**
 * Runs for a pipeline the cache holds nothing of yet, without asking the
 * server for its per-day summary (a scan of every row): shaped like
 * fetchRuns by a sample of its rows (`sampled`, estimated rows per day), and
 * stretched to cover the whole `range` with no gap, so every row is in
 * exactly one run whatever the sample missed. No sample: one run.
 */
export function discoveryRuns(
  pipelineId: string,
  sampled: readonly PlannedDay[],
  range: { from: string | null; to: string | null },
  maxRows = RUN_MAX_ROWS,
): PlannedRun[] {
  const inside = sampled.filter((d) => (!range.from || d.day >= range.from) && (!range.to || d.day < range.to));
  const runs = groupRuns(inside, maxRows, true);
  if (!runs.length) return [{ pipelineId, days: [], from: range.from, to: range.to, rows: 0, discovered: true }];
  runs[0]!.from = range.from;
  runs.forEach((run, i) => (run.to = runs[i + 1]?.from ?? range.to));
  return runs;
}

/** The fraction of the table's pages (percent) a discovery sample reads. */
export const SAMPLE_PERCENT = 1;

/**
 * Rows per pipeline and UTC day in a sample of `SAMPLE_PERCENT` of the
 * table's pages (TABLESAMPLE SYSTEM: whole pages, so it costs a hundredth of
 * a scan), for discoveryRuns; `rows` is already scaled up to an estimate.
 */
export function sampleSql(selection: SyncSelection): string {
  return `SELECT pipeline_id, to_char((time AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD') AS day,
          (count(*) * ${100 / SAMPLE_PERCENT})::text AS rows
   FROM dash.pipeline_metrics TABLESAMPLE SYSTEM (${SAMPLE_PERCENT})
   WHERE ${whereSql(selection)} GROUP BY 1, 2`;
}

/** The WHERE clause of a selection, optionally narrowed to one pipeline's days [from, to) (null: open-ended). */
export function whereSql(
  selection: SyncSelection,
  only?: { pipelineId: string; from: string | null; to: string | null },
): string {
  const list = (values: string[]) => values.map(pgLiteral).join(', ');
  const parts: string[] = [
    only ? `pipeline_id = ${pgLiteral(only.pipelineId)}` : `pipeline_id IN (${list(selection.pipelines)})`,
  ];
  if (selection.metricNames) parts.push(`metric_name IN (${list(selection.metricNames)})`);
  if (selection.seriesIds) parts.push(`series_id IN (${list(selection.seriesIds)})`);
  const from = only ? only.from : selection.from;
  const to = only ? only.to : selection.to;
  if (from) parts.push(`time >= ${timeSql(from)}`);
  if (to) parts.push(`time < ${timeSql(to)}`);
  return parts.length ? parts.join(' AND ') : 'true';
}

const timeSql = (day: string) => `${pgLiteral(`${day} 00:00:00+00`)}::timestamptz`;

/** Days as `pipeline_id = … AND time >= … AND time < …` terms, runs of consecutive days merged. */
function daysSql(days: readonly DayRef[]): string {
  const byPipeline = new Map<string, string[]>();
  for (const { pipelineId, day } of days) byPipeline.set(pipelineId, [...(byPipeline.get(pipelineId) ?? []), day]);
  const terms: string[] = [];
  for (const [pipelineId, list] of byPipeline) {
    const sorted = [...new Set(list)].sort();
    let from = sorted[0]!;
    let to = addDays(from, 1);
    const flush = () =>
      terms.push(`(pipeline_id = ${pgLiteral(pipelineId)} AND time >= ${timeSql(from)} AND time < ${timeSql(to)})`);
    for (const day of sorted.slice(1)) {
      if (day === to) to = addDays(day, 1);
      else {
        flush();
        from = day;
        to = addDays(day, 1);
      }
    }
    flush();
  }
  return terms.join(' OR ');
}

/**
 * One grouped query for every day of the selection: count and max(time) for
 * all, the checksum only for `compare` (the held days): a new day's checksum
 * comes from its own fetch, so the server never hashes it twice.
 */
export function summarySql(selection: SyncSelection, compare: readonly DayRef[]): string {
  const checksum = compare.length ? `${checksumSql(daysSql(compare))}::text` : 'NULL::text';
  return `SELECT pipeline_id, to_char(day, 'YYYY-MM-DD') AS day, rows::text AS rows,
          ${isoUtcSql('max_time')} AS max_time, checksum
   FROM (SELECT pipeline_id, (time AT TIME ZONE 'UTC')::date AS day, count(*) AS rows, max(time) AS max_time,
                ${checksum} AS checksum
         FROM dash.pipeline_metrics WHERE ${whereSql(selection)}
         GROUP BY 1, 2) AS days`;
}
