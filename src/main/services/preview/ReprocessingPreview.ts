/**
 * The reprocessing preview: a pipeline draft recomputed over the cached Bronze
 * of a UTC range on the native warehouse, diffed against the server's metrics
 * of the same range keyed by (series_id, metric_name, time); and the push of
 * that recomputation back to the server through MetricPush.
 *
 * A preview lives in `cache/previews/<previewId>/` (the recomputed rows as
 * Parquet, and from the first push on the COPY-text delta file a push streams:
 * only the keys added, removed or changed, compared exactly) and in three
 * warehouse tables `previews."<id>_new" | "_current" | "_diff"` the UI pages
 * and charts. Previews are kept for the app's session.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type pg from 'pg';
import type { PipelineDefinition, PipelineSummary } from '../../../shared/api/contract';
import type {
  AggregateRefresh,
  DiffChange,
  DiffCounts,
  PreviewSeries,
  PreviewStartRequest,
  PreviewSummary,
  PushOutcome,
  PushPlanView,
  PushRecord,
  WriteCredentials,
} from '../../../shared/api/push';
import { describeSkippedFiles, type SkippedFile } from '../../../shared/api/lake';
import { WorkbenchError, errorMessage } from '../../../shared/errors';
import { compilePipeline, FormulaError, type BronzeColumn } from '../../../shared/formula';
import { quoteIdent, quoteLiteral } from '../../../shared/sql';
import { DAY_MS, utcDayOf } from '../../../shared/utcDays';
import { copyTextSql, copyTextValueSql, unescapeCopyTextSql } from '../postgres/copyCodec';
import type { JobContext, JobRunner } from '../jobs/JobRunner';
import type { BronzeLake } from '../lake/BronzeLake';
import { readPipelines } from '../postgres/Pipelines';
import { connectClient } from '../postgres/poolClient';
import { MetricPush } from '../push/MetricPush';
import { explainPushFailure } from '../push/pushConnection';
import { pushHistory } from '../push/PushHistory';
import { planPush, type PushDelta } from '../push/PushPlanner';
import { rangeSnapshot } from '../push/rangeFingerprint';
import type { Warehouse } from '../warehouse/Warehouse';
import type { ServerChange } from '../sync/MetricSync';

type StartRequest = Required<PreviewStartRequest>;

export interface ReprocessingPreviewOptions {
  warehouse: () => Warehouse;
  /** The read-only exploration pool. */
  pool: () => pg.Pool;
  lake: () => BronzeLake;
  cacheDir: () => string;
  jobs: JobRunner;
  remountViews: () => Promise<void>;
  /** Connection settings for a push (typed credentials or the embedded server's), or the read-only ones for a plan. */
  serverConfig: (credentials: { user: string; password: string } | 'embedded' | 'read-only') => pg.ClientConfig;
  serverInfo: () => PushPlanView['server'] | null;
  /**
   * After a push or undo committed: the local metrics cache of the range is
   * re-synced (or marked stale). Returns the cached days it touched and the
   * re-sync's job, if one started.
   */
  afterServerChange?: (change: ServerChange) => Promise<{ days: string[]; job: { jobId: string } | null }>;
}

interface PreviewState {
  request: StartRequest;
  previewId: string;
  /** One push id per preview: a retried push (the reply got lost) is recognised by the server. */
  pushId: string;
  dir: string;
  deltaFile: string;
  tables: { recomputed: string; current: string; diff: string };
  summary: PreviewSummary | null;
  /** The push's delta file, written on the first push (most previews are never pushed). */
  deltaWritten: Promise<string> | null;
}

const TOP = 20;
const MAX_SERIES_ROWS = 5000;
const MAX_POINTS = 100_000;
const KEEP_PREVIEWS = 8;

/** A warehouse TIMESTAMPTZ as ISO-8601 UTC text, as the server's rows are written. */
const isoUtc = (column: string) => `strftime(timezone('UTC', ${column}), '%Y-%m-%dT%H:%M:%S.%fZ')`;
const finite = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const num = (v: unknown): number => Number(v ?? 0);

/** The diff rows a push writes: compared exactly, not within the display tolerance. */
const IN_DELTA = `(status IN ('added', 'removed') OR current IS DISTINCT FROM recomputed)`;

/** count(*) per diff status, as DOUBLE (plain JSON numbers). */
const COUNTS_SQL = (['added', 'removed', 'changed', 'unchanged'] as const)
  .map((s) => `(count(*) FILTER (WHERE status = '${s}'))::DOUBLE AS ${s}`)
  .join(', ');

function counts(row: Record<string, unknown>): DiffCounts {
  return { added: num(row.added), removed: num(row.removed), changed: num(row.changed), unchanged: num(row.unchanged) };
}

/** The draft as the server stores a definition; the source prefix stays the server's. */
export function draftDefinition(request: StartRequest, server: PipelineSummary | undefined): PipelineDefinition {
  const filter = request.filter?.trim() ? request.filter : null;
  return {
    source: server?.definition.source ?? `bronze/${request.pipelineId}/`,
    filter,
    metrics: request.metrics.map((m) => ({ name: m.name, formula: m.formula, unit: m.unit })),
  };
}

function sameDefinition(a: PipelineDefinition, b: PipelineDefinition): boolean {
  const norm = (d: PipelineDefinition) =>
    JSON.stringify({ filter: d.filter?.trim() || null, metrics: d.metrics.map((m) => [m.name, m.formula, m.unit]) });
  return norm(a) === norm(b);
}

/** The damaged files of the landing days read; a file outside any `date=` folder counts, being read too. */
function skippedOfDays(files: SkippedFile[], firstDay: string, lastDay: string): SkippedFile[] {
  return files.filter((f) => {
    const day = /\/date=(\d{4}-\d{2}-\d{2})\//.exec(f.key)?.[1];
    return day === undefined || (day >= firstDay && day <= lastDay);
  });
}

/** A push of a recomputation that misses damaged files' records would delete their metrics on the server. */
function skippedFilesRefusal(summary: PreviewSummary): WorkbenchError | null {
  if (!summary.skippedFiles.length) return null;
  return new WorkbenchError(
    'conflict',
    `This preview left out damaged Bronze files, so its recomputation misses their records and a push would remove their metrics from the server (${describeSkippedFiles(summary.skippedFiles)}).`,
    'Download the damaged files again (or have the pipeline owner replace them), then preview again.',
  );
}

/** What a push's job says about its continuous aggregates: nothing when all refreshed. */
function refreshNote(aggregates: AggregateRefresh[]): string {
  const failed = aggregates.filter((a) => !a.refreshed).length;
  return failed ? `; ${failed} of ${aggregates.length} continuous aggregates not refreshed (see the push history)` : '';
}

/** A push's value counts in words, for its job line. */
export function describeValues(values: DiffCounts | null): string {
  if (!values) return 'values not counted';
  return `${values.changed} values changed, ${values.added} added, ${values.removed} removed, ${values.unchanged} unchanged`;
}

export class ReprocessingPreview {
  private readonly previews = new Map<string, PreviewState>();
  /** Per push made in this session: how refreshing its continuous aggregates went, for the push history. */
  private readonly refreshOutcomes = new Map<string, AggregateRefresh[]>();
  /** Set by the first preview: previews last while the app runs, so the files of earlier runs (whose tables are gone) go then, not at start-up. */
  private cleaned: Promise<void> | null = null;

  constructor(private readonly opts: ReprocessingPreviewOptions) {}

  /** Starts a preview as a job; its summary is `result(previewId)` once the job succeeded. */
  start(request: StartRequest): { jobId: string; previewId: string } {
    this.cleaned ??= rm(join(this.opts.cacheDir(), 'previews'), { recursive: true, force: true }).catch(
      () => undefined,
    );
    const previewId = `pv-${randomBytes(6).toString('hex')}`;
    const dir = join(this.opts.cacheDir(), 'previews', previewId);
    const prefix = previewId.replace(/-/g, '_');
    const state: PreviewState = {
      request,
      previewId,
      pushId: randomUUID(),
      dir,
      deltaFile: join(dir, 'delta.tsv'),
      tables: {
        recomputed: `previews.${quoteIdent(`${prefix}_new`)}`,
        current: `previews.${quoteIdent(`${prefix}_current`)}`,
        diff: `previews.${quoteIdent(`${prefix}_diff`)}`,
      },
      summary: null,
      deltaWritten: null,
    };
    const job = this.opts.jobs.start({
      kind: 'preview.run',
      title: `Reprocessing preview of ${request.pipelineId}`,
      unit: 'steps',
      run: (ctx) => this.run(state, ctx),
    });
    this.previews.set(previewId, state);
    job.done.catch(() => undefined);
    this.dropOldest();
    return { jobId: job.jobId, previewId };
  }

  /** Keeps the newest previews only: each holds a copy of its range's metrics in the warehouse. */
  private dropOldest(): void {
    while (this.previews.size > KEEP_PREVIEWS) {
      const [oldestId, oldest] = this.previews.entries().next().value as [string, PreviewState];
      this.previews.delete(oldestId);
      const { recomputed, current, diff } = oldest.tables;
      void this.opts
        .warehouse()
        .exec(`DROP TABLE IF EXISTS ${recomputed}; DROP TABLE IF EXISTS ${current}; DROP TABLE IF EXISTS ${diff}`)
        .catch(() => undefined);
      void rm(oldest.dir, { recursive: true, force: true });
    }
  }

  result(previewId: string): PreviewSummary {
    const state = this.get(previewId);
    if (!state.summary) {
      throw new WorkbenchError(
        'not_ready',
        'This preview is still running (or it failed).',
        'Wait for its job to end.',
      );
    }
    return state.summary;
  }

  private get(previewId: string): PreviewState {
    const state = this.previews.get(previewId);
    if (!state) {
      throw new WorkbenchError(
        'not_found',
        `There is no preview ${previewId} (previews last while the app runs).`,
        'Run the preview again.',
      );
    }
    return state;
  }

  private async run(state: PreviewState, ctx: JobContext): Promise<PreviewSummary> {
    const started = performance.now();
    const { request, tables } = state;
    const warehouse = this.opts.warehouse();
    const queryId = `preview-${state.previewId}`;
    const onAbort = () => warehouse.cancel(queryId);
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    const rangeStart = Date.parse(request.range.start);
    const rangeEnd = Date.parse(request.range.end);
    const range = { start: new Date(rangeStart).toISOString(), end: new Date(rangeEnd).toISOString() };
    // A record lands on its event day or later; window functions also see the record before the range.
    const firstDay = utcDayOf(rangeStart - DAY_MS);
    const lastDay = utcDayOf(rangeEnd - 1 + request.lateDays * DAY_MS);
    try {
      await this.cleaned;
      await mkdir(state.dir, { recursive: true });
      ctx.progress(
        0,
        4,
        `Caching Bronze ${firstDay} – ${lastDay} (${request.lateDays} days after the range for late records)`,
      );
      const filesCached = await this.cacheBronze(request.pipelineId, firstDay, lastDay, ctx);
      ctx.throwIfCancelled();

      ctx.progress(1, 4, "Recomputing the metrics on the warehouse while reading the server's");
      // The server streams its rows while the warehouse recomputes: two machines' worth of work at once.
      const csv = join(state.dir, 'current.tsv');
      const snapshotting = this.serverSnapshot(request.pipelineId, range, csv, ctx.signal);
      snapshotting.catch(() => undefined);
      const schema = await this.bronzeSchema(request.pipelineId);
      let compiled: string;
      try {
        compiled = compilePipeline(
          { filter: request.filter?.trim() ? request.filter : null, metrics: request.metrics },
          schema,
          `bronze.${quoteIdent(request.pipelineId)}`,
        );
      } catch (err) {
        if (err instanceof FormulaError) {
          throw new WorkbenchError('bad_request', err.message, 'Fix the draft in the editor, then preview again.');
        }
        throw err;
      }
      const metricCols = request.metrics.map((m) => quoteIdent(m.name));
      // The table on its own: a statement that reads Bronze first is run again after a damaged file is set aside.
      await warehouse.exec('CREATE SCHEMA IF NOT EXISTS previews;');
      await warehouse.run(
        queryId,
        `CREATE OR REPLACE TABLE ${tables.recomputed} AS
        SELECT __time AS time, __sid AS series_id, __metric::VARCHAR AS metric_name, __v AS value FROM (
          SELECT ts::TIMESTAMPTZ AS __time, series_id::VARCHAR AS __sid,
                 ${request.metrics.map((m) => `TRY_CAST(${quoteIdent(m.name)} AS DOUBLE) AS ${quoteIdent(m.name)}`).join(', ')}
          FROM (${compiled})
          WHERE series_id IS NOT NULL
            AND ts >= ${quoteLiteral(range.start)}::TIMESTAMPTZ AND ts < ${quoteLiteral(range.end)}::TIMESTAMPTZ
        ) UNPIVOT (__v FOR __metric IN (${metricCols.join(', ')}))`,
      );
      await warehouse.run(
        queryId,
        `COPY ${tables.recomputed} TO ${quoteLiteral(join(state.dir, 'recomputed.parquet'))} (FORMAT parquet, COMPRESSION zstd)`,
      );
      ctx.throwIfCancelled();

      ctx.progress(2, 4, "Reading the server's metrics of the range");
      const snapshot = await snapshotting;
      await warehouse.run(
        queryId,
        `CREATE OR REPLACE TABLE ${tables.current} AS
         SELECT t::TIMESTAMPTZ AS time, ${unescapeCopyTextSql('series_id')} AS series_id,
                ${unescapeCopyTextSql('metric_name')} AS metric_name, value
         FROM read_csv(${quoteLiteral(csv)}, header = false, delim = '\t', quote = '', escape = '',
                       auto_detect = false, nullstr = '\\N',
                       columns = {'metric_name': 'VARCHAR', 'series_id': 'VARCHAR', 't': 'VARCHAR', 'value': 'DOUBLE'})`,
      );
      await rm(csv, { force: true });
      ctx.throwIfCancelled();

      ctx.progress(3, 4, 'Comparing');
      const tol = request.tolerance;
      await warehouse.run(
        queryId,
        `CREATE OR REPLACE TABLE ${tables.diff} AS
         SELECT coalesce(n.series_id, c.series_id) AS series_id, coalesce(n.metric_name, c.metric_name) AS metric_name,
                coalesce(n.time, c.time) AS time, c.value AS current, n.value AS recomputed,
                CASE WHEN c.series_id IS NULL THEN 'added'
                     WHEN n.series_id IS NULL THEN 'removed'
                     WHEN c.value IS NOT DISTINCT FROM n.value THEN 'unchanged'
                     WHEN isfinite(c.value) AND isfinite(n.value)
                          AND abs(n.value - c.value) <= ${tol} * greatest(abs(n.value), abs(c.value)) THEN 'unchanged'
                     ELSE 'changed' END AS status
         FROM ${tables.recomputed} n
         FULL JOIN ${tables.current} c
           ON n.series_id = c.series_id AND n.metric_name = c.metric_name AND n.time = c.time`,
      );
      const summary = await this.summarize(state, {
        filesCached,
        firstDay,
        lastDay,
        range,
        snapshot,
        elapsedMs: 0,
      });
      summary.elapsedMs = performance.now() - started;
      state.summary = summary;
      ctx.progress(
        4,
        4,
        `${summary.totals.changed} changed, ${summary.totals.added} added, ${summary.totals.removed} removed`,
      );
      return summary;
    } catch (err) {
      if (ctx.signal.aborted) throw new WorkbenchError('cancelled', 'The preview was cancelled');
      throw err;
    } finally {
      ctx.signal.removeEventListener('abort', onAbort);
    }
  }

  /** The server's rows of the range into `csv`, with their range fingerprint from the same snapshot. */
  private async serverSnapshot(
    pipelineId: string,
    range: { start: string; end: string },
    csv: string,
    signal: AbortSignal,
  ): Promise<{ checksum: string; rows: number }> {
    const client = await connectClient(this.opts.serverConfig('read-only'));
    try {
      return await rangeSnapshot(client, pipelineId, range, csv, signal);
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  /** On an S3/R2 lake, caches the pipeline's Bronze files of the landing days [firstDay, lastDay]; returns how many were downloaded. */
  private async cacheBronze(pipelineId: string, firstDay: string, lastDay: string, ctx: JobContext): Promise<number> {
    const lake = this.opts.lake();
    if (lake.driver !== 's3' || !lake.cache) return 0;
    const keys = (await lake.keysUnder(`bronze/${pipelineId}/`, ctx.signal)).filter((key) => {
      const day = /\/date=(\d{4}-\d{2}-\d{2})\//.exec(key)?.[1];
      return day !== undefined && day >= firstDay && day <= lastDay;
    });
    if (!keys.length) return 0;
    try {
      const result = await lake.cache.download(keys, {
        signal: ctx.signal,
        onProgress: (p) =>
          ctx.progress(p.bytesDone / Math.max(1, p.bytes), 4, `Caching Bronze: ${p.filesDone}/${p.files} files`),
      });
      return result.downloaded.length;
    } finally {
      await this.opts.remountViews().catch(() => undefined);
    }
  }

  private async bronzeSchema(pipelineId: string): Promise<BronzeColumn[]> {
    const catalog = await this.opts.warehouse().catalog();
    const relation = catalog.relations.find((r) => r.schema === 'bronze' && r.name === pipelineId);
    if (!relation) {
      const skipped = this.opts.warehouse().skippedFiles(pipelineId);
      if (skipped.length) {
        throw new WorkbenchError(
          'not_found',
          `Every Bronze file of "${pipelineId}" on this machine is damaged: ${describeSkippedFiles(skipped)}`,
          'Download the files again (or have the pipeline owner replace them), then preview again.',
        );
      }
      throw new WorkbenchError(
        'not_found',
        `No Bronze data of "${pipelineId}" is on this machine for the range.`,
        'Pick a range the lake has files for (sidebar → Bronze lake), then preview again.',
      );
    }
    return relation.columns;
  }

  private async summarize(
    state: PreviewState,
    info: {
      filesCached: number;
      firstDay: string;
      lastDay: string;
      range: { start: string; end: string };
      snapshot: { checksum: string; rows: number };
      elapsedMs: number;
    },
  ): Promise<PreviewSummary> {
    const w = this.opts.warehouse();
    const d = state.tables.diff;
    const [totals] = await w.rows(
      `SELECT ${COUNTS_SQL}, (SELECT count(*) FROM ${state.tables.recomputed})::DOUBLE AS recomputed FROM ${d}`,
    );
    const perMetric = await w.rows(`SELECT metric_name, ${COUNTS_SQL} FROM ${d} GROUP BY 1 ORDER BY 1`);
    const perSeries = await w.rows(
      `SELECT series_id, ${COUNTS_SQL} FROM ${d} GROUP BY 1
       ORDER BY (count(*) FILTER (WHERE status <> 'unchanged')) DESC, 1 LIMIT ${MAX_SERIES_ROWS}`,
    );
    const perDay = await w.rows(
      `SELECT strftime(timezone('UTC', time), '%Y-%m-%d') AS day, ${COUNTS_SQL} FROM ${d} GROUP BY 1 ORDER BY 1`,
    );
    const changes = (order: string) =>
      w.rows(`SELECT series_id, metric_name, ${isoUtc('time')} AS t,
                current, recomputed, abs(recomputed - current) AS absolute,
                abs(recomputed - current) / nullif(abs(current), 0) AS relative
              FROM ${d} WHERE status = 'changed'
              ORDER BY ${order} DESC NULLS LAST, series_id, metric_name, time LIMIT ${TOP}`);
    const toChange = (r: Record<string, unknown>): DiffChange => ({
      seriesId: String(r.series_id),
      metricName: String(r.metric_name),
      time: String(r.t),
      current: finite(r.current),
      recomputed: finite(r.recomputed),
      absolute: finite(r.absolute),
      relative: finite(r.relative),
    });
    const nonFiniteLast = (expr: string) => `CASE WHEN isfinite(${expr}) THEN ${expr} END`;
    return {
      previewId: state.previewId,
      pipelineId: state.request.pipelineId,
      baseVersion: state.request.baseVersion,
      range: info.range,
      tolerance: state.request.tolerance,
      createdAt: new Date().toISOString(),
      bronzeDays: { first: info.firstDay, last: info.lastDay, lateDays: state.request.lateDays },
      filesCached: info.filesCached,
      skippedFiles: skippedOfDays(w.skippedFiles(state.request.pipelineId), info.firstDay, info.lastDay),
      recomputedRows: num(totals?.recomputed),
      serverRows: info.snapshot.rows,
      serverChecksum: info.snapshot.checksum,
      totals: counts(totals ?? {}),
      perMetric: perMetric.map((r) => ({ metricName: String(r.metric_name), ...counts(r) })),
      perSeries: perSeries.map((r) => ({ seriesId: String(r.series_id), ...counts(r) })),
      perDay: perDay.map((r) => ({ day: String(r.day), ...counts(r) })),
      largestAbsolute: (await changes(nonFiniteLast('abs(recomputed - current)'))).map(toChange),
      largestRelative: (await changes(nonFiniteLast('abs(recomputed - current) / nullif(abs(current), 0)'))).map(
        toChange,
      ),
      push: null,
      elapsedMs: info.elapsedMs,
    };
  }

  /** Current and recomputed values of one series and metric, with the stretches that differ. */
  async series(previewId: string, seriesId: string, metricName: string): Promise<PreviewSeries> {
    const state = this.get(previewId);
    if (!state.summary) this.result(previewId);
    const rows = await this.opts.warehouse().rows(
      `SELECT (epoch_us(time) // 1000)::DOUBLE AS t, current, recomputed, status FROM ${state.tables.diff}
       WHERE series_id = ${quoteLiteral(seriesId)} AND metric_name = ${quoteLiteral(metricName)}
       ORDER BY time LIMIT ${MAX_POINTS + 1}`,
    );
    const truncated = rows.length > MAX_POINTS;
    const points: [number, number | null, number | null][] = [];
    const changed: [number, number][] = [];
    let open: [number, number] | null = null;
    for (const r of rows.slice(0, MAX_POINTS)) {
      const t = num(r.t);
      points.push([t, finite(r.current), finite(r.recomputed)]);
      if (r.status !== 'unchanged') {
        if (open) open[1] = t;
        else open = [t, t];
      } else if (open) {
        changed.push(open);
        open = null;
      }
    }
    if (open) changed.push(open);
    return { seriesId, metricName, points, changed, truncated };
  }

  /**
   * The push's delta as COPY text for MetricPush: every key added, removed or
   * changed — compared exactly (IS DISTINCT FROM), not within the display
   * tolerance — with its new value (`\N` for a removed key), then the value
   * the server held and whether it held the key at all (`PushRequest.deltaFile`);
   * time ISO UTC, escaped ids, shortest exact doubles, in the server's index order.
   */
  private deltaFile(state: PreviewState): Promise<string> {
    state.deltaWritten ??= this.opts
      .warehouse()
      .run(
        `delta-${state.previewId}`,
        `COPY (SELECT ${isoUtc('time')} || chr(9) || ${copyTextSql('series_id')}
                 || chr(9) || ${copyTextSql('metric_name')} || chr(9) || ${copyTextValueSql('recomputed')}
                 || chr(9) || ${copyTextValueSql('current')} || chr(9) || CASE WHEN status = 'added' THEN 'f' ELSE 't' END AS line
               FROM ${state.tables.diff} WHERE ${IN_DELTA} ORDER BY metric_name, series_id, time)
         TO ${quoteLiteral(state.deltaFile)} (FORMAT csv, HEADER false, QUOTE '', ESCAPE '', DELIMITER '\u0001')`,
      )
      .then(() => state.deltaFile);
    // A failed write is tried again next time.
    state.deltaWritten.catch(() => {
      state.deltaWritten = null;
    });
    return state.deltaWritten;
  }

  private async serverPipeline(pipelineId: string): Promise<PipelineSummary | undefined> {
    return (await readPipelines(this.opts.pool())).find((p) => p.id === pipelineId);
  }

  /** The definition a push of this preview writes, or null when it equals the server's (metrics only). */
  private async definitionToPush(state: PreviewState, include: boolean): Promise<PipelineDefinition | null> {
    if (!include) return null;
    const server = await this.serverPipeline(state.request.pipelineId);
    const draft = draftDefinition(state.request, server);
    return server && sameDefinition(server.definition, draft) ? null : draft;
  }

  private connector(config: pg.ClientConfig): () => Promise<pg.Client> {
    return () => connectClient(config);
  }

  private pushConfig(credentials: WriteCredentials): { config: pg.ClientConfig; by: string } {
    if (credentials.kind === 'embedded') {
      return { config: this.opts.serverConfig('embedded'), by: 'workbench (demo server)' };
    }
    return {
      config: this.opts.serverConfig({ user: credentials.user, password: credentials.password }),
      by: credentials.user,
    };
  }

  /**
   * The delta a push of this preview writes, counted per UTC day and metric
   * exactly as MetricPush counts it on the server (a value within the preview's
   * tolerance still counts as changed when it is not the same double), with
   * the series it touches and any key outside the range.
   */
  private async pushDelta(state: PreviewState): Promise<PushDelta> {
    const w = this.opts.warehouse();
    const d = state.tables.diff;
    const { start, end } = state.summary!.range;
    const perDay = await w.rows(
      `SELECT strftime(timezone('UTC', time), '%Y-%m-%d') AS day, metric_name,
              (count(*) FILTER (WHERE status = 'added'))::DOUBLE AS added,
              (count(*) FILTER (WHERE status = 'removed'))::DOUBLE AS removed,
              (count(*) FILTER (WHERE status IN ('changed', 'unchanged')
                                  AND current IS DISTINCT FROM recomputed))::DOUBLE AS changed,
              (count(*) FILTER (WHERE status IN ('changed', 'unchanged')
                                  AND current IS NOT DISTINCT FROM recomputed))::DOUBLE AS unchanged
       FROM ${d} GROUP BY 1, 2`,
    );
    const touched = await w.rows(
      `SELECT metric_name, series_id, ${isoUtc('min(time)')} AS first, ${isoUtc('max(time)')} AS last
       FROM ${d} WHERE ${IN_DELTA} GROUP BY 1, 2`,
    );
    const [outside] = await w.rows(
      `SELECT count(*)::DOUBLE AS n FROM ${d}
       WHERE ${IN_DELTA} AND NOT (time >= ${quoteLiteral(start)}::TIMESTAMPTZ AND time < ${quoteLiteral(end)}::TIMESTAMPTZ)`,
    );
    return {
      perDay: perDay.map((r) => ({ day: String(r.day), metricName: String(r.metric_name), values: counts(r) })),
      touched: touched.map((r) => ({
        metricName: String(r.metric_name),
        seriesId: String(r.series_id),
        first: String(r.first),
        last: String(r.last),
      })),
      outsideRange: num(outside?.n),
    };
  }

  /**
   * What a push of this preview would do. Checked as the exploration role, or —
   * given write credentials — as the role that will push: its missing grants,
   * its decompression limit and which continuous aggregates it may refresh.
   */
  async plan(previewId: string, includeDefinition: boolean, credentials?: WriteCredentials): Promise<PushPlanView> {
    const state = this.get(previewId);
    this.result(previewId);
    const server = this.opts.serverInfo();
    if (!server) throw new WorkbenchError('not_ready', 'The PostgreSQL server is not connected yet.');
    const definition = await this.definitionToPush(state, includeDefinition);
    const as = credentials ? this.pushConfig(credentials) : { config: this.opts.serverConfig('read-only'), by: '' };
    const plan = await planPush(this.connector(as.config), {
      pipelineId: state.request.pipelineId,
      definition,
      range: state.summary!.range,
      delta: await this.pushDelta(state),
    }).catch((err: unknown) => {
      throw credentials ? explainPushFailure(err, as.by) : err;
    });
    const refusal = skippedFilesRefusal(state.summary!);
    if (refusal) plan.warnings.unshift(`${refusal.message} The push will be refused.`);
    if (plan.serverVersion !== state.request.baseVersion) {
      plan.warnings.unshift(
        `The server's pipeline is at version ${plan.serverVersion}, but this draft started from version ${state.request.baseVersion}: the push will be refused. Reload the pipeline, merge your draft, and preview again.`,
      );
    }
    return { ...plan, definitionChanged: definition !== null, server };
  }

  /** Pushes the preview's rows (and the draft's definition when it changed) as a job. */
  startPush(
    previewId: string,
    options: { includeDefinition: boolean; comment: string | null; credentials: WriteCredentials },
  ): { jobId: string; pushId: string } {
    const state = this.get(previewId);
    const summary = this.result(previewId);
    const refusal = skippedFilesRefusal(summary);
    if (refusal) throw refusal;
    const { config, by } = this.pushConfig(options.credentials);
    const job = this.opts.jobs.start({
      kind: 'push.run',
      title: `Pushing ${state.request.pipelineId} metrics ${summary.range.start.slice(0, 10)} – ${summary.range.end.slice(0, 10)}`,
      run: async (ctx): Promise<PushOutcome> => {
        ctx.progress(0, 1, 'Pushing in one transaction');
        try {
          const definition = await this.definitionToPush(state, options.includeDefinition);
          const result = await new MetricPush(this.connector(config)).push({
            pushId: state.pushId,
            pipelineId: state.request.pipelineId,
            baseVersion: state.request.baseVersion,
            definition,
            range: summary.range,
            expectedChecksum: summary.serverChecksum,
            deltaFile: await this.deltaFile(state),
            pushedBy: by,
            comment: options.comment,
          });
          summary.push = result;
          this.refreshOutcomes.set(result.pushId, result.aggregates);
          const cache = result.alreadyApplied
            ? ''
            : await this.cacheAfter({
                pipelineId: state.request.pipelineId,
                range: summary.range,
                what: `push ${result.pushId.slice(0, 8)}`,
              });
          ctx.progress(
            1,
            1,
            result.alreadyApplied
              ? 'This push had already been applied'
              : `${describeValues(result.values)} (${result.rowsInserted} rows written), version ${result.pipelineVersion}${refreshNote(result.aggregates)}${cache}`,
          );
          return result;
        } catch (err) {
          throw explainPushFailure(err, by);
        }
      },
    });
    job.done.catch(() => undefined);
    return { jobId: job.jobId, pushId: state.pushId };
  }

  startUndo(undoOf: string, comment: string | null, credentials: WriteCredentials): { jobId: string; pushId: string } {
    const { config, by } = this.pushConfig(credentials);
    const pushId = randomUUID();
    const job = this.opts.jobs.start({
      kind: 'push.undo',
      title: `Undoing push ${undoOf.slice(0, 8)}`,
      run: async (ctx) => {
        ctx.progress(0, 1, 'Restoring the replaced rows in one transaction');
        try {
          const result = await new MetricPush(this.connector(config)).undo({ pushId, undoOf, pushedBy: by, comment });
          this.refreshOutcomes.set(result.pushId, result.aggregates);
          const cache = result.alreadyApplied
            ? ''
            : await this.cacheAfter({
                pipelineId: result.pipelineId,
                range: result.range,
                what: `undo ${pushId.slice(0, 8)}`,
              });
          ctx.progress(
            1,
            1,
            `${describeValues(result.values)} (${result.rowsInserted} rows restored)${refreshNote(result.aggregates)}${cache}`,
          );
          return result;
        } catch (err) {
          throw explainPushFailure(err, by);
        }
      },
    });
    job.done.catch(() => undefined);
    return { jobId: job.jobId, pushId };
  }

  /**
   * The local metrics cache after a committed push or undo: its cached days of
   * the range re-synced as a job, or marked stale. Never fails the push, which
   * stands; returns what the push's job line adds about it.
   */
  private async cacheAfter(change: ServerChange): Promise<string> {
    if (!this.opts.afterServerChange) return '';
    try {
      const { days, job } = await this.opts.afterServerChange(change);
      if (!days.length) return '';
      return job
        ? `; re-syncing ${days.length} cached day${days.length === 1 ? '' : 's'}`
        : `; ${days.length} cached day${days.length === 1 ? '' : 's'} marked stale (re-sync them)`;
    } catch (err) {
      return `; the local metrics cache could not be updated (${errorMessage(err)}): re-sync it`;
    }
  }

  /** Refreshes the continuous aggregates over push `pushId`'s range again, as a job (after a refresh failed). */
  startRefreshAggregates(pushId: string, credentials: WriteCredentials): { jobId: string } {
    const { config, by } = this.pushConfig(credentials);
    const job = this.opts.jobs.start({
      kind: 'push.refreshAggregates',
      title: `Refreshing continuous aggregates over push ${pushId.slice(0, 8)}`,
      run: async (ctx): Promise<AggregateRefresh[]> => {
        ctx.progress(0, 1, 'Refreshing continuous aggregates');
        const results = await new MetricPush(this.connector(config))
          .refreshAggregatesOf(pushId)
          .catch((err: unknown) => {
            throw explainPushFailure(err, by);
          });
        this.refreshOutcomes.set(pushId, results);
        for (const state of this.previews.values()) {
          if (state.summary?.push?.pushId === pushId) state.summary.push.aggregates = results;
        }
        const failed = results.filter((r) => !r.refreshed);
        if (failed.length) {
          throw new WorkbenchError(
            'query_failed',
            `${failed.length} of ${results.length} continuous aggregates could not be refreshed: ${failed.map((f) => `${f.name}: ${f.error}`).join('; ')}`,
          );
        }
        ctx.progress(1, 1, `${results.length} continuous aggregates refreshed`);
        return results;
      },
    });
    job.done.catch(() => undefined);
    return { jobId: job.jobId };
  }

  history(pipelineId: string, limit: number): Promise<PushRecord[]> {
    return pushHistory(this.opts.pool(), pipelineId, limit, (pushId) => this.refreshOutcomes.get(pushId) ?? null);
  }
}
