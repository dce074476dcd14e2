/**
 * The Bronze record inspector: searches run as jobs (progress, cancel) whose
 * matches are held here for the UI to page through as they arrive; one record
 * with its neighbours in time; lineage from a metric point; export.
 */
import { randomUUID } from 'node:crypto';
import { rename, rm, stat, writeFile } from 'node:fs/promises';
import type { PipelineSummary } from '../../../shared/api/contract';
import {
  InspectorCriteria,
  type InspectorCell,
  type InspectorExportFormat,
  type InspectorLineage,
  type InspectorMatch,
  type InspectorMatchesPage,
  type InspectorProblem,
  type InspectorRecord,
  type InspectorStats,
  type LineageRequest,
} from '../../../shared/api/inspector';
import { WorkbenchError, errorMessage } from '../../../shared/errors';
import { formatBytes } from '../../../shared/format';
import { referenceEvaluate } from '../../../shared/formula';
import { quoteLiteral } from '../../../shared/sql';
import { copyOptions, exportPartPath, newExportFile } from '../export/ResultExport';
import type { JobRunner } from '../jobs/JobRunner';
import type { Warehouse } from '../warehouse/Warehouse';
import {
  LocalFooters,
  emptyStats,
  landingDaysFor,
  readRecord,
  searchBronze,
  type SearchOptions,
  type SearchTarget,
  type SearchWarehouse,
} from './BronzeSearch';

/** Searches kept for paging; older ones are dropped. */
const KEEP_SEARCHES = 20;
/** Late records land up to this many days after their event day (the demo's are up to 3). */
const LATE_DAYS = 3;
const HOUR_MS = 3_600_000;

interface HeldSearch {
  searchId: string;
  jobId: string;
  criteria: InspectorCriteria;
  startedAt: number;
  firstMatchAt: number | null;
  finishedAt: number | null;
  state: InspectorMatchesPage['state'];
  error: string | null;
  matches: InspectorMatch[];
  problems: InspectorProblem[];
  stats: InspectorStats;
  limited: boolean;
}

export interface InspectorDeps {
  target: () => SearchTarget;
  jobs: JobRunner;
  pipelines: () => Promise<PipelineSummary[]>;
  workspaceDir: string;
  warehouse: () => Warehouse;
}

function describeStats(s: InspectorStats, matches: number): string {
  return (
    `${matches.toLocaleString('en-US')} found · ${s.filesScanned}/${s.filesTotal - s.filesSkipped} files · ` +
    `${s.rowGroupsScanned} row groups read, ${s.rowGroupsSkipped} skipped by statistics · ${formatBytes(s.bytesRead)} read`
  );
}

export class Inspector {
  private readonly searches = new Map<string, HeldSearch>();
  /** Footers of local Bronze files, kept between searches. */
  private readonly footers = new LocalFooters();

  constructor(private readonly deps: InspectorDeps) {}

  /** How searches read: local files natively once the warehouse is up, by hyparquet before. */
  private engines(): Pick<SearchOptions, 'warehouse' | 'footers'> {
    let warehouse: SearchWarehouse | null = null;
    try {
      warehouse = this.deps.warehouse();
    } catch {
      // Still starting: hyparquet reads every file meanwhile.
    }
    return { warehouse, footers: this.footers };
  }

  search(criteria: InspectorCriteria): { searchId: string; jobId: string } {
    const searchId = `search-${randomUUID()}`;
    const held: HeldSearch = {
      searchId,
      jobId: '',
      criteria,
      startedAt: performance.now(),
      firstMatchAt: null,
      finishedAt: null,
      state: 'running',
      error: null,
      matches: [],
      problems: [],
      stats: emptyStats(),
      limited: false,
    };
    const target = this.deps.target();
    const job = this.deps.jobs.start({
      kind: 'inspector.search',
      title: `Searching Bronze records${criteria.recordId ? ` for ${criteria.recordId}` : ''}`,
      unit: 'files',
      run: async (ctx) => {
        const result = await searchBronze({
          ...this.engines(),
          target,
          criteria,
          signal: ctx.signal,
          onMatch: (match) => {
            held.firstMatchAt ??= performance.now();
            held.matches.push(match);
          },
          onProblem: (problem) => held.problems.push(problem),
          onProgress: (stats) => {
            held.stats = stats;
            ctx.progress(
              stats.filesScanned,
              stats.filesTotal - stats.filesSkipped,
              describeStats(stats, held.matches.length),
            );
          },
        });
        held.stats = result.stats;
        held.limited = result.limited;
        ctx.progress(
          result.stats.filesScanned,
          result.stats.filesTotal - result.stats.filesSkipped,
          describeStats(result.stats, held.matches.length),
        );
      },
    });
    held.jobId = job.jobId;
    job.done.then(
      () => {
        held.state = 'succeeded';
      },
      (err: unknown) => {
        const cancelled = err instanceof WorkbenchError && err.code === 'cancelled';
        held.state = cancelled ? 'cancelled' : 'failed';
        held.error = cancelled ? null : errorMessage(err);
      },
    );
    void job.done.finally(() => (held.finishedAt = performance.now())).catch(() => undefined);
    this.searches.set(searchId, held);
    for (const old of [...this.searches.keys()].slice(0, Math.max(0, this.searches.size - KEEP_SEARCHES))) {
      this.searches.delete(old);
    }
    return { searchId, jobId: job.jobId };
  }

  private held(searchId: string): HeldSearch {
    const held = this.searches.get(searchId);
    if (!held) {
      throw new WorkbenchError('not_found', 'That search is no longer held', 'Run the search again.');
    }
    return held;
  }

  /** A page of a search's matches so far, with its state and counts. */
  matches(searchId: string, offset: number, limit: number): InspectorMatchesPage {
    const held = this.held(searchId);
    const now = held.finishedAt ?? performance.now();
    return {
      searchId,
      state: held.state,
      error: held.error,
      total: held.matches.length,
      limited: held.limited,
      firstMatchMs: held.firstMatchAt === null ? null : held.firstMatchAt - held.startedAt,
      elapsedMs: now - held.startedAt,
      stats: held.stats,
      problems: held.problems,
      offset,
      matches: held.matches.slice(offset, offset + limit),
    };
  }

  /** Waits for a search to end (tests, bench). */
  async finished(searchId: string): Promise<InspectorMatchesPage> {
    const held = this.held(searchId);
    while (held.state === 'running') await new Promise((r) => setTimeout(r, 20));
    return this.matches(searchId, 0, 0);
  }

  /** The record in row `row` of `key`, and the same series' records just before and after it. */
  async record(key: string, row: number, neighbours: number): Promise<InspectorRecord> {
    const target = this.deps.target();
    const { match, size, source } = await readRecord(target, key, row);
    let before: InspectorMatch[] = [];
    let after: InspectorMatch[] = [];
    const ts = match.ts === null ? NaN : Date.parse(match.ts);
    if (neighbours > 0 && match.seriesId !== null && !Number.isNaN(ts)) {
      // A few hours either side holds the neighbours of any regular series; dedupe copies by place.
      const from = ts - 24 * HOUR_MS;
      const to = ts + 24 * HOUR_MS;
      const found: InspectorMatch[] = [];
      await searchBronze({
        ...this.engines(),
        target,
        criteria: InspectorCriteria.parse({
          pipelines: [match.pipelineId],
          seriesId: match.seriesId,
          from: new Date(from).toISOString(),
          to: new Date(to).toISOString(),
          limit: 10_000,
        }),
        landingDays: landingDaysFor(from, to, LATE_DAYS),
        onMatch: (m) => found.push(m),
      });
      const byTime = found.sort(
        (a, b) => Date.parse(a.ts ?? '') - Date.parse(b.ts ?? '') || a.key.localeCompare(b.key),
      );
      before = byTime.filter((m) => Date.parse(m.ts ?? '') < ts).slice(-neighbours);
      after = byTime.filter((m) => Date.parse(m.ts ?? '') > ts).slice(0, neighbours);
    }
    return { record: match, size, source, before, after };
  }

  /** The Bronze records behind one metric point, the pipeline's formulas, and their evaluation where possible. */
  async lineage(request: LineageRequest): Promise<InspectorLineage> {
    const time = Date.parse(request.time);
    let pipeline: InspectorLineage['pipeline'] = null;
    let pipelineNote: string | null = null;
    try {
      const found = (await this.deps.pipelines()).find((p) => p.id === request.pipelineId);
      if (found) {
        pipeline = {
          id: found.id,
          name: found.name,
          version: found.version,
          filter: found.definition.filter,
          metrics: found.definition.metrics,
        };
      } else pipelineNote = `The server has no pipeline "${request.pipelineId}"; showing the Bronze records only.`;
    } catch (err) {
      pipelineNote = `The pipeline's definition could not be read from the server (${errorMessage(err)}); showing the Bronze records only.`;
    }
    const from = time - 24 * HOUR_MS;
    const all: InspectorMatch[] = [];
    const problems: InspectorProblem[] = [];
    const { stats } = await searchBronze({
      ...this.engines(),
      target: this.deps.target(),
      criteria: InspectorCriteria.parse({
        pipelines: [request.pipelineId],
        seriesId: request.seriesId,
        from: new Date(from).toISOString(),
        to: new Date(time + 1).toISOString(),
        limit: 10_000,
      }),
      landingDays: landingDaysFor(from, time, LATE_DAYS),
      onMatch: (m) => all.push(m),
      onProblem: (p) => problems.push(p),
    });
    const at = (m: InspectorMatch) => Date.parse(m.ts ?? '');
    const records = all.filter((m) => at(m) === time);
    const earlier = all.filter((m) => at(m) < time).sort((a, b) => at(a) - at(b));
    const previous = earlier.at(-1) ?? null;
    return {
      pipeline,
      pipelineNote,
      records,
      previous,
      evaluation: evaluate(pipeline, previous, records),
      stats,
      problems,
    };
  }

  /** Writes a search's matches to `exports/` as a job. */
  async export(
    searchId: string,
    format: InspectorExportFormat,
    fileName?: string,
  ): Promise<{ jobId: string; fileName: string; path: string }> {
    const held = this.held(searchId);
    const { name, path } = await newExportFile(this.deps.workspaceDir, fileName, 'bronze-records', format);
    const matches = [...held.matches];
    const job = this.deps.jobs.start({
      kind: 'inspector.export',
      title: `Exporting ${name}`,
      unit: 'records',
      run: async (ctx) => {
        const jsonl = exportPartPath(`${path}.jsonl`);
        const part = exportPartPath(path);
        try {
          const lines = matches.map((m) =>
            JSON.stringify({
              _key: m.key,
              _etag: m.etag,
              _row_group: m.rowGroup,
              _row: m.row,
              ...Object.fromEntries(m.fields.map((f) => [f.name, f.value])),
            }),
          );
          await writeFile(jsonl, lines.join('\n') + (lines.length ? '\n' : ''), { flag: 'wx' });
          ctx.throwIfCancelled();
          if (format === 'jsonl') await rename(jsonl, path);
          else {
            // The warehouse turns the lines into CSV or Parquet, with the union of every file's columns.
            await this.deps
              .warehouse()
              .run(
                `inspector-export-${randomUUID()}`,
                `COPY (SELECT * FROM read_json(${quoteLiteral(jsonl)}, format = 'newline_delimited', sample_size = -1)) TO ${quoteLiteral(part)} (${copyOptions(format)})`,
              );
            await rename(part, path);
          }
          const size = (await stat(path)).size;
          ctx.progress(matches.length, matches.length, `${matches.length} records · ${formatBytes(size)} → ${path}`);
        } finally {
          await rm(jsonl, { force: true });
          await rm(part, { force: true });
        }
      },
    });
    return { jobId: job.jobId, fileName: name, path };
  }
}

/** A record's fields as the formula evaluator takes them. */
function rowOf(match: InspectorMatch): Record<string, unknown> {
  return Object.fromEntries(match.fields.map((f) => [f.name, f.value]));
}

/**
 * The filter and each metric per record, by the formula language's reference
 * evaluator (it dedupes by record_id, applies the filter and gives one row per
 * kept record). The previous record goes in too, for per-series windows.
 */
function evaluate(
  pipeline: InspectorLineage['pipeline'],
  previous: InspectorMatch | null,
  records: InspectorMatch[],
): InspectorLineage['evaluation'] {
  if (!pipeline || records.length === 0) return { available: false, note: null, rows: [] };
  const input = [...(previous ? [previous] : []), ...records].map(rowOf);
  const names = pipeline.metrics.map((m) => m.name);
  try {
    const output = referenceEvaluate({ filter: pipeline.filter, metrics: pipeline.metrics }, input);
    if (output === input || !output.every((r) => names.every((n) => n in r))) {
      return {
        available: false,
        note: 'This build cannot evaluate formulas: the formulas and the fields they read are shown instead.',
        rows: [],
      };
    }
    const filters =
      pipeline.filter === null
        ? null
        : referenceEvaluate({ filter: null, metrics: [{ name: 'filter', formula: pipeline.filter, unit: '' }] }, input);
    const rows = records.map((record) => {
      const first = records
        .filter((r) => r.recordId === record.recordId)
        .sort((a, b) => String(fieldOf(a, 'ingested_at')).localeCompare(String(fieldOf(b, 'ingested_at'))))[0];
      const filter = filters?.find((r) => r.ts === record.ts)?.filter;
      const kept = output.find((r) => r.ts === record.ts);
      const outcome = first !== record ? 'duplicate' : kept ? 'kept' : 'filtered';
      return {
        outcome,
        // Metrics come out as numbers; the filter is a truth value.
        filter:
          filter === undefined
            ? pipeline.filter === null || null
            : typeof filter === 'number'
              ? filter !== 0
              : cellOf(filter),
        values: outcome === 'kept' && kept ? Object.fromEntries(names.map((n) => [n, cellOf(kept[n])])) : {},
      } as const;
    });
    return { available: true, note: null, rows };
  } catch (err) {
    return {
      available: false,
      note: `The formulas could not be evaluated here: ${errorMessage(err)}. The formulas and the fields they read are shown instead.`,
      rows: [],
    };
  }
}

function fieldOf(match: InspectorMatch, name: string): InspectorCell {
  return match.fields.find((f) => f.name === name)?.value ?? null;
}

function cellOf(value: unknown): InspectorCell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return value.toISOString();
  return JSON.stringify(value);
}
