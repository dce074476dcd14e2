/**
 * The local warehouse: native DuckDB over the Parquet cache, running in a worker
 * thread. Query results are kept here as Arrow IPC chunks until the renderer has
 * fetched them into its DuckDB-WASM working set: whole (`query`), or streamed
 * (`stream`, the SQL tab's) — answered at the first chunk, read while the query
 * runs, each chunk let go once fetched and at most a window of them held.
 */
import { stat } from 'node:fs/promises';
import { relative, sep } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { randomUUID } from 'node:crypto';
import type { Catalog, CatalogRelation, QueryResultMeta, ResultGrowth } from '../../../shared/api/contract';
import type { SkippedFile } from '../../../shared/api/lake';
import type { WarehouseFunction } from '../../../shared/api/queries';
import { WorkbenchError, type ErrorCode } from '../../../shared/errors';
import { forEachLimited } from '../forEachLimited';
import type { BronzeSource } from '../lake/FolderLake';
import { ParquetFooterChecks } from '../parquet/ParquetFile';
import { HeldResults } from '../results/HeldResults';
import { serviceWorkerEntry, startServiceWorker, stopServiceWorker } from '../serviceWorker';
import { StreamedResult } from './StreamedResult';
import { WarehouseReply, type QueryDone, type WarehouseRequest } from './warehouseProtocol';
import { quoteIdent, quoteLiteral } from '../../../shared/sql';

export interface WarehouseOptions {
  /** A DuckDB file, or ':memory:'. */
  dbPath?: string;
  /** The worker script; defaults to the one built beside this module. */
  workerEntry?: string;
  settings?: Record<string, string>;
  /** Rows per Arrow IPC chunk handed to the renderer. */
  rowsPerChunk?: number;
  /** How many finished results to keep before the oldest is dropped (streamed ones count apart). */
  keepResults?: number;
  /** Chunks a streamed query may produce ahead of those the renderer has taken. */
  streamWindow?: number;
  /**
   * A streamed result's first chunk (at most rowsPerChunk): a screenful and more, small
   * enough to be encoded, sent and loaded at once, so the grid shows rows before the
   * big chunks flow (grid.load_10m_browser first rows, with the engine's warm-up: 1.8 s → 0.4–1.2 s).
   */
  firstStreamedChunkRows?: number;
}

/** A streamed query's answer: the meta at its first chunk, and the whole result's meta (or failure) when it ends. */
export interface StreamedQuery {
  meta: QueryResultMeta;
  finished: Promise<QueryResultMeta>;
}

interface BronzeViewState extends BronzeSource {
  /** Damaged files left out of the view, by key. */
  skipped: SkippedFile[];
}

/** A failure from the worker, with the statement (0-based) that failed when it knows it. */
class WarehouseError extends WorkbenchError {
  constructor(
    code: ErrorCode,
    message: string,
    readonly statement: number | undefined,
  ) {
    super(code, message);
  }
}

/** DuckDB's Parquet reader says a file is damaged with these (IO errors, e.g. a file evicted meanwhile, are not). */
const DAMAGED_FILE_ERROR = /^(Invalid Input Error|Invalid Error):/;
const QUOTED = /'([^']+)'|"([^"]+)"/g;
/** `bronze.<pipeline>` in a query, quoted or not. */
const BRONZE_REFERENCE = /\bbronze\s*\.\s*(?:"((?:[^"]|"")+)"|([A-Za-z_][A-Za-z0-9_$]*))/gi;
/** Footers read at once while mounting. */
const FOOTER_CHECKS_AT_ONCE = 8;

export type WarehouseProgress = Omit<Extract<WarehouseReply, { kind: 'progress' }>, 'kind' | 'reqId'>;

type ChunkReply = Extract<WarehouseReply, { kind: 'chunk' }>;

interface Pending {
  onChunk?: (chunk: ChunkReply) => void;
  onProgress?: (progress: WarehouseProgress) => void;
  resolve: (reply: Extract<WarehouseReply, { kind: 'done' }>) => void;
  reject: (err: Error) => void;
}

/** Where the worker script is, whether we run from source (tsx/vitest) or from out/main. */
export function defaultWarehouseWorkerEntry(): string {
  return serviceWorkerEntry(import.meta.url, 'warehouseWorker.ts', 'warehouse-worker.js');
}

export class Warehouse {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private readonly results: HeldResults;
  private readonly rowsPerChunk: number;
  private readonly firstStreamedChunkRows: number;
  private readonly streamWindow: number;
  private readonly keepResults: number;
  /** Results still growing or being read, oldest first. */
  private readonly streamed = new Map<string, StreamedResult>();
  private nextReqId = 1;
  private closed = false;
  private readonly footers = new ParquetFooterChecks();
  private readonly bronzeViews = new Map<string, BronzeViewState>();
  private failure: Error | null = null;

  private constructor(worker: Worker, options: WarehouseOptions) {
    this.worker = worker;
    this.rowsPerChunk = options.rowsPerChunk ?? 100_000;
    this.firstStreamedChunkRows = Math.min(options.firstStreamedChunkRows ?? 10_000, this.rowsPerChunk);
    this.streamWindow = options.streamWindow ?? 8;
    this.keepResults = options.keepResults ?? 16;
    this.results = new HeldResults(this.keepResults, 'by the warehouse');
    worker.on('message', (raw: unknown) => this.onReply(raw));
    worker.on('error', (err) => this.failAll(err));
    worker.on('exit', (code) => {
      if (!this.closed) this.failAll(new Error(`The warehouse worker stopped unexpectedly (exit code ${code})`));
    });
  }

  static async open(options: WarehouseOptions = {}): Promise<Warehouse> {
    const entry = options.workerEntry ?? defaultWarehouseWorkerEntry();
    const worker = startServiceWorker(entry);
    const warehouse = new Warehouse(worker, options);
    await warehouse.request({
      op: 'open',
      reqId: 0,
      dbPath: options.dbPath ?? ':memory:',
      settings: options.settings ?? {},
    });
    return warehouse;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    try {
      await this.request({ op: 'close', reqId: 0 });
    } catch {
      // Closing a broken worker is still closing.
    }
    this.closed = true;
    // What was still running was interrupted by the close; its answer is that.
    for (const pending of this.pending.values())
      pending.reject(new WorkbenchError('cancelled', 'The warehouse was closed'));
    this.pending.clear();
    await stopServiceWorker(this.worker);
    this.results.clear();
    for (const result of this.streamed.values())
      result.fail(new WorkbenchError('cancelled', 'The warehouse was closed'));
    this.streamed.clear();
  }

  /** Runs statements that return nothing (DDL, SET). */
  async exec(sql: string): Promise<void> {
    await this.request({ op: 'exec', reqId: 0, sql });
  }

  /**
   * Runs a small query and returns its rows as JSON-safe objects. `oneStatement`
   * refuses SQL holding more than one statement (for SQL built from data).
   */
  async rows(sql: string, options: { oneStatement?: boolean } = {}): Promise<Record<string, unknown>[]> {
    const reply = await this.settingAsideDamaged(() => this.request({ op: 'rows', reqId: 0, sql, ...options }));
    return reply.rows ?? [];
  }

  /** Runs a user's query; the result is kept as Arrow chunks under `resultId`. */
  async query(queryId: string, sql: string): Promise<QueryResultMeta> {
    const started = performance.now();
    const { reply, chunks } = await this.wholeResult(queryId, sql);
    const done: QueryDone = reply.query ?? { columns: [], rowCount: 0, chunkCount: 0 };
    const meta: QueryResultMeta = {
      queryId,
      resultId: `result-${randomUUID()}`,
      columns: done.columns,
      rowCount: done.rowCount,
      chunkCount: chunks.length,
      elapsedMs: performance.now() - started,
    };
    const skippedFiles = this.skippedFilesFor(sql);
    if (skippedFiles.length) meta.skippedFiles = skippedFiles;
    this.results.hold(meta, chunks);
    return meta;
  }

  /**
   * Runs a user's query for the grid, answering as soon as its first chunk exists
   * (`done: false` while more come; a result of one chunk is answered whole). The worker runs at most `streamWindow` chunks
   * ahead of those taken with `takeChunk`, and each chunk is let go once taken, so
   * a big result never sits whole in this process. A damaged Bronze file met before
   * the first chunk is set aside and the query run again, as for query(); a failure
   * later fails the result (its waiting reads and `finished`).
   */
  async stream(queryId: string, sql: string): Promise<StreamedQuery> {
    const started = performance.now();
    const answer = await this.settingAsideDamaged(() => this.streamAttempt(queryId, sql));
    const skippedFiles = this.skippedFilesFor(sql);
    const withFiles = (meta: QueryResultMeta): QueryResultMeta =>
      skippedFiles.length ? { ...meta, skippedFiles } : meta;
    const { result, columns } = answer;
    this.streamed.set(result.resultId, result);
    while (this.streamed.size > this.keepResults) {
      const oldest = this.streamed.keys().next().value;
      if (oldest === undefined) break;
      this.releaseResult(oldest);
    }
    const metaNow = (): QueryResultMeta =>
      withFiles({
        queryId,
        resultId: result.resultId,
        columns,
        ...result.growth(),
        elapsedMs: performance.now() - started,
      });
    const meta = metaNow();
    const finished = answer.ended.then(metaNow);
    // The caller may not wait for the end: its failure must not go unhandled here.
    finished.catch(() => undefined);
    return { meta, finished };
  }

  /** One run of a streamed query: settles at its first chunk (or its end, or its failure before any chunk). */
  private streamAttempt(
    queryId: string,
    sql: string,
  ): Promise<{ result: StreamedResult; columns: QueryResultMeta['columns']; ended: Promise<void> }> {
    const result = new StreamedResult(`result-${randomUUID()}`, queryId, (chunks) => {
      if (!this.closed) this.post({ op: 'taken', queryId, chunks });
    });
    let columns: QueryResultMeta['columns'] = [];
    return new Promise((resolve, reject) => {
      let answered = false;
      const ended = this.request(
        {
          op: 'query',
          reqId: 0,
          queryId,
          sql,
          rowsPerChunk: this.rowsPerChunk,
          firstChunkRows: this.firstStreamedChunkRows,
          window: this.streamWindow,
        },
        (chunk) => {
          if (chunk.columns) columns = chunk.columns;
          result.add(chunk.bytes, chunk.rows);
          // A result of one chunk is answered whole, at its end, which comes next.
          if (!answered && !chunk.last) {
            answered = true;
            resolve({ result, columns, ended });
          }
        },
      ).then(
        () => result.finish(),
        (err: unknown) => {
          const error = err instanceof Error ? err : new Error(String(err));
          result.fail(error);
          throw error;
        },
      );
      ended.then(
        () => {
          if (answered) return;
          answered = true;
          resolve({ result, columns, ended });
        },
        (err: unknown) => {
          if (answered) return;
          answered = true;
          reject(err instanceof Error ? err : new Error(String(err)));
        },
      );
    });
  }

  /**
   * Runs statements (e.g. `COPY … TO`) under `queryId`, so `cancel(queryId)`
   * interrupts them; returns the last statement's rows. `oneStatement` as for rows().
   */
  async run(
    queryId: string,
    sql: string,
    onProgress?: (progress: WarehouseProgress) => void,
    options: { oneStatement?: boolean } = {},
  ): Promise<Record<string, unknown>[]> {
    const reply = await this.settingAsideDamaged(() =>
      // The worker samples progress only for a caller that listens.
      this.request(
        { op: 'run', reqId: 0, queryId, sql, ...options, progress: onProgress !== undefined },
        undefined,
        onProgress,
      ),
    );
    return reply.rows ?? [];
  }

  /**
   * Runs one statement built from data (a chart's SQL) under `queryId`, so
   * `cancel(queryId)` interrupts it, and returns its result as Arrow IPC
   * chunks, not held. Columns of numbers cross from the worker as they are,
   * where rows() turns every value into a JavaScript one there and copies it
   * again to this thread (chart.zoom_10m: 117 → 97 ms).
   */
  async arrowChunks(queryId: string, sql: string): Promise<Uint8Array[]> {
    return (await this.wholeResult(queryId, sql, { oneStatement: true })).chunks;
  }

  /** A query's every Arrow chunk, once it ends; a damaged Bronze file set aside runs it again from the start. */
  private async wholeResult(
    queryId: string,
    sql: string,
    options: { oneStatement?: boolean } = {},
  ): Promise<{ reply: Extract<WarehouseReply, { kind: 'done' }>; chunks: Uint8Array[] }> {
    let chunks: Uint8Array[] = [];
    const reply = await this.settingAsideDamaged(() => {
      // A retry starts the result again.
      const attempt: Uint8Array[] = (chunks = []);
      return this.request(
        { op: 'query', reqId: 0, queryId, sql, rowsPerChunk: this.rowsPerChunk, ...options },
        (chunk) => attempt.push(chunk.bytes),
      );
    });
    return { reply, chunks };
  }

  /**
   * Runs one statement built from data (a record search's scan of local files),
   * interrupted when `signal` aborts; its rows as JSON. Damaged files are the
   * caller's to name: no file is set aside from a view for it.
   */
  async scan(sql: string, signal?: AbortSignal): Promise<Record<string, unknown>[]> {
    if (signal?.aborted) throw new WorkbenchError('cancelled', 'The query was cancelled');
    const queryId = `scan-${randomUUID()}`;
    const onAbort = () => this.cancel(queryId);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const reply = await this.request({ op: 'run', reqId: 0, queryId, sql, oneStatement: true, progress: false });
      return reply.rows ?? [];
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  cancel(queryId: string): boolean {
    if (this.closed) return false;
    this.post({ op: 'cancel', queryId });
    return true;
  }

  resultChunk(resultId: string, chunk: number): Uint8Array {
    return this.results.chunk(resultId, chunk);
  }

  /** A chunk of a held or streamed result; a streamed one's chunk not produced yet is waited for, and given out once. */
  async takeChunk(resultId: string, chunk: number): Promise<Uint8Array> {
    const result = this.streamed.get(resultId);
    return result ? result.take(chunk) : this.results.chunk(resultId, chunk);
  }

  /** Waits until a streamed result holds more than `knownChunks` chunks or is complete. */
  async waitForResult(resultId: string, knownChunks: number): Promise<ResultGrowth> {
    const result = this.streamed.get(resultId);
    if (!result)
      throw new WorkbenchError('not_found', 'This result is no longer held by the warehouse', 'Run the query again.');
    return result.grown(knownChunks);
  }

  /** Lets a result go; a streamed one still running is cancelled. */
  releaseResult(resultId: string): boolean {
    const result = this.streamed.get(resultId);
    if (!result) return this.results.release(resultId);
    this.streamed.delete(resultId);
    if (!result.done && !result.failed) {
      this.cancel(result.queryId);
      result.fail(new WorkbenchError('cancelled', 'The result was released before it was complete'));
    }
    return true;
  }

  /** Schemas, views and tables the user can query, with their columns. */
  async catalog(): Promise<Catalog> {
    const rows = await this.rows(`
      SELECT c.schema_name, c.table_name, c.column_name, c.data_type,
             CASE WHEN v.view_name IS NULL THEN 'table' ELSE 'view' END AS kind
      FROM duckdb_columns() c
      LEFT JOIN duckdb_views() v
        ON v.database_name = c.database_name AND v.schema_name = c.schema_name AND v.view_name = c.table_name
      WHERE NOT c.internal AND c.database_name NOT IN ('system', 'temp')
      ORDER BY c.schema_name, c.table_name, c.column_index`);
    const relations = new Map<string, CatalogRelation>();
    for (const row of rows) {
      const schema = String(row.schema_name);
      const name = String(row.table_name);
      const key = `${schema}.${name}`;
      let relation = relations.get(key);
      if (!relation) {
        relation = { schema, name, kind: row.kind === 'view' ? 'view' : 'table', columns: [] };
        relations.set(key, relation);
      }
      relation.columns.push({ name: String(row.column_name), type: String(row.data_type) });
    }
    return { relations: [...relations.values()] };
  }

  /** The functions SQL can call here (overloads folded, a few signatures each), for completion. */
  async functions(): Promise<WarehouseFunction[]> {
    const rows = await this.rows(`
      SELECT function_name, function_type, parameters, parameter_types, return_type, varargs, description
      FROM duckdb_functions()
      WHERE regexp_matches(function_name, '^[A-Za-z][A-Za-z0-9_]*$')
      ORDER BY function_name, len(parameters)`);
    const byName = new Map<string, WarehouseFunction>();
    for (const row of rows) {
      const name = String(row.function_name);
      const type = String(row.function_type);
      const kind: WarehouseFunction['kind'] = type.startsWith('table')
        ? 'table'
        : type === 'aggregate' || type === 'macro' || type === 'pragma'
          ? type
          : 'scalar';
      let fn = byName.get(name);
      if (!fn) {
        fn = { name, kind, signatures: [], description: null };
        byName.set(name, fn);
      }
      if (!fn.description && typeof row.description === 'string' && row.description) fn.description = row.description;
      const names = Array.isArray(row.parameters) ? row.parameters.map(String) : [];
      const types = Array.isArray(row.parameter_types) ? row.parameter_types.map(String) : [];
      // DuckDB names unnamed parameters col0, col1…: show only their type then.
      const params = names.map((p, i) => (/^col\d+$/.test(p) ? (types[i] ?? p) : `${p} ${types[i] ?? ''}`.trim()));
      if (row.varargs) params.push(`${String(row.varargs)}...`);
      const signature = `${name}(${params.join(', ')})${row.return_type ? ` → ${String(row.return_type)}` : ''}`;
      if (fn.signatures.length < 4 && !fn.signatures.includes(signature)) fn.signatures.push(signature);
    }
    return [...byName.values()];
  }

  /**
   * (Re)creates the views over the local Parquet: `bronze.<pipeline>` per Bronze
   * pipeline folder and `metrics` over the metrics cache. Folders without files
   * get no view, since DuckDB refuses a view over an empty glob. Each Bronze
   * file's footer is checked first (once per path, size and time): a damaged
   * file is set aside — left on disk, out of the view, and reported by
   * `skippedFiles` — so one bad file does not stop every query of its pipeline.
   */
  async mountParquetViews(views: { bronze: BronzeSource[]; metricsGlob: string | null }): Promise<void> {
    await this.exec('CREATE SCHEMA IF NOT EXISTS bronze;');
    // Pipelines whose files all left (evicted, or another lake) lose their view.
    const wanted = new Set(views.bronze.map((v) => v.pipelineId));
    const existing = await this.rows(
      "SELECT view_name FROM duckdb_views() WHERE schema_name = 'bronze' AND NOT internal",
    );
    const drops: string[] = [];
    for (const row of existing) {
      const name = String(row.view_name);
      if (!wanted.has(name)) drops.push(`DROP VIEW IF EXISTS bronze.${quoteIdent(name)};`);
    }
    for (const id of this.bronzeViews.keys()) if (!wanted.has(id)) this.bronzeViews.delete(id);
    if (drops.length) await this.exec(drops.join('\n'));

    const failures: unknown[] = [];
    for (const source of views.bronze) {
      const skipped: SkippedFile[] = [];
      await forEachLimited(source.files, FOOTER_CHECKS_AT_ONCE, async (file) => {
        const reason = await this.footers.problemOf(file.path, file);
        if (reason) skipped.push({ key: file.key, path: file.path, reason });
      });
      skipped.sort((a, b) => a.key.localeCompare(b.key));
      const view: BronzeViewState = { ...source, skipped };
      this.bronzeViews.set(source.pipelineId, view);
      // One pipeline's view failing leaves the others mounted.
      await this.createBronzeView(view).catch((err: unknown) => failures.push(err));
    }
    if (views.metricsGlob) {
      await this.exec(
        `CREATE OR REPLACE VIEW main.metrics AS SELECT time, pipeline_id, series_id, metric_name, value FROM read_parquet(${quoteLiteral(views.metricsGlob)}, hive_partitioning = true, union_by_name = true);`,
      );
    }
    if (failures.length) throw failures[0];
  }

  /** The damaged files set aside from `bronze.<pipelineId>`, by key. */
  skippedFiles(pipelineId: string): SkippedFile[] {
    return [...(this.bronzeViews.get(pipelineId)?.skipped ?? [])];
  }

  /** The damaged files set aside from the `bronze.<pipeline>` views a query names. */
  skippedFilesFor(sql: string): SkippedFile[] {
    const named = new Set<string>();
    for (const match of sql.matchAll(BRONZE_REFERENCE)) {
      // Unquoted identifiers are case-insensitive in DuckDB; quoted ones are compared as written.
      if (match[1] !== undefined) named.add(match[1].replace(/""/g, '"'));
      else if (match[2] !== undefined) named.add(match[2].toLowerCase());
    }
    const files: SkippedFile[] = [];
    for (const view of this.bronzeViews.values()) {
      if (named.has(view.pipelineId) || named.has(view.pipelineId.toLowerCase())) files.push(...view.skipped);
    }
    return files;
  }

  /**
   * Creates `bronze.<pipeline>`: over the glob while no file is set aside (and
   * the lake gave one), else over the list of the others. A file DuckDB names as damaged while binding
   * the view is set aside too, and the view made again.
   */
  private async createBronzeView(view: BronzeViewState): Promise<void> {
    const name = `bronze.${quoteIdent(view.pipelineId)}`;
    for (;;) {
      let source: string;
      if (view.glob !== null && view.skipped.length === 0) {
        source = quoteLiteral(view.glob);
      } else {
        const aside = new Set(view.skipped.map((f) => f.path));
        const files = view.files.map((f) => f.path).filter((file) => !aside.has(file));
        if (files.length === 0) {
          await this.exec(`DROP VIEW IF EXISTS ${name};`);
          return;
        }
        source = `[${files.map(quoteLiteral).join(', ')}]`;
      }
      try {
        await this.exec(
          `CREATE OR REPLACE VIEW ${name} AS SELECT * FROM read_parquet(${source}, hive_partitioning = true, union_by_name = true);`,
        );
        return;
      } catch (err) {
        const damaged = this.damagedFileIn(err);
        if (!damaged || damaged.view !== view || view.skipped.some((f) => f.path === damaged.path)) throw err;
        await this.setAside(damaged.view, damaged.path, damaged.reason);
      }
    }
  }

  /** The view file a DuckDB error names as damaged, if it names one. */
  private damagedFileIn(err: unknown): { view: BronzeViewState; path: string; reason: string } | null {
    if (!(err instanceof WorkbenchError) || err.code !== 'query_failed') return null;
    const firstLine = err.message.split('\n')[0]!.trim();
    if (!DAMAGED_FILE_ERROR.test(firstLine)) return null;
    for (const match of firstLine.matchAll(QUOTED)) {
      const path = match[1] ?? match[2]!;
      if (!path.endsWith('.parquet')) continue;
      for (const view of this.bronzeViews.values()) {
        if (path.startsWith(view.dir + sep)) {
          return { view, path, reason: `the warehouse could not read it (${firstLine})` };
        }
      }
    }
    return null;
  }

  /** Leaves `path` out of its view from now on (and remembers why, until the file changes). */
  private async setAside(view: BronzeViewState, path: string, reason: string): Promise<void> {
    if (view.skipped.some((f) => f.path === path)) return;
    const key = `bronze/${view.pipelineId}/${relative(view.dir, path).split(sep).join('/')}`;
    view.skipped = [...view.skipped, { key, path, reason }].sort((a, b) => a.key.localeCompare(b.key));
    const info = await stat(path).catch(() => null);
    if (info) this.footers.remember(path, info, reason);
  }

  /**
   * Runs `work`; when DuckDB fails on a damaged file of a `bronze.<pipeline>`
   * view, sets the file aside, rebuilds the view and runs `work` again — once
   * per file, and only when the failing statement was the first (nothing ran
   * before it that a second run would repeat). Otherwise the error says the
   * file is now set aside and to run the query again.
   */
  private async settingAsideDamaged<T>(work: () => Promise<T>): Promise<T> {
    const tried = new Set<string>();
    for (;;) {
      try {
        return await work();
      } catch (err) {
        const damaged = this.damagedFileIn(err);
        if (!damaged || tried.has(damaged.path)) throw err;
        tried.add(damaged.path);
        await this.setAside(damaged.view, damaged.path, damaged.reason);
        await this.createBronzeView(damaged.view);
        if (!(err instanceof WarehouseError) || err.statement !== 0) {
          const key = damaged.view.skipped.find((f) => f.path === damaged.path)?.key ?? damaged.path;
          throw new WorkbenchError(
            'query_failed',
            err instanceof Error ? err.message : String(err),
            `${key} is damaged and is now left out of bronze.${damaged.view.pipelineId}: run the query again.`,
          );
        }
      }
    }
  }

  private post(req: WarehouseRequest): void {
    this.worker.postMessage(req);
  }

  private request(
    req: Exclude<WarehouseRequest, { op: 'cancel' | 'taken' }>,
    onChunk?: (chunk: ChunkReply) => void,
    onProgress?: (progress: WarehouseProgress) => void,
  ): Promise<Extract<WarehouseReply, { kind: 'done' }>> {
    if (this.closed) return Promise.reject(new WorkbenchError('unavailable', 'The warehouse is closed'));
    if (this.failure)
      return Promise.reject(new WorkbenchError('unavailable', this.failure.message, 'Restart the workbench.'));
    const reqId = this.nextReqId++;
    return new Promise((resolve, reject) => {
      this.pending.set(reqId, {
        resolve,
        reject,
        ...(onChunk ? { onChunk } : {}),
        ...(onProgress ? { onProgress } : {}),
      });
      this.post({ ...req, reqId });
    });
  }

  private onReply(raw: unknown): void {
    const parsed = WarehouseReply.safeParse(raw);
    if (!parsed.success) {
      this.failAll(new Error(`The warehouse worker sent a malformed reply: ${parsed.error.message}`));
      return;
    }
    const reply = parsed.data;
    const pending = this.pending.get(reply.reqId);
    if (!pending) return;
    if (reply.kind === 'chunk') {
      pending.onChunk?.(reply);
      return;
    }
    if (reply.kind === 'progress') {
      const { kind: _kind, reqId: _reqId, ...progress } = reply;
      pending.onProgress?.(progress);
      return;
    }
    this.pending.delete(reply.reqId);
    if (reply.kind === 'done') pending.resolve(reply);
    else pending.reject(new WarehouseError(reply.code, reply.message, reply.statement));
  }

  private failAll(err: Error): void {
    this.failure = err;
    // Each streamed result still running fails through its own pending request.
    for (const pending of this.pending.values()) pending.reject(new WorkbenchError('unavailable', err.message));
    this.pending.clear();
  }
}
