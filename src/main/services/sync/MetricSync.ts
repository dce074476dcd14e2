/**
 * Metric sync: pulls dash.pipeline_metrics from the server into the local
 * Parquet cache, a file per pipeline and UTC day, in the same layout the
 * demo writes (cache/metrics/pipeline_id=<id>/date=<YYYY-MM-DD>/part-0.parquet)
 * so the warehouse's `metrics` view covers synced data.
 *
 * Each run of consecutive days of a pipeline (syncPlan's fetchRuns) is streamed
 * with COPY ... TO STDOUT (FORMAT binary) into the sync's writer thread
 * (metricDayWriter), which decodes it into DuckDB as typed columns and writes
 * each day as Parquet at a temporary name outside the metrics glob; the days
 * are then renamed into place: a day is either all there or not visible. The sync
 * state (cache/metrics-sync.json) records, per day, the selection and the
 * summary of its rows (count, max(time), checksum — summed by the writer from
 * the rows fetched, so the server hashes nothing twice) so the next sync fetches
 * only what is new or changed (syncPlan), and resumes after a failure.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { z } from 'zod';
import {
  SyncDay,
  SyncName,
  type SyncEstimate,
  type SyncOptions,
  type SyncSelection,
  type SyncSeriesResult,
  type SyncStatus,
} from '../../../shared/api/sync';
import { WorkbenchError, errorMessage } from '../../../shared/errors';
import { fromSystemError } from '../systemErrors';
import { formatBytes } from '../../../shared/format';
import { addDays, lastDayOf, utcDayOf } from '../../../shared/utcDays';
import type { JobContext, JobRunner, StartedJob } from '../jobs/JobRunner';
import { readJsonFile, writeJsonFile } from '../jsonFile';
import { insidePath, type Within } from '../workspace/insidePath';
import { readPipelines } from '../postgres/Pipelines';
import { pgErrorText } from '../postgres/pgErrors';
import { detectServerMode } from '../postgres/ServerMode';
import type { MetricFilter } from '../postgres/timescale/MetricChunks';
import { estimateMetricRows } from '../postgres/timescale/MetricRowEstimate';
import { checkOut } from '../postgres/poolClient';
import { forEachLimited } from '../forEachLimited';
import {
  METRIC_DAY_SELECT,
  MetricDayWriter,
  UnreadableCopyError,
  type RunDays,
  type WrittenDay,
} from './metricDayWriter';
import {
  daysToCompare,
  dayKey,
  discoveryRuns,
  fetchRuns,
  freshPipelines,
  planSync,
  sampleSql,
  selectionKey,
  summarySql,
  whereSql,
  type DayOutcome,
  type DayRef,
  type HeldDay,
  type SelectionKey,
  type PlannedDay,
  type PlannedRun,
  type ServerDay,
} from './syncPlan';

export type { DayOutcome } from './syncPlan';
export const SYNC_STATE_FILE = 'metrics-sync.json';
/** Scratch space beside the cache: same filesystem (so renames are atomic), outside the metrics glob. */
const SCRATCH_DIR = 'metrics-sync.tmp';

/** Pipeline ids become folder names: keep them to characters every filesystem takes. */
const SAFE_ID = /^[A-Za-z0-9_.-]+$/;

/**
 * A day exactly as the server's to_char(…, 'YYYY-MM-DD') writes it: day keys of
 * the state file become folder names, so nothing else (`../x`, `2026-02-31`) passes.
 */
const DayKey = SyncDay.refine((day) => {
  // zod runs this even after the format check failed: `day` may be any text here.
  const time = Date.parse(`${day}T00:00:00Z`);
  return !Number.isNaN(time) && utcDayOf(time) === day;
}, 'must be a date like 2026-01-31');
const PipelineKey = z.string().regex(SAFE_ID, 'must be a pipeline id of letters, digits, _ . -');
/** Bounded text the file only compares (times, checksums). */
const Text = z.string().max(256);

const DaySummary = z.strictObject({
  rows: z.number().int().nonnegative(),
  maxTime: Text,
  checksum: Text,
});

const SelectionKey = z.strictObject({
  metricNames: z.array(SyncName).nullable(),
  seriesIds: z.array(SyncName).nullable(),
});

/**
 * A cached day known to differ from the server (a push or undo changed it and
 * re-syncing it failed or has not run yet): shown as stale until re-synced.
 */
const StaleDay = z.strictObject({
  since: Text,
  /** In words, e.g. "push 1a2b3c4d changed it on the server". */
  reason: Text,
});

/** cache/metrics-sync.json, read like a request: paths are built from its keys. */
const SyncStateFile = z.strictObject({
  version: z.literal(1),
  pipelines: z.record(
    PipelineKey,
    z.strictObject({
      lastSyncAt: Text.nullable(),
      stale: z.record(DayKey, StaleDay).optional(),
      days: z.record(
        DayKey,
        z.strictObject({
          selection: SelectionKey,
          summary: DaySummary,
          bytes: z.number().int().nonnegative(),
          syncedAt: Text,
        }),
      ),
    }),
  ),
});
type SyncState = z.infer<typeof SyncStateFile>;

export interface SyncReport {
  /** Days of the selection on the server. */
  days: number;
  fetched: number;
  counts: Record<DayOutcome, number>;
  rowsFetched: number;
  bytesWritten: number;
  /** Per pipeline and day, what happened: for tests and logs. */
  outcomes: { pipelineId: string; day: string; outcome: DayOutcome }[];
  message: string;
}

export interface MetricSyncOptions {
  pool: () => pg.Pool;
  cacheDir: () => string;
  jobs: JobRunner;
  /** Called after every sync that changed files, so `metrics` and `metrics_<id>` follow. */
  remountViews: () => Promise<void>;
  /** Rows streamed so far in the running sync (tests use it to inject faults at a known point). */
  onRows?: (info: { rowsDone: number; daysSaved: number }) => void;
}

/**
 * A selection as disjoint filters, one per pipeline and metric: PostgreSQL adds
 * the frequencies of `x IN (a, b)` only while their sum stays ≤ 1, and a list
 * covering every value can round just above 1 — then it takes the values as
 * independent (75% for two values that are all the rows). One value per
 * question never meets that.
 */
function selectionParts(selection: SyncSelection): MetricFilter[] {
  return selection.pipelines.flatMap((pipelineId) =>
    (selection.metricNames ?? [null]).map((metric) => ({
      pipelineIds: [pipelineId],
      metricNames: metric === null ? null : [metric],
      seriesIds: selection.seriesIds,
    })),
  );
}

function describePg(err: unknown): string {
  const message = errorMessage(err);
  return /ECONNREFUSED|ECONNRESET|terminat|Connection terminated|closed|EPIPE|57P0/i.test(message)
    ? `the connection to PostgreSQL was lost (${message})`
    : message;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function describeReport(report: Omit<SyncReport, 'message'>): string {
  const { counts } = report;
  if (report.days === 0 && counts.removed === 0) return 'Nothing to sync: the server has no metrics in this selection.';
  const parts: string[] = [];
  if (counts.new) parts.push(`${counts.new} new`);
  if (counts.changed) parts.push(`${counts.changed} changed`);
  if (counts.latest) parts.push(`${counts.latest} latest re-checked`);
  const head = `${report.fetched} of ${plural(report.days, 'day')} fetched${parts.length ? `: ${parts.join(', ')}` : ''}`;
  const tail = [`${counts.unchanged} unchanged`];
  if (counts.removed) tail.push(`${counts.removed} removed (gone from the server)`);
  const rows = report.rowsFetched ? ` · ${report.rowsFetched.toLocaleString('en-US')} rows` : '';
  return `${head}; ${tail.join(', ')}${rows}`;
}

/** A push or undo that changed a pipeline's metrics on the server over `[start, end)`. */
export interface ServerChange {
  pipelineId: string;
  range: { start: string; end: string };
  /** In words, for the stale mark: "push 1a2b3c4d", "undo 5e6f7a8b". */
  what: string;
}

/** The UTC days `[start, end)` touches. */
function daysOfRange(range: { start: string; end: string }): { first: string; last: string } {
  return { first: utcDayOf(Date.parse(range.start)), last: lastDayOf(range.end) };
}

export class MetricSync {
  private running: StartedJob<SyncReport> | null = null;
  private lastMessage: string | null = null;

  constructor(private readonly opts: MetricSyncOptions) {}

  private get metricsDir(): string {
    return join(this.opts.cacheDir(), 'metrics');
  }

  private get stateFile(): string {
    return join(this.opts.cacheDir(), SYNC_STATE_FILE);
  }

  /** Files of the metrics cache never lead out of the cache folder through a link. */
  private get withinCache(): Within {
    return { root: this.opts.cacheDir(), where: 'the cache folder' };
  }

  /**
   * A day's folder, checked before anything in it is removed or written: its
   * name (see dayDirPath) and its real path, which no link may lead out of the cache.
   */
  private async dayDir(pipelineId: string, day: string): Promise<string> {
    const dir = this.dayDirPath(pipelineId, day);
    await insidePath(this.withinCache.root, dir, this.withinCache.where);
    return dir;
  }

  async options(): Promise<SyncOptions> {
    const pool = this.opts.pool();
    const [mode, pipelines] = await Promise.all([detectServerMode(pool), readPipelines(pool)]);
    return {
      mode: mode.mode,
      pipelines: pipelines.map((p) => ({ id: p.id, name: p.name, metrics: p.definition.metrics.map((m) => m.name) })),
    };
  }

  /** Series ids of the pipelines containing `search`, at most `limit`. */
  async series(input: { pipelines: string[]; search: string; limit: number }): Promise<SyncSeriesResult> {
    const pattern = `%${input.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const { client, release } = await checkOut(this.opts.pool());
    try {
      await client.query('BEGIN READ ONLY');
      // A huge table must not hang the dialog: a slow search fails with a message instead.
      await client.query("SET LOCAL statement_timeout = '15s'");
      const { rows } = await client.query<{ series_id: string }>(
        `SELECT DISTINCT series_id FROM dash.pipeline_metrics
         WHERE pipeline_id = ANY($1) AND series_id ILIKE $2 ORDER BY series_id LIMIT $3`,
        [input.pipelines, pattern, input.limit + 1],
      );
      await client.query('COMMIT');
      return { series: rows.slice(0, input.limit).map((r) => r.series_id), more: rows.length > input.limit };
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      if (/statement timeout/i.test(errorMessage(err))) {
        throw new WorkbenchError(
          'timeout',
          'Searching series took too long on this server',
          'Type more of the series id, or sync all series.',
        );
      }
      throw err;
    } finally {
      release();
    }
  }

  /**
   * Rows and bytes a selection would fetch, without counting them: the
   * planner's estimate on plain PostgreSQL; on TimescaleDB, compressed chunks'
   * batch row counts (the planner is far off there) and each uncompressed heap's
   * own statistics. When TimescaleDB's figures cannot be read the planner's
   * estimate stands, and the note says why.
   */
  async estimate(selection: SyncSelection): Promise<SyncEstimate> {
    const pool = this.opts.pool();
    let fallback = '';
    if ((await detectServerMode(pool)).mode === 'timescaledb') {
      try {
        // The planner's row width is right on TimescaleDB too; only its row counts are not.
        const { width } = await this.plannerEstimate(pool, whereSql(selection));
        return await this.chunkEstimate(pool, selection, width);
      } catch (err) {
        fallback = ` — TimescaleDB's chunk figures could not be read (${pgErrorText(err)}), so compressed chunks may be far off`;
      }
    }
    const planned = await this.selectionEstimate(pool, selection);
    return {
      rows: planned.rows,
      bytes: planned.rows * planned.width,
      method: 'planner',
      note: `PostgreSQL's planner estimate (table statistics); the real count may differ${fallback}`,
    };
  }

  /**
   * The planner's rows for a selection, asked per pipeline and metric (see `selectionParts`).
   */
  private async selectionEstimate(pool: pg.Pool, selection: SyncSelection): Promise<{ rows: number; width: number }> {
    const parts = selectionParts(selection).map((part) => ({
      ...selection,
      pipelines: part.pipelineIds!,
      metricNames: part.metricNames,
    }));
    const plans = await Promise.all(parts.map((part) => this.plannerEstimate(pool, whereSql(part))));
    return {
      rows: plans.reduce((sum, p) => sum + p.rows, 0),
      width: Math.max(0, ...plans.map((p) => p.width)),
    };
  }

  private async plannerEstimate(pool: pg.Pool, where: string): Promise<{ rows: number; width: number }> {
    const { rows } = await pool.query<{ 'QUERY PLAN': [{ Plan: { 'Plan Rows': number; 'Plan Width': number } }] }>(
      `EXPLAIN (FORMAT JSON) SELECT time, pipeline_id, series_id, metric_name, value FROM dash.pipeline_metrics WHERE ${where}`,
    );
    const plan = rows[0]?.['QUERY PLAN'][0]?.Plan;
    return { rows: Math.round(plan?.['Plan Rows'] ?? 0), width: plan?.['Plan Width'] ?? 0 };
  }

  private async chunkEstimate(pool: pg.Pool, selection: SyncSelection, width: number): Promise<SyncEstimate> {
    const filter = {
      pipelineIds: selection.pipelines,
      metricNames: selection.metricNames,
      seriesIds: selection.seriesIds,
    };
    const estimate = await estimateMetricRows(
      pool,
      { filter, plannerParts: selectionParts(selection) },
      {
        start: selection.from ? `${selection.from}T00:00:00Z` : null,
        end: selection.to ? `${selection.to}T00:00:00Z` : null,
      },
    );
    const { compressed, partial, uncompressed } = estimate.chunks;
    const kinds = [
      compressed ? `${compressed} compressed` : null,
      partial ? `${partial} partly compressed` : null,
      uncompressed ? `${uncompressed} uncompressed` : null,
    ].filter(Boolean);
    const total = compressed + partial + uncompressed;
    const how = [
      compressed + partial ? 'compressed rows from their batches’ own counts' : null,
      partial + uncompressed ? 'uncompressed rows from each chunk’s statistics' : null,
    ].filter(Boolean);
    const shared = estimate.sharedColumns.length
      ? `; batches are not segmented by ${estimate.sharedColumns.join(', ')}, so that filter's share comes from the uncompressed chunks`
      : '';
    return {
      rows: estimate.rows,
      bytes: estimate.rows * width,
      method: 'timescaledb-chunks',
      note: `TimescaleDB: ${plural(total, 'chunk')} in the range${kinds.length ? ` (${kinds.join(', ')})` : ''}, ${formatBytes(estimate.serverBytes)} on the server; ${how.join(', ') || 'no rows'}${shared}`,
    };
  }

  /** What is cached per pipeline: days on disk, days synced, rows, last sync. */
  async status(): Promise<SyncStatus> {
    const state = await this.readState();
    const byPipeline = new Map<string, { days: string[] }>();
    if (existsSync(this.metricsDir)) {
      for (const entry of await readdir(this.metricsDir, { withFileTypes: true })) {
        if (!entry.isDirectory() || !entry.name.startsWith('pipeline_id=')) continue;
        const id = entry.name.slice('pipeline_id='.length);
        const days: string[] = [];
        for (const day of await readdir(join(this.metricsDir, entry.name), { withFileTypes: true })) {
          if (!day.isDirectory() || !day.name.startsWith('date=')) continue;
          const files = await readdir(join(this.metricsDir, entry.name, day.name));
          if (files.some((f) => f.endsWith('.parquet'))) days.push(day.name.slice('date='.length));
        }
        byPipeline.set(id, { days: days.sort() });
      }
    }
    for (const id of Object.keys(state.pipelines)) if (!byPipeline.has(id)) byPipeline.set(id, { days: [] });
    const pipelines = [...byPipeline.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([pipelineId, { days }]) => {
        const synced = state.pipelines[pipelineId];
        const syncedDays = synced ? Object.entries(synced.days).filter(([day]) => days.includes(day)) : [];
        return {
          pipelineId,
          days: days.length,
          syncedDays: syncedDays.length,
          rows: syncedDays.reduce((sum, [, d]) => sum + d.summary.rows, 0),
          firstDay: days[0] ?? null,
          lastDay: days[days.length - 1] ?? null,
          lastSyncAt: synced?.lastSyncAt ?? null,
          stale: Object.entries(synced?.stale ?? {})
            .filter(([day]) => days.includes(day))
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([day, mark]) => ({ day, since: mark.since, reason: mark.reason })),
        };
      });
    return { pipelines, runningJobId: this.running?.jobId ?? null, lastMessage: this.lastMessage };
  }

  /**
   * The UTC days of a pipeline whose cached file holds what a chart of
   * `metrics` and `seriesIds` (empty: every series) needs, exactly as the server
   * had it when synced: synced with a selection that covers them, present on
   * disk, and not marked stale. Days computed locally (the demo) are not
   * server data and are left out.
   */
  async cachedDaysFor(pipelineId: string, metrics: readonly string[], seriesIds: readonly string[]): Promise<string[]> {
    const synced = (await this.readState()).pipelines[pipelineId];
    if (!synced) return [];
    const covers = (held: string[] | null, wanted: readonly string[]) =>
      held === null || (wanted.length > 0 && wanted.every((w) => held.includes(w)));
    const days: string[] = [];
    for (const [day, entry] of Object.entries(synced.days)) {
      if (synced.stale?.[day]) continue;
      if (!covers(entry.selection.metricNames, metrics) || !covers(entry.selection.seriesIds, seriesIds)) continue;
      const dir = this.dayDirPath(pipelineId, day);
      if (!existsSync(dir) || !(await readdir(dir)).some((f) => f.endsWith('.parquet'))) continue;
      days.push(day);
    }
    return days.sort();
  }

  /**
   * After a push or undo changed the server's metrics: the cached days of the
   * range are marked stale at once (so nothing shows them as current), then
   * re-synced as a job — exactly those days, nothing else is fetched. A day
   * that cannot be re-synced (server unreachable, a sync already running)
   * stays marked, with "Re-sync" one click away. Null when no day is cached.
   */
  async refreshAfterServerChange(
    change: ServerChange,
  ): Promise<{ days: string[]; job: StartedJob<SyncReport> | null }> {
    if (!SAFE_ID.test(change.pipelineId)) return { days: [], job: null };
    const { first, last } = daysOfRange(change.range);
    const days = (await this.cachedDays(change.pipelineId)).filter((d) => d >= first && d <= last);
    if (!days.length) return { days, job: null };
    const state = await this.readState();
    const entry = (state.pipelines[change.pipelineId] ??= { lastSyncAt: null, days: {} });
    const since = new Date().toISOString();
    entry.stale = { ...entry.stale };
    for (const day of days) entry.stale[day] = { since, reason: `${change.what} changed it on the server` };
    await writeJsonFile(this.stateFile, state, { within: this.withinCache });
    if (this.running) {
      this.lastMessage = `${plural(days.length, 'cached day')} of ${change.pipelineId} changed on the server by ${change.what}; re-sync them when the running sync ends`;
      return { days, job: null };
    }
    return { days, job: this.resync(change.pipelineId, days) };
  }

  /** Re-syncs the days of `pipelineId` marked stale (all pipelines' when null), as a job. */
  async resyncStale(pipelineId: string | null): Promise<StartedJob<SyncReport> | null> {
    const state = await this.readState();
    const wanted = Object.entries(state.pipelines)
      .filter(([id, entry]) => (pipelineId === null || id === pipelineId) && Object.keys(entry.stale ?? {}).length)
      .map(([id, entry]) => ({ pipelineId: id, days: Object.keys(entry.stale ?? {}).sort() }));
    if (!wanted.length) return null;
    return this.startJob(
      `Re-syncing ${wanted.reduce((n, w) => n + w.days.length, 0)} stale cached days`,
      async (ctx) => {
        let last: SyncReport | null = null;
        for (const w of wanted) last = await this.runDays(w.pipelineId, w.days, ctx);
        return last!;
      },
    );
  }

  /** Re-syncs exactly these cached days of one pipeline, as a job. */
  private resync(pipelineId: string, days: string[]): StartedJob<SyncReport> {
    return this.startJob(`Re-syncing ${plural(days.length, 'cached day')} of ${pipelineId}`, (ctx) =>
      this.runDays(pipelineId, days, ctx),
    );
  }

  /**
   * Days of one pipeline, each with the selection it was synced with (a day the
   * demo computed locally holds every metric and series): one run per selection.
   */
  private async runDays(pipelineId: string, days: string[], ctx: JobContext): Promise<SyncReport> {
    const state = await this.readState();
    const local = state.pipelines[pipelineId]?.days ?? {};
    const groups = new Map<string, { key: SelectionKey; days: string[] }>();
    for (const day of days) {
      const key = local[day]?.selection ?? { metricNames: null, seriesIds: null };
      const id = JSON.stringify(key);
      const group = groups.get(id) ?? { key, days: [] };
      group.days.push(day);
      groups.set(id, group);
    }
    let report: SyncReport | null = null;
    for (const { key, days: these } of groups.values()) {
      const sorted = [...these].sort();
      const selection: SyncSelection = {
        pipelines: [pipelineId],
        metricNames: key.metricNames,
        seriesIds: key.seriesIds,
        from: sorted[0]!,
        to: addDays(sorted[sorted.length - 1]!, 1),
      };
      report = await this.run(selection, ctx, new Set(sorted));
    }
    return report!;
  }

  /** Days of a pipeline with Parquet in the cache (synced or computed locally by the demo). */
  private async cachedDays(pipelineId: string): Promise<string[]> {
    const dir = join(this.metricsDir, `pipeline_id=${pipelineId}`);
    if (!existsSync(dir)) return [];
    const days: string[] = [];
    for (const day of await readdir(dir, { withFileTypes: true })) {
      if (!day.isDirectory() || !day.name.startsWith('date=')) continue;
      const name = day.name.slice('date='.length);
      if (!DayKey.safeParse(name).success) continue;
      const files = await readdir(join(dir, day.name));
      if (files.some((f) => f.endsWith('.parquet'))) days.push(name);
    }
    return days.sort();
  }

  /** Starts a sync as a job; one at a time. */
  start(selection: SyncSelection): StartedJob<SyncReport> {
    if (this.running) {
      throw new WorkbenchError(
        'bad_request',
        'A metric sync is already running',
        'Wait for it to finish, or cancel it in the status bar.',
      );
    }
    for (const id of selection.pipelines) {
      if (!SAFE_ID.test(id)) {
        throw new WorkbenchError(
          'bad_request',
          `Pipeline "${id}" cannot be cached: its id has characters other than letters, digits, _ . -`,
        );
      }
    }
    const what = selection.pipelines.length === 1 ? selection.pipelines[0]! : `${selection.pipelines.length} pipelines`;
    return this.startJob(`Syncing ${what} metrics`, (ctx) => this.run(selection, ctx));
  }

  /** A sync job; one at a time (the state file has one writer). */
  private startJob(title: string, run: (ctx: JobContext) => Promise<SyncReport>): StartedJob<SyncReport> {
    if (this.running) {
      throw new WorkbenchError(
        'bad_request',
        'A metric sync is already running',
        'Wait for it to finish, or cancel it in the status bar.',
      );
    }
    const job = this.opts.jobs.start({ kind: 'sync.metrics', title, unit: 'rows', run });
    this.running = job;
    const clear = () => {
      if (this.running === job) this.running = null;
    };
    job.done.then(
      (report) => {
        this.lastMessage = report.message;
        clear();
      },
      (err: unknown) => {
        this.lastMessage = errorMessage(err);
        clear();
      },
    );
    return job;
  }

  /**
   * The sync state, or a refusal naming the file when it is damaged: the sync
   * then changes nothing (its day keys would name the folders it deletes).
   */
  private async readState(): Promise<SyncState> {
    const state = await readJsonFile(this.stateFile, SyncStateFile, 'metric sync state', {
      within: this.withinCache,
      hint:
        'Nothing in the cache was changed. Move that file aside (or delete it) and sync again: ' +
        'the cached days stay, and the sync fetches them afresh.',
    });
    return state ?? { version: 1, pipelines: {} };
  }

  /**
   * One grouped query: per pipeline and UTC day of the selection, the server's
   * count and max(time), and the checksum of the days in `compare`.
   */
  private async serverSummaries(
    selection: SyncSelection,
    compare: readonly DayRef[],
    signal: AbortSignal,
  ): Promise<Map<string, ServerDay>> {
    const pool = this.opts.pool();
    const query = pool.query<{
      pipeline_id: string;
      day: string;
      rows: string;
      max_time: string;
      checksum: string | null;
    }>(summarySql(selection, compare));
    const { rows } = await abortable(query, signal);
    const out = new Map<string, ServerDay>();
    for (const r of rows) {
      serverDayOf(r);
      out.set(dayKey(r.pipeline_id, r.day), { rows: Number(r.rows), maxTime: r.max_time, checksum: r.checksum });
    }
    return out;
  }

  /**
   * Per pipeline, the days a sample of the table's pages saw (sampleSql), with
   * their estimated rows, for discoveryRuns.
   */
  private async sampleDays(selection: SyncSelection, signal: AbortSignal): Promise<Map<string, PlannedDay[]>> {
    const query = this.opts.pool().query<{ pipeline_id: string; day: string; rows: string }>(sampleSql(selection));
    const { rows } = await abortable(query, signal);
    const out = new Map<string, PlannedDay[]>();
    for (const r of rows) {
      const day = serverDayOf(r);
      const days = out.get(day.pipelineId) ?? [];
      days.push({ ...day, outcome: 'new', rows: Number(r.rows) });
      out.set(day.pipelineId, days);
    }
    return out;
  }

  /** What the state file holds for the selection's pipelines, and which of those days have their file. */
  private heldDays(state: SyncState, selection: SyncSelection): Map<string, Map<string, HeldDay>> {
    const held = new Map<string, Map<string, HeldDay>>();
    for (const pipelineId of selection.pipelines) {
      const days = new Map<string, HeldDay>();
      for (const [day, entry] of Object.entries(state.pipelines[pipelineId]?.days ?? {})) {
        days.set(day, {
          selection: entry.selection,
          summary: entry.summary,
          onDisk: existsSync(this.dayFile(pipelineId, day)),
        });
      }
      held.set(pipelineId, days);
    }
    return held;
  }

  /** Syncs a selection; with `only`, just those days of it (a re-sync after a push). */
  private async run(selection: SyncSelection, ctx: JobContext, only?: ReadonlySet<string>): Promise<SyncReport> {
    const state = await this.readState();
    const held = this.heldDays(state, selection);
    const scratch = join(this.opts.cacheDir(), SCRATCH_DIR);
    await rm(scratch, { recursive: true, force: true });
    await mkdir(scratch, { recursive: true });
    // The writer thread starts while the server answers: both take a moment.
    const writer = MetricDayWriter.open(scratch);
    writer.catch(() => undefined);
    try {
      ctx.progress(0, null, 'Asking the server what changed');
      let server: Map<string, ServerDay>;
      let discovered: PlannedRun[] = [];
      // Pipelines the cache holds nothing of need no per-day summary (a scan of all their rows): a
      // sample of the table's pages shapes their runs. A server that cannot sample gets the summary.
      const fresh = freshPipelines({ selection, held, only });
      const sampled = fresh.length
        ? await this.sampleDays({ ...selection, pipelines: fresh }, ctx.signal).catch(() => null)
        : null;
      const summarised: SyncSelection = {
        ...selection,
        pipelines: sampled ? selection.pipelines.filter((id) => !fresh.includes(id)) : selection.pipelines,
      };
      if (sampled) {
        const range = { from: selection.from ?? null, to: selection.to ?? null };
        discovered = fresh.flatMap((id) => discoveryRuns(id, sampled.get(id) ?? [], range));
      }
      try {
        server = summarised.pipelines.length
          ? await this.serverSummaries(summarised, daysToCompare({ selection: summarised, held, only }), ctx.signal)
          : new Map();
      } catch (err) {
        ctx.throwIfCancelled();
        throw new WorkbenchError(
          'unavailable',
          `Could not read the metrics summary from PostgreSQL: ${describePg(err)}. Nothing was changed in the cache; try again when the server answers.`,
        );
      }
      ctx.throwIfCancelled();
      const plan = planSync({ selection: summarised, held, server, only });
      const runs = [...fetchRuns(plan.fetch), ...discovered];
      return await this.execute(plan, runs, { selection, state, ctx, only, scratch, writer });
    } finally {
      await writer.then(
        (w) => w.close(),
        () => undefined,
      );
      await rm(scratch, { recursive: true, force: true });
    }
  }

  /**
   * Runs a plan: removes the days gone from the server, then fetches the
   * others in runs of consecutive days, FETCH_AT_ONCE runs at a time on
   * forEachLimited (the server streams some while the writer thread encodes
   * others), each day published by a rename once its run is complete.
   */
  private async execute(
    plan: ReturnType<typeof planSync>,
    runs: PlannedRun[],
    run: {
      selection: SyncSelection;
      state: SyncState;
      ctx: JobContext;
      only: ReadonlySet<string> | undefined;
      /** Scratch space for the days' temporary files, same filesystem as the cache. */
      scratch: string;
      writer: Promise<MetricDayWriter>;
    },
  ): Promise<SyncReport> {
    const { selection, state, ctx, only, scratch } = run;
    const key = selectionKey(selection);
    const counts: Record<DayOutcome, number> = { new: 0, changed: 0, latest: 0, unchanged: 0, removed: 0 };
    const outcomes: SyncReport['outcomes'] = plan.unchanged.map((d) => ({ ...d, outcome: 'unchanged' as const }));
    counts.unchanged = plan.unchanged.length;
    const total = runs.reduce((sum, r) => sum + r.rows, 0);
    // Discovered runs learn their days as they come: then only what was saved is counted.
    const daysKnown = runs.every((r) => !r.discovered);
    const saved = () => (daysKnown ? `${daysSaved} of ${plural(plan.fetch.length, 'day')}` : plural(daysSaved, 'day'));
    let rowsDone = 0;
    let rowsFetched = 0;
    let bytesWritten = 0;
    let daysSaved = 0;
    let changedFiles = false;
    const saveState = () => writeJsonFile(this.stateFile, state, { within: this.withinCache });

    for (const { pipelineId, day } of plan.remove) {
      await rm(await this.dayDir(pipelineId, day), { recursive: true, force: true });
      delete state.pipelines[pipelineId]?.days[day];
      delete state.pipelines[pipelineId]?.stale?.[day];
      counts.removed++;
      outcomes.push({ pipelineId, day, outcome: 'removed' });
      changedFiles = true;
    }
    if (plan.remove.length) await saveState();

    const progressMessage = (run: PlannedRun) => `Fetching ${run.pipelineId} ${runDays(run)} (${saved()} done)`;
    // Days are published one after another: the state file has one writer.
    let publishing: Promise<void> = Promise.resolve();
    const publish = (planned: PlannedDay, tmpParquet: string, summary: DaySummaryState) => {
      const mine = publishing.then(async () => {
        const { pipelineId, day } = planned;
        // Never publish a day after the user cancelled.
        ctx.throwIfCancelled();
        const dayDir = await this.dayDir(pipelineId, day);
        await mkdir(dayDir, { recursive: true });
        const size = (await stat(tmpParquet)).size;
        await rename(tmpParquet, join(dayDir, 'part-0.parquet'));
        changedFiles = true;
        // Other parts (e.g. the demo's) would double the day.
        for (const other of await readdir(dayDir)) {
          if (other !== 'part-0.parquet') await rm(join(dayDir, other), { force: true });
        }
        const entry = (state.pipelines[pipelineId] ??= { lastSyncAt: null, days: {} });
        delete entry.stale?.[day];
        // The summary of the rows written: if the day changed since, the next sync notices and fetches it again.
        entry.days[day] = { selection: key, summary, bytes: size, syncedAt: new Date().toISOString() };
        await saveState();
        bytesWritten += size;
        daysSaved++;
        counts[planned.outcome]++;
        outcomes.push({ pipelineId, day, outcome: planned.outcome });
      });
      publishing = mine.catch(() => undefined);
      return mine;
    };

    try {
      const writer = runs.length ? await run.writer : null;
      await forEachLimited(
        runs,
        FETCH_AT_ONCE,
        async (planned, signal) => {
          ctx.progress(rowsDone, total > 0 ? Math.max(total, rowsDone) : null, progressMessage(planned));
          const days: RunDays = {
            from: planned.from,
            to: planned.to,
            dir: scratch,
            prefix: `${planned.pipelineId}-${randomBytes(4).toString('hex')}-`,
          };
          let streamed = 0;
          try {
            const written = await this.fetchRun(selection, planned, writer!, days, signal, (n) => {
              streamed += n;
              rowsDone += n;
              ctx.progress(rowsDone, total > 0 ? Math.max(total, rowsDone) : null, progressMessage(planned));
              this.opts.onRows?.({ rowsDone, daysSaved });
            });
            for (const { day, path, summary } of written) {
              rowsFetched += summary.rows;
              // A discovered run's days are new (the cache held none of the pipeline's).
              const plannedDay = planned.days.find((d) => d.day === day) ?? {
                pipelineId: planned.pipelineId,
                day,
                outcome: 'new' as const,
                rows: summary.rows,
              };
              await publish(plannedDay, path, summary).catch((err: unknown) => {
                throw new DayFailure(planned.pipelineId, day, err);
              });
            }
          } catch (err) {
            rowsDone -= streamed;
            throw err instanceof DayFailure ? err : new DayFailure(planned.pipelineId, runDays(planned), err);
          }
        },
        { signal: ctx.signal },
      );
    } catch (err) {
      // A cancel reads as the job's own "cancelled", whichever day was running.
      ctx.throwIfCancelled();
      if (!(err instanceof DayFailure)) throw err;
      throw this.describeFailure(err, `${saved()} ${daysSaved === 1 && !daysKnown ? 'was' : 'were'} saved`);
    } finally {
      if (changedFiles) await this.opts.remountViews().catch(() => undefined);
    }
    ctx.throwIfCancelled();

    const now = new Date().toISOString();
    for (const id of selection.pipelines) {
      const entry = (state.pipelines[id] ??= { lastSyncAt: null, days: {} });
      entry.lastSyncAt = now;
      // Every day of the selection now matches the server (fetched, or found unchanged).
      for (const day of Object.keys(entry.stale ?? {})) {
        const inRange =
          (!selection.from || day >= selection.from) &&
          (!selection.to || day < selection.to) &&
          (!only || only.has(day));
        if (inRange) delete entry.stale![day];
      }
    }
    await saveState();
    outcomes.sort((a, b) => a.pipelineId.localeCompare(b.pipelineId) || a.day.localeCompare(b.day));
    const result = {
      days: counts.new + counts.changed + counts.latest + counts.unchanged,
      fetched: daysSaved,
      counts,
      rowsFetched,
      bytesWritten,
      outcomes,
    };
    const message = describeReport(result);
    ctx.progress(rowsDone, rowsDone, message);
    return { ...result, message };
  }

  /** Days that could not be fetched or saved, in words: the disk, the server's stream, or the server. */
  private describeFailure({ pipelineId, days, reason: cause }: DayFailure, saved: string): WorkbenchError {
    if (cause instanceof WorkbenchError && cause.code === 'cancelled') return cause;
    const what = `${pipelineId} ${days}`;
    // The disk, not the server, failed: say which file and what to do, not "when the server is back".
    const disk = fromSystemError(cause);
    if (disk)
      return new WorkbenchError(disk.code, `Sync stopped while saving ${what}: ${disk.message}. ${saved}`, disk.hint);
    if (cause instanceof UnreadableCopyError) {
      return new WorkbenchError(
        'unavailable',
        `Sync stopped while reading ${what}: the server's COPY output could not be read (${cause.message}). ${saved}; none of ${what} was kept.`,
      );
    }
    return new WorkbenchError(
      'unavailable',
      `Sync stopped while fetching ${what}: ${describePg(cause)}. ${saved}; run the sync again when the server is back to fetch the rest.`,
    );
  }

  private dayFile(pipelineId: string, day: string): string {
    return join(this.dayDirPath(pipelineId, day), 'part-0.parquet');
  }

  /**
   * `metrics/pipeline_id=<id>/date=<day>`, the only folder a sync writes or
   * deletes; anything that would resolve elsewhere is refused before any rm or write.
   */
  private dayDirPath(pipelineId: string, day: string): string {
    const root = resolve(this.metricsDir);
    const dir = resolve(root, `pipeline_id=${pipelineId}`, `date=${day}`);
    if (!SAFE_ID.test(pipelineId) || !DayKey.safeParse(day).success || dirname(dirname(dir)) !== root) {
      throw new WorkbenchError(
        'bad_request',
        `Refused to touch ${dir}: "${pipelineId}" ${day} does not name a folder of the metrics cache ${root}`,
      );
    }
    return dir;
  }

  /**
   * Streams a run of days as COPY binary into the writer thread, which writes
   * each day to its path as Parquet; returns the summaries of the days that had rows.
   */
  private async fetchRun(
    selection: SyncSelection,
    planned: PlannedRun,
    writer: MetricDayWriter,
    days: RunDays,
    signal: AbortSignal,
    onRows: (n: number) => void,
  ): Promise<WrittenDay[]> {
    const { client, release } = await checkOut(this.opts.pool());
    const stream = writer.days(planned.pipelineId, days, onRows);
    try {
      const copy = client.query(
        copyTo(
          `COPY (SELECT ${METRIC_DAY_SELECT} FROM dash.pipeline_metrics WHERE ${whereSql(selection, planned)}) TO STDOUT (FORMAT binary)`,
        ),
      );
      await pipeline(copy, stream, { signal });
    } catch (err) {
      // A connection that was mid-COPY is not reusable: drop it.
      release(err instanceof Error ? err : new Error(String(err)));
      stream.destroy();
      throw err;
    }
    // Every byte is with the writer: the connection serves the next run while this one is encoded.
    release();
    return stream.written;
  }
}

/**
 * Runs in progress at once: the server streams some while the writer thread
 * decodes others and writes finished ones as Parquet, so neither side waits.
 */
const FETCH_AT_ONCE = 3;

type DaySummaryState = z.infer<typeof DaySummary>;

/** Which days a sync failed on (a day, or a run's "first to last"), and why. */
class DayFailure extends Error {
  constructor(
    readonly pipelineId: string,
    readonly days: string,
    readonly reason: unknown,
  ) {
    super(errorMessage(reason));
  }
}

/** A pipeline and day the server named; they become folder and file names: only the exact format asked for. */
function serverDayOf(r: { pipeline_id: string; day: string }): DayRef {
  if (!DayKey.safeParse(r.day).success || !SAFE_ID.test(r.pipeline_id)) {
    throw new WorkbenchError(
      'unavailable',
      `The server sent an unexpected day "${r.day.slice(0, 40)}" for pipeline "${r.pipeline_id.slice(0, 80)}"; nothing was changed in the cache`,
    );
  }
  return { pipelineId: r.pipeline_id, day: r.day };
}

/** A run's days in words: "2026-01-03", "2026-01-03 to 2026-01-06", "up to 2026-01-06", "from 2026-01-07". */
function runDays(run: PlannedRun): string {
  const last = run.to === null ? null : addDays(run.to, -1);
  if (run.from !== null && last !== null) return run.from === last ? last : `${run.from} to ${last}`;
  if (last !== null) return `up to ${last}`;
  return run.from !== null ? `from ${run.from}` : 'all days';
}

/** Rejects as soon as `signal` aborts (the query itself ends when its connection does). */
function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new WorkbenchError('cancelled', 'Cancelled'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new WorkbenchError('cancelled', 'Cancelled'));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}
