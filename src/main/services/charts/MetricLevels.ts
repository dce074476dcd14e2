/**
 * M4 levels of the metrics cache (see src/shared/charts/m4Levels.ts), one
 * Parquet file per cached day beside the cache:
 * `<cache>/metric-levels/pipeline_id=<id>/<day>.<signature>.L<finest level>.parquet`.
 *
 * The signature names the day's files as they were when the levels were built
 * (name, size, modification time), so a day that a sync rewrote is never read
 * through stale levels: it is charted from its raw points until its levels are
 * built again. Builds run in the background, one day at a time, after a sync
 * and whenever a chart finds a day without fresh levels.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { MetricSelection } from '../../../shared/charts/serverChartSql';
import { SERIES_KEY_SEPARATOR } from '../../../shared/charts/chartQuery';
import { buildLevelsSql, levelledM4Sql, type LevelPlan, type LevelSource } from '../../../shared/charts/m4Levels';
import type { ChartSource, TimeWindow } from '../../../shared/charts/m4Sql';
import { WorkbenchError, errorMessage } from '../../../shared/errors';
import { quoteLiteral } from '../../../shared/sql';
import { insidePath, tempPathBeside } from '../workspace/insidePath';
import type { Warehouse } from '../warehouse/Warehouse';
import { cachedMetricPipelines } from '../sync/metricViews';

export const LEVELS_DIR = 'metric-levels';
/** Part of every signature: a change to how levels are built or stored makes every level file stale. */
const LEVELS_FORMAT = 'm4-levels-3\u0000';
/**
 * Small row groups: a zoom reads one level of a day, and the row groups' level
 * and time statistics let the scan skip the others.
 */
const LEVEL_ROW_GROUP = 8192;
/**
 * Levels from this one up (≥ ~18 min buckets) are also kept for all days of a
 * pipeline in one file: a zoom this coarse spans weeks, and one file beats
 * opening a level file per day.
 */
const COARSE_LEVEL = 30;
const COARSE_FILE = /^coarse\.([0-9a-f]{16})\.parquet$/;
const DAY_US = 86_400_000_000;
const DAY_FOLDER = /^date=(\d{4}-\d{2}-\d{2})$/;
const PIPELINE_ID = /^[A-Za-z0-9_.-]+$/;
const LEVEL_FILE = /^(\d{4}-\d{2}-\d{2})\.([0-9a-f]{16})\.L(\d{1,2}|x)\.parquet$/;
/** DuckDB expands these in a path it reads: such a cache is charted without levels. */
const GLOB_CHARACTERS = /[*?[\]{}]/;

/** A cached day of a pipeline: its Parquet files and, when built for these very files, its levels. */
export interface CachedDay {
  day: string;
  fromUs: number;
  files: string[];
  signature: string;
  /** The day's level file and the finest level it holds (null: no level was worth keeping). */
  levels: { file: string; finest: number | null } | null;
}

function inList(values: readonly string[]): string {
  return values.map(quoteLiteral).join(', ');
}

function overlaps(day: { fromUs: number }, window: TimeWindow): boolean {
  return day.fromUs < window.toUs && day.fromUs + DAY_US > window.fromUs;
}

/** The cached metric rows of some day files, as the pipeline's view reads them. */
function dayFilesRelation(files: readonly string[]): string {
  return `(SELECT time, series_id, metric_name, value FROM read_parquet([${inList(files)}], hive_partitioning = false, union_by_name = true))`;
}

export class MetricLevels {
  private readonly refreshing = new Map<string, Promise<void>>();
  /** Refreshes run one after another: a build never takes more than its turn from the user's queries. */
  private builds: Promise<void> = Promise.resolve();
  /** Per pipeline, the coarse level files its levels folder held when last listed. */
  private readonly coarseNames = new Map<string, string[]>();
  /** Per coarse file, the days (`<day>.<signature>`) it holds. */
  private readonly coarseDays = new Map<string, Set<string>>();
  private stopped = false;

  constructor(
    private readonly opts: {
      cacheDir: () => string;
      warehouse: () => Warehouse;
      log?: (line: string) => void;
    },
  ) {}

  private metricsDir(pipelineId: string): string {
    return join(this.opts.cacheDir(), 'metrics', `pipeline_id=${pipelineId}`);
  }

  private levelsDir(pipelineId: string): string {
    return join(this.opts.cacheDir(), LEVELS_DIR, `pipeline_id=${pipelineId}`);
  }

  /** Whether levels can serve this pipeline at all (a safe id, no glob characters in the cache's path). */
  usable(pipelineId: string): boolean {
    return PIPELINE_ID.test(pipelineId) && !GLOB_CHARACTERS.test(this.opts.cacheDir());
  }

  /**
   * The pipeline's cached days (those overlapping `window`, when given), in
   * order, each with its levels if they were built for its current files.
   */
  async days(pipelineId: string, window?: TimeWindow): Promise<CachedDay[]> {
    if (!this.usable(pipelineId)) return [];
    const dir = this.metricsDir(pipelineId);
    if (!existsSync(dir)) return [];
    const [entries, levelNames] = await Promise.all([
      readdir(dir, { withFileTypes: true }),
      this.levelFileNames(pipelineId),
    ]);
    const built = new Map<string, { file: string; finest: number | null }>();
    this.coarseNames.set(
      pipelineId,
      levelNames.filter((n) => COARSE_FILE.test(n)),
    );
    for (const name of levelNames) {
      const match = LEVEL_FILE.exec(name);
      if (!match) continue;
      const finest = match[3] === 'x' ? null : Number(match[3]);
      built.set(`${match[1]}.${match[2]}`, { file: join(this.levelsDir(pipelineId), name), finest });
    }
    const days = await Promise.all(
      entries.map(async (entry): Promise<CachedDay | null> => {
        const match = entry.isDirectory() ? DAY_FOLDER.exec(entry.name) : null;
        const fromMs = match ? Date.parse(`${match[1]}T00:00:00Z`) : NaN;
        if (!match || Number.isNaN(fromMs)) return null;
        if (window && !overlaps({ fromUs: fromMs * 1000 }, window)) return null;
        const dayDir = join(dir, entry.name);
        const names = (await readdir(dayDir)).filter((f) => f.endsWith('.parquet')).sort();
        if (names.length === 0) return null;
        const hash = createHash('sha256').update(LEVELS_FORMAT);
        for (const name of names) {
          const s = await stat(join(dayDir, name));
          hash.update(`${name}\u0000${s.size}\u0000${s.mtimeMs}\u0000`);
        }
        const signature = hash.digest('hex').slice(0, 16);
        const day = match[1]!;
        return {
          day,
          fromUs: fromMs * 1000,
          files: names.map((n) => join(dayDir, n)),
          signature,
          levels: built.get(`${day}.${signature}`) ?? null,
        };
      }),
    );
    return days.filter((d): d is CachedDay => d !== null).sort((a, b) => a.fromUs - b.fromUs);
  }

  /**
   * The names of the regular files in the pipeline's levels folder. A folder that leads out of
   * the cache, and a file that is a link, are never read (they would chart files from elsewhere):
   * those days draw from their points.
   */
  private async levelFileNames(pipelineId: string): Promise<string[]> {
    const dir = this.levelsDir(pipelineId);
    if (!existsSync(dir)) return [];
    try {
      await insidePath(this.opts.cacheDir(), dir, 'the cache folder');
    } catch (err) {
      this.opts.log?.(`metric levels of ${pipelineId} not read: ${errorMessage(err)}`);
      return [];
    }
    return (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name);
  }

  /** Builds one day's levels from its files, published by a rename; older level files of the day go. */
  async buildDay(pipelineId: string, day: CachedDay): Promise<void> {
    const dir = this.levelsDir(pipelineId);
    await mkdir(dir, { recursive: true });
    await insidePath(this.opts.cacheDir(), dir, 'the cache folder');
    const tmp = tempPathBeside(join(dir, `${day.day}.building`), '.parquet');
    const warehouse = this.opts.warehouse();
    try {
      const select = buildLevelsSql({ relation: dayFilesRelation(day.files), timeColumn: 'time', valueSql: 'value' }, [
        { name: 'metric_name', sql: 'metric_name' },
        { name: 'series_id', sql: 'series_id' },
      ]);
      await warehouse.run(
        `levels-${pipelineId}-${day.day}`,
        `COPY (${select}) TO ${quoteLiteral(tmp)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${LEVEL_ROW_GROUP})`,
      );
      const [row] = await warehouse.rows(`SELECT min(level) AS finest FROM read_parquet(${quoteLiteral(tmp)})`, {
        oneStatement: true,
      });
      const finest = row?.finest === null || row?.finest === undefined ? 'x' : String(Number(row.finest));
      const name = `${day.day}.${day.signature}.L${finest}.parquet`;
      await rename(tmp, join(dir, name));
      for (const other of await readdir(dir)) {
        if (other !== name && other.startsWith(`${day.day}.`) && LEVEL_FILE.test(other)) {
          await rm(join(dir, other), { force: true });
        }
      }
    } finally {
      await rm(tmp, { force: true });
    }
  }

  /**
   * The coarse levels of every day with levels, in one file named by the days
   * it holds; built again when a day's levels change. Each row keeps its day
   * (`day_sig`, `<day>.<signature>`), so a reader takes only the days whose
   * files are still those the levels were built from.
   */
  private async buildCoarse(pipelineId: string, days: readonly CachedDay[]): Promise<void> {
    const withLevels = days.filter((d) => d.levels !== null && d.levels.finest !== null);
    const dir = this.levelsDir(pipelineId);
    const existing = this.coarseNames.get(pipelineId) ?? [];
    if (withLevels.length === 0) {
      for (const name of existing) await rm(join(dir, name), { force: true });
      return;
    }
    const daySigs = withLevels.map((d) => `${d.day}.${d.signature}`);
    const name = `coarse.${createHash('sha256').update(LEVELS_FORMAT).update(daySigs.join('\n')).digest('hex').slice(0, 16)}.parquet`;
    if (existing.includes(name)) return;
    await insidePath(this.opts.cacheDir(), dir, 'the cache folder');
    const tmp = tempPathBeside(join(dir, 'coarse.building'), '.parquet');
    try {
      const parts = withLevels.map(
        (d) =>
          `SELECT *, ${quoteLiteral(`${d.day}.${d.signature}`)} AS day_sig FROM read_parquet(${quoteLiteral(d.levels!.file)}) WHERE level >= ${COARSE_LEVEL}`,
      );
      await this.opts.warehouse().run(
        `levels-${pipelineId}-coarse`,
        `COPY (SELECT * FROM (${parts.join(' UNION ALL ')}) ORDER BY level, metric_name, series_id, b0)
          TO ${quoteLiteral(tmp)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${LEVEL_ROW_GROUP})`,
      );
      await rename(tmp, join(dir, name));
      this.coarseDays.set(join(dir, name), new Set(daySigs));
      for (const other of existing) if (other !== name) await rm(join(dir, other), { force: true });
      this.coarseNames.set(pipelineId, [name]);
    } finally {
      await rm(tmp, { force: true });
    }
  }

  /** The pipeline's coarse level file and the days it holds, or null. */
  private async coarse(pipelineId: string): Promise<{ file: string; days: Set<string> } | null> {
    const name = this.coarseNames.get(pipelineId)?.[0];
    if (!name) return null;
    const file = join(this.levelsDir(pipelineId), name);
    let days = this.coarseDays.get(file);
    if (!days) {
      const rows = await this.opts
        .warehouse()
        .rows(`SELECT DISTINCT day_sig FROM read_parquet(${quoteLiteral(file)})`, { oneStatement: true });
      days = new Set(rows.map((r) => String(r.day_sig)));
      this.coarseDays.set(file, days);
    }
    return { file, days };
  }

  /**
   * Builds the levels of every day of the pipeline that lacks fresh ones, one
   * day at a time, and removes those of days no longer cached. Refreshes of
   * pipelines run one after another; asking again while one waits or runs joins it.
   */
  refresh(pipelineId: string): Promise<void> {
    const running = this.refreshing.get(pipelineId);
    if (running) return running;
    const build = async () => {
      if (!this.usable(pipelineId)) return;
      const days = await this.days(pipelineId);
      for (const day of days) {
        if (this.stopped) return;
        if (day.levels) continue;
        // A day that cannot be read (damaged) stays charted from its points; the others still get levels.
        await this.buildDay(pipelineId, day).catch((err: unknown) => {
          // The warehouse closing (or closed) ends the refresh; anything else is this day's alone.
          if (err instanceof WorkbenchError && (err.code === 'cancelled' || err.code === 'unavailable')) throw err;
          this.opts.log?.(`metric levels of ${pipelineId} ${day.day} not built: ${errorMessage(err)}`);
        });
      }
      const cached = new Set(days.map((d) => d.day));
      for (const name of await this.levelFileNames(pipelineId)) {
        const match = LEVEL_FILE.exec(name);
        if (match && !cached.has(match[1]!)) await rm(join(this.levelsDir(pipelineId), name), { force: true });
      }
      if (!this.stopped) await this.buildCoarse(pipelineId, await this.days(pipelineId));
    };
    const work = this.builds.then(build).finally(() => this.refreshing.delete(pipelineId));
    this.builds = work.catch(() => undefined);
    this.refreshing.set(pipelineId, work);
    return work;
  }

  /**
   * refresh() of every cached pipeline, and the levels of pipelines no longer
   * cached removed. Each pipeline's refresh runs in the background.
   */
  async refreshAll(): Promise<void> {
    const ids = await cachedMetricPipelines(join(this.opts.cacheDir(), 'metrics'));
    ids.forEach((id) => this.refreshLater(id));
    const root = join(this.opts.cacheDir(), LEVELS_DIR);
    for (const entry of await readdir(root, { withFileTypes: true }).catch(() => [])) {
      const id = entry.name.startsWith('pipeline_id=') ? entry.name.slice('pipeline_id='.length) : '';
      if (entry.isDirectory() && PIPELINE_ID.test(id) && !ids.includes(id)) await this.discard(id);
    }
  }

  /** refreshAll() in the background (after a sync or a push changed the cache). */
  refreshAllLater(): void {
    this.refreshAll().catch((err: unknown) => this.opts.log?.(`metric levels: ${errorMessage(err)}`));
  }

  /** refresh() in the background: a failure is logged, and the days stay charted from their raw points. */
  refreshLater(pipelineId: string): void {
    this.refresh(pipelineId).catch((err: unknown) => {
      this.opts.log?.(`metric levels of ${pipelineId}: ${errorMessage(err)}`);
    });
  }

  /** Forgets a pipeline's levels (e.g. a level file that could not be read); the next refresh rebuilds them. */
  async discard(pipelineId: string): Promise<void> {
    if (!this.usable(pipelineId)) return;
    await this.refreshing.get(pipelineId)?.catch(() => undefined);
    const dir = this.levelsDir(pipelineId);
    if (!existsSync(dir)) return;
    // Never follows a link out of the cache before removing a folder.
    await insidePath(this.opts.cacheDir(), dir, 'the cache folder');
    await rm(dir, { recursive: true, force: true });
    this.coarseNames.delete(pipelineId);
  }

  /** Stops starting new builds (the workspace is closing) and waits for the one running to end. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.builds;
  }

  /**
   * The SQL of a zoom step's M4 columns read from the levels of the selection's
   * pipeline: level rows for the days that have fresh levels at the plan's
   * level, raw points for the window's edges and the other days. Null when no
   * day in the window has levels to read (the plain M4 is then as cheap).
   * Days in the window without fresh levels are queued for a build.
   */
  async levelledSql(selection: MetricSelection, plan: LevelPlan): Promise<string | null> {
    if (!this.usable(selection.pipelineId)) return null;
    const days = await this.days(selection.pipelineId, {
      fromUs: Math.min(plan.interior.fromUs, ...plan.edges.map((e) => e.fromUs)),
      toUs: Math.max(plan.interior.toUs, ...plan.edges.map((e) => e.toUs)),
    });
    if (days.some((d) => !d.levels)) this.refreshLater(selection.pipelineId);
    const readsLevel = (d: CachedDay) => d.levels !== null && d.levels.finest !== null && d.levels.finest <= plan.level;
    const inInterior = days.filter((d) => overlaps(d, plan.interior));
    const levelled = inInterior.filter(readsLevel);
    if (levelled.length === 0) return null;
    const where = [`metric_name IN (${inList(selection.metrics)})`];
    if (selection.seriesIds.length) where.push(`series_id IN (${inList(selection.seriesIds)})`);
    const keySql = `metric_name || ${quoteLiteral(SERIES_KEY_SEPARATOR)} || series_id`;
    const rawSource = (files: readonly string[]): ChartSource => ({
      relation: dayFilesRelation(files),
      timeColumn: 'time',
      valueSql: 'value',
      keySql,
      where,
      pushdown: 'timestamptz',
    });
    const levels: LevelSource[] = [];
    const coarse = plan.level >= COARSE_LEVEL ? await this.coarse(selection.pipelineId) : null;
    const fromCoarse = coarse ? levelled.filter((d) => coarse.days.has(`${d.day}.${d.signature}`)) : [];
    const fromDays = levelled.filter((d) => !fromCoarse.includes(d));
    if (coarse && fromCoarse.length) {
      const daySigs = fromCoarse.map((d) => `${d.day}.${d.signature}`);
      levels.push({
        relation: `read_parquet(${quoteLiteral(coarse.file)})`,
        keySql,
        where: [...where, `day_sig IN (${inList(daySigs)})`],
      });
    }
    if (fromDays.length) {
      levels.push({ relation: `read_parquet([${inList(fromDays.map((d) => d.levels!.file))}])`, keySql, where });
    }
    const raw: { source: ChartSource; window: TimeWindow }[] = [];
    const rawDays = inInterior.filter((d) => !readsLevel(d));
    if (rawDays.length) raw.push({ source: rawSource(rawDays.flatMap((d) => d.files)), window: plan.interior });
    for (const edge of plan.edges) {
      const edgeDays = days.filter((d) => overlaps(d, edge));
      if (edgeDays.length) raw.push({ source: rawSource(edgeDays.flatMap((d) => d.files)), window: edge });
    }
    return levelledM4Sql(plan, levels, raw);
  }
}
