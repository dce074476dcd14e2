/**
 * The metric sync's planner: from the sync state, the server's per-day summary
 * and the selection, which days to fetch (new, changed, the newest re-checked),
 * which to keep and which to remove. Pure — no server, no disk — so every rule
 * is unit-tested on its own (tests/unit/syncPlan.test.ts); MetricSync runs the plan.
 */
import type { SyncSelection } from '../../../shared/api/sync';
import { isoUtcSql } from '../../../shared/serverSql';
import { pgLiteral } from '../../../shared/serverSql';
import { addDays } from '../../../shared/utcDays';
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

/** The WHERE clause of a selection, optionally narrowed to one pipeline and day. */
export function whereSql(selection: SyncSelection, only?: DayRef): string {
  const list = (values: string[]) => values.map(pgLiteral).join(', ');
  const parts: string[] = [
    only ? `pipeline_id = ${pgLiteral(only.pipelineId)}` : `pipeline_id IN (${list(selection.pipelines)})`,
  ];
  if (selection.metricNames) parts.push(`metric_name IN (${list(selection.metricNames)})`);
  if (selection.seriesIds) parts.push(`series_id IN (${list(selection.seriesIds)})`);
  const day = only ? only.day : null;
  const from = day ?? selection.from;
  const to = day ? addDays(day, 1) : selection.to;
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
