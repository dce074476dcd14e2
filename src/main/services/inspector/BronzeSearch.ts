/**
 * Finds Bronze records across many Parquet files, as planned by searchPlan:
 * files pruned by partition, row groups by their min/max statistics. Files on
 * local disk (a folder lake, the cache) are scanned by native DuckDB in the
 * warehouse, a batch of files per query with the filter pushed down; files
 * only on the bucket are read through byte ranges and decoded by hyparquet.
 * Either way the row test of searchPlan decides what matches, and hyparquet
 * reads the matching rows, so both give the same matches. Matches are handed
 * out as they are found.
 */
import { parquetMetadataAsync, parquetReadObjects, type FileMetaData } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import type {
  InspectorCriteria,
  InspectorField,
  InspectorMatch,
  InspectorProblem,
  InspectorStats,
} from '../../../shared/api/inspector';
import { WorkbenchError, errorMessage } from '../../../shared/errors';
import { Slots, forEachLimited } from '../forEachLimited';
import type { ObjectStore } from '../objectStore/ObjectStore';
import { openParquetBuffer, toCell, type ParquetBuffer } from '../parquet/ParquetFile';
import {
  BRONZE_KEY,
  GLOB_CHARACTERS,
  candidateCondition,
  candidateSql,
  driftProblems,
  fileSchema,
  filterSignature,
  groupMayMatch,
  nativeBatches,
  planSearch,
  rowTest,
  schemaVerdict,
  typesSeen,
  searchPrefixes,
  type FileSchema,
  type ListedObject,
  type SearchFile,
  type SearchPlan,
  type TypesSeen,
} from './searchPlan';

export { COMMON_COLUMNS, landingDaysFor, parquetTypeName, type SearchFile } from './searchPlan';

/** A search reads many footers: ask for a typical footer's size (hyparquet fetches the rest of a larger one). */
const FOOTER_FETCH_BYTES = 16 * 1024;
/** Files read by ranges at once: enough to hide a store's request latency. */
const RANGE_FILES_AT_ONCE = 8;
/** Native queries at once: one runs while the matches of the one before are read. */
const NATIVE_QUERIES_AT_ONCE = 2;
/**
 * Batches of local files in hand at once: besides the two being queried, one
 * has its paths and footers checked and one has its matches read, so DuckDB is
 * not kept waiting on either.
 */
const NATIVE_BATCHES_AT_ONCE = 4;
/** Local footers read at once within a batch. */
const FOOTERS_AT_ONCE = 8;

type Source = 'local' | 'cache' | 'store';

/** Where the files are listed and read: a folder lake, a cache, or a bucket. */
export interface SearchTarget {
  list(prefix: string, signal?: AbortSignal): Promise<ListedObject[]>;
  open(key: string): Promise<{ store: ObjectStore; source: Source }>;
}

/** The native DuckDB a search runs its queries on (the warehouse). */
export interface SearchWarehouse {
  /** Runs one statement, interrupted when `signal` aborts; its rows as JSON. */
  scan(sql: string, signal?: AbortSignal): Promise<Record<string, unknown>[]>;
}

export interface SearchOptions {
  target: SearchTarget;
  criteria: InspectorCriteria;
  signal?: AbortSignal;
  /** Landing days to read, when the caller knows better than the contract allows (neighbours, lineage). */
  landingDays?: { from: string; to: string };
  /** Files read by ranges at once. */
  concurrency?: number;
  /** Scans local files natively when given; without it every file is read by hyparquet. */
  warehouse?: SearchWarehouse | null;
  /** Footers of local files kept between searches. */
  footers?: LocalFooters;
  onMatch?: (match: InspectorMatch) => void;
  onProblem?: (problem: InspectorProblem) => void;
  onProgress?: (stats: InspectorStats) => void;
}

export function emptyStats(): InspectorStats {
  return {
    filesTotal: 0,
    filesSkipped: 0,
    filesScanned: 0,
    rowGroupsScanned: 0,
    rowGroupsSkipped: 0,
    rowsScanned: 0,
    bytesRead: 0,
    localFiles: 0,
    remoteFiles: 0,
  };
}

/** A local file's footer and the schema read from it. */
interface LocalFooter {
  metadata: FileMetaData;
  schema: FileSchema;
}

/**
 * Footers of local files, kept per path while the file keeps its size and
 * ETag (a folder's ETag is its size and modification time): a search over the
 * same files again reads no footer.
 */
export class LocalFooters {
  private readonly kept = new Map<string, { size: number; etag: string; footer: LocalFooter }>();

  constructor(private readonly most = 20_000) {}

  get(path: string, size: number, etag: string): LocalFooter | null {
    const known = this.kept.get(path);
    return known && known.size === size && known.etag === etag ? known.footer : null;
  }

  set(path: string, size: number, etag: string, footer: LocalFooter): void {
    this.kept.delete(path);
    this.kept.set(path, { size, etag, footer });
    // The oldest go first.
    for (const old of this.kept.keys()) {
      if (this.kept.size <= this.most) break;
      this.kept.delete(old);
    }
  }
}

/** Says what is wrong with a file hyparquet could not read: cut short, or not Parquet at all. */
async function diagnose(
  store: ObjectStore,
  key: string,
  size: number,
  err: unknown,
): Promise<Omit<InspectorProblem, 'key'>> {
  let head = '';
  try {
    if (size >= 4) {
      const got = await store.get(key, { range: { start: 0, end: 3 } });
      if (!got.notModified) {
        const parts: Buffer[] = [];
        for await (const part of got.body) parts.push(part as Buffer);
        head = Buffer.concat(parts).toString('latin1');
      }
    }
  } catch {
    // The first error says enough.
  }
  const detail = errorMessage(err);
  if (head === 'PAR1') {
    return {
      kind: 'truncated',
      message: `Starts as Parquet but its footer is missing or damaged (${detail}); the file was probably cut short while being written or copied. Skipped — ask the pipeline owner to re-land this batch.`,
    };
  }
  return {
    kind: 'corrupt',
    message: `Is not a Parquet file (${size} bytes that do not start with PAR1: ${detail}). Skipped — ask the pipeline owner to re-land this batch.`,
  };
}

/** A planned file with where it is read from. */
interface OpenedFile {
  file: SearchFile;
  store: ObjectStore;
  source: Source;
  /** On this machine, and a warehouse to scan it: its path is asked for with the batch it goes in. */
  local: boolean;
}

/** A local file whose footer is read, ready for a native query. */
interface LocalFile extends OpenedFile {
  /** Its path on this machine, which native DuckDB reads. */
  path: string;
}

/** A local file whose footer is read, ready for a native query. */
interface ReadyFile extends LocalFile {
  /** As on disk (a cached copy may differ from the listing). */
  size: number;
  etag: string;
  metadata: FileMetaData;
  schema: FileSchema;
  /** Row groups its statistics leave in. */
  kept: number[];
}

/**
 * Runs one search to its end, the limit, or cancel. Resolves with the counts;
 * matches, problems and progress go to the callbacks as they happen.
 */
export async function searchBronze(options: SearchOptions): Promise<{ stats: InspectorStats; limited: boolean }> {
  const listed: ListedObject[] = [];
  for (const prefix of searchPrefixes(options.criteria))
    listed.push(...(await options.target.list(prefix, options.signal)));
  const plan = planSearch(options.criteria, listed, options.landingDays);
  return new SearchRun(plan, options).run();
}

/** One search's state: the counts, the matches found so far, and the types seen per pipeline. */
class SearchRun {
  private readonly stats = emptyStats();
  private readonly seen: TypesSeen[] = [];
  private found = 0;
  private limited = false;
  private readonly queries = new Slots(NATIVE_QUERIES_AT_ONCE);
  private readonly footers: LocalFooters;

  constructor(
    private readonly plan: SearchPlan,
    private readonly options: SearchOptions,
  ) {
    this.stats.filesTotal = plan.filesTotal;
    this.stats.filesSkipped = plan.filesSkipped;
    this.footers = options.footers ?? new LocalFooters();
  }

  async run(): Promise<{ stats: InspectorStats; limited: boolean }> {
    const { signal } = this.options;
    this.report();
    const opened: OpenedFile[] = [];
    await forEachLimited(
      this.plan.files,
      FOOTERS_AT_ONCE,
      async (file, _signal, index) => {
        opened[index] = await this.open(file);
      },
      { signal, cancelledMessage: 'The search was cancelled' },
    );
    const native = opened.filter((f) => f.local);
    const ranged = opened.filter((f) => !f.local);
    // The two pools stop together: a failure or cancel in one ends the other.
    const stop = new AbortController();
    const onAbort = () => stop.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const pool = <T>(items: Iterable<T>, limit: number, fn: (item: T, signal: AbortSignal) => Promise<void>) =>
      forEachLimited(this.untilLimit(items), limit, fn, {
        signal: stop.signal,
        cancelledMessage: 'The search was cancelled',
      }).catch((err: unknown) => {
        stop.abort();
        throw err;
      });
    try {
      const outcomes = await Promise.allSettled([
        pool(nativeBatches(native), NATIVE_BATCHES_AT_ONCE, (batch, s) => this.searchNative(batch, s)),
        pool(ranged, Math.max(1, this.options.concurrency ?? RANGE_FILES_AT_ONCE), (file, s) =>
          this.searchOne(file, s),
        ),
      ]);
      this.throwIfCancelled();
      // The cause, not the other pool's stop.
      const failures = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []));
      const cause = failures.find((e) => !(e instanceof WorkbenchError && e.code === 'cancelled')) ?? failures[0];
      if (cause !== undefined) throw cause;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    for (const problem of driftProblems(this.seen)) this.options.onProblem?.(problem);
    return { stats: { ...this.stats }, limited: this.limited };
  }

  private *untilLimit<T>(items: Iterable<T>): Generator<T> {
    for (const item of items) {
      if (this.limited) return;
      yield item;
    }
  }

  private report(): void {
    this.options.onProgress?.({ ...this.stats });
  }

  private throwIfCancelled(): void {
    if (this.options.signal?.aborted) throw new WorkbenchError('cancelled', 'The search was cancelled');
  }

  private problem(key: string, problem: Omit<InspectorProblem, 'key'>): void {
    this.options.onProblem?.({ key, ...problem });
  }

  private async open(file: SearchFile): Promise<OpenedFile> {
    const { store, source } = await this.options.target.open(file.key);
    return { file, store, source, local: Boolean(this.options.warehouse && source !== 'store' && store.localPaths) };
  }

  /** Emits the match unless the limit is reached; false once it is. */
  private emit(match: () => InspectorMatch): boolean {
    if (this.found >= this.plan.criteria.limit) {
      this.limited = true;
      return false;
    }
    this.found++;
    this.options.onMatch?.(match());
    return true;
  }

  /**
   * A file searched through byte ranges and hyparquet. `resumed`: a native
   * query tried it first, named its schema's problems and handed out `rows`.
   */
  private async searchOne(
    opened: OpenedFile,
    signal: AbortSignal,
    resumed?: { rows: ReadonlySet<number> },
  ): Promise<void> {
    const { file, store, source } = opened;
    try {
      const buffer = await openParquetBuffer(
        store,
        file.key,
        // A cached copy may be stale (another size): only the listed store's own files are taken as listed.
        file.etag === null || source === 'cache' ? undefined : { size: file.size, etag: file.etag },
      );
      try {
        await this.searchBuffer(opened, buffer, signal, resumed);
      } finally {
        await buffer.close();
      }
    } catch (err) {
      if (err instanceof WorkbenchError && err.code === 'cancelled') throw err;
      this.throwIfCancelled();
      if (signal.aborted) throw err;
      this.problem(file.key, {
        kind: 'unreadable',
        message: `Could not be read: ${errorMessage(err)}. The search went on without it.`,
      });
    }
    this.stats.filesScanned++;
    this.report();
  }

  private async searchBuffer(
    { file, store, source }: OpenedFile,
    { buffer, read, size, etag }: ParquetBuffer,
    signal: AbortSignal,
    resumed?: { rows: ReadonlySet<number> },
  ): Promise<void> {
    let counted = 0;
    const addBytes = () => {
      this.stats.bytesRead += read() - counted;
      counted = read();
    };
    if (source === 'store') this.stats.remoteFiles++;
    else this.stats.localFiles++;
    let metadata: FileMetaData;
    try {
      metadata = await parquetMetadataAsync(buffer, { initialFetchSize: FOOTER_FETCH_BYTES });
    } catch (err) {
      addBytes();
      this.problem(file.key, await diagnose(store, file.key, size, err));
      return;
    }
    addBytes();
    const schema = fileSchema(metadata);
    if (!resumed) {
      this.seen.push(typesSeen(this.plan, file, schema.types));
      const verdict = schemaVerdict(this.plan, schema.types);
      for (const p of verdict.problems) this.problem(file.key, p);
      if (verdict.skip) return;
    }

    const test = rowTest(this.plan, schema);
    const readable = [...this.plan.testColumns].filter((c) => schema.types.has(c));
    let groupStart = 0;
    for (const [index, group] of metadata.row_groups.entries()) {
      const rows = Number(group.num_rows);
      const start = groupStart;
      groupStart += rows;
      this.throwIfCancelled();
      if (signal.aborted || this.limited) return;
      if (!groupMayMatch(this.plan, group, schema)) {
        this.stats.rowGroupsSkipped++;
        continue;
      }
      try {
        let hits: number[];
        if (this.plan.testColumns.size === 0) {
          hits = Array.from({ length: rows }, (_v, i) => i);
        } else {
          const tested = await parquetReadObjects({
            file: buffer,
            metadata,
            columns: readable,
            rowStart: start,
            rowEnd: start + rows,
            compressors,
          });
          hits = tested.flatMap((row, i) => (test(row) && !resumed?.rows.has(start + i) ? [i] : []));
        }
        this.stats.rowGroupsScanned++;
        this.stats.rowsScanned += rows;
        if (hits.length) {
          const first = hits[0]!;
          const full = await parquetReadObjects({
            file: buffer,
            metadata,
            rowStart: start + first,
            rowEnd: start + hits.at(-1)! + 1,
            compressors,
          });
          for (const hit of hits) {
            const values = full[hit - first] ?? {};
            if (!this.emit(() => toMatch(file, etag, index, start + hit, values, schema))) break;
          }
        }
      } catch (err) {
        if (err instanceof WorkbenchError) throw err;
        this.problem(file.key, {
          kind: 'corrupt',
          message: `Row group ${index} could not be read (${errorMessage(err)}); the rest of the file was searched. Ask the pipeline owner to re-land this batch.`,
        });
      } finally {
        addBytes();
        this.report();
      }
    }
  }

  /**
   * Local files, natively: footers (kept between searches) decide the schema
   * problems and which files need a query at all; files whose tested columns
   * are alike share one query for their candidate rows, and hyparquet reads
   * the candidates, which the row test decides. A query that fails (a damaged
   * row group, a column DuckDB cannot bind) leaves its files to hyparquet,
   * which names what is wrong.
   */
  private async searchNative(opened: OpenedFile[], signal: AbortSignal): Promise<void> {
    const paths = await localPaths(opened);
    this.throwIfCancelled();
    const footers: Awaited<ReturnType<SearchRun['localFooter']>>[] = [];
    await forEachLimited(
      opened,
      FOOTERS_AT_ONCE,
      async (file, _s, i) => {
        const path = paths[i];
        if (path !== null && path !== undefined) footers[i] = await this.localFooter({ ...file, path });
      },
      { signal, cancelledMessage: 'The search was cancelled' },
    );
    const groups = new Map<string, ReadyFile[]>();
    for (const [i, file] of opened.entries()) {
      const path = paths[i] ?? null;
      const footer = footers[i];
      if (path === null || footer === undefined) {
        await this.searchOne(file, signal);
        continue;
      }
      const opened: LocalFile = { ...file, path };
      this.stats.localFiles++;
      if ('error' in footer) {
        this.problem(
          opened.file.key,
          footer.unreadable
            ? {
                kind: 'unreadable',
                message: `Could not be read: ${errorMessage(footer.error)}. The search went on without it.`,
              }
            : await diagnose(opened.store, opened.file.key, footer.size, footer.error),
        );
        this.fileDone();
        continue;
      }
      const { metadata, schema, size, etag } = footer;
      this.seen.push(typesSeen(this.plan, opened.file, schema.types));
      const verdict = schemaVerdict(this.plan, schema.types);
      for (const p of verdict.problems) this.problem(opened.file.key, p);
      const kept = verdict.skip
        ? []
        : metadata.row_groups.flatMap((g, index) => (groupMayMatch(this.plan, g, schema) ? [index] : []));
      if (kept.length === 0) {
        if (!verdict.skip) this.stats.rowGroupsSkipped += metadata.row_groups.length;
        this.fileDone();
        continue;
      }
      const ready: ReadyFile = { ...opened, size, etag, metadata, schema, kept };
      const signature = filterSignature(this.plan, schema);
      const group = groups.get(signature);
      if (group) group.push(ready);
      else groups.set(signature, [ready]);
    }
    this.report();
    for (const files of groups.values()) {
      this.throwIfCancelled();
      if (signal.aborted || this.limited) return;
      await this.queryFiles(files, signal);
    }
  }

  private fileDone(): void {
    this.stats.filesScanned++;
  }

  /** The footer of a local file, from what is kept when the file has not changed since; or why it cannot be read. */
  private async localFooter(
    opened: LocalFile,
  ): Promise<(LocalFooter & { size: number; etag: string }) | { error: unknown; size: number; unreadable: boolean }> {
    const { file, store, source, path } = opened;
    let info = { size: file.size, etag: file.etag ?? '' };
    try {
      // As searchOne: a cached copy is taken as it is on disk, not as the bucket listed it.
      if (file.etag === null || source === 'cache') info = await store.head(file.key);
      const known = this.footers.get(path, info.size, info.etag);
      if (known) return { ...known, size: info.size, etag: info.etag };
      const buffer = await openParquetBuffer(store, file.key, info);
      try {
        const metadata = await parquetMetadataAsync(buffer.buffer, { initialFetchSize: FOOTER_FETCH_BYTES });
        const footer = { metadata, schema: fileSchema(metadata) };
        this.footers.set(path, info.size, info.etag, footer);
        return { ...footer, size: info.size, etag: info.etag };
      } catch (error) {
        return { error, size: info.size, unreadable: false };
      } finally {
        this.stats.bytesRead += buffer.read();
        await buffer.close();
      }
    } catch (error) {
      return { error, size: info.size, unreadable: true };
    }
  }

  /**
   * One query for files alike: the first candidates up to what the limit still
   * wants, then more while candidates fail the row test and the result was full.
   */
  private async queryFiles(files: ReadyFile[], signal: AbortSignal): Promise<void> {
    const byPath = new Map(files.map((f, i) => [f.path, { ready: f, order: i }]));
    const condition = candidateCondition(this.plan, files[0]!.schema);
    const handed = new Map<ReadyFile, Set<number>>();
    // One more than the limit still wants: that one says whether the search stopped at its limit.
    let limit = Math.max(1, this.plan.criteria.limit - this.found + 1);
    try {
      for (;;) {
        const sql = candidateSql(files, condition, limit);
        const rows = await this.queries.run(() => this.options.warehouse!.scan(sql, signal));
        const candidates = new Map<ReadyFile, number[]>();
        for (const row of rows) {
          const at = byPath.get(String(row.filename));
          if (!at) throw new Error(`DuckDB named a file not asked for: ${String(row.filename)}`);
          const list = candidates.get(at.ready);
          if (list) list.push(Number(row.row));
          else candidates.set(at.ready, [Number(row.row)]);
        }
        for (const ready of files) {
          const found = candidates.get(ready);
          if (!found) continue;
          let done = handed.get(ready);
          if (!done) handed.set(ready, (done = new Set()));
          const fresh = found.filter((r) => !done.has(r)).sort((a, b) => a - b);
          if (!(await this.readCandidates(ready, fresh, done))) break;
        }
        if (rows.length < limit || this.limited) break;
        limit *= 4;
      }
    } catch (err) {
      if ((err instanceof WorkbenchError && err.code === 'cancelled') || signal.aborted) {
        this.throwIfCancelled();
        throw err;
      }
      // DuckDB could not read these files as one: hyparquet reads each and names what is wrong.
      for (const ready of files) {
        this.stats.localFiles--;
        await this.searchOne(ready, signal, { rows: handed.get(ready) ?? new Set() });
      }
      return;
    }
    for (const ready of files) {
      this.stats.rowGroupsScanned += ready.kept.length;
      this.stats.rowGroupsSkipped += ready.metadata.row_groups.length - ready.kept.length;
      for (const index of ready.kept) {
        const group = ready.metadata.row_groups[index]!;
        this.stats.rowsScanned += Number(group.num_rows);
        // What DuckDB read: the tested columns' chunks of the row groups left in.
        for (const chunk of group.columns) {
          const name = chunk.meta_data?.path_in_schema.join('.');
          if (name !== undefined && this.plan.testColumns.has(name)) {
            this.stats.bytesRead += Number(chunk.meta_data?.total_compressed_size ?? 0);
          }
        }
      }
      this.fileDone();
    }
    this.report();
  }

  /** Reads candidate rows of one file (sorted) and hands out those the row test keeps; false at the limit. */
  private async readCandidates(ready: ReadyFile, rows: number[], handed: Set<number>): Promise<boolean> {
    if (rows.length === 0) return true;
    const test = rowTest(this.plan, ready.schema);
    const buffer = await openParquetBuffer(ready.store, ready.file.key, { size: ready.size, etag: ready.etag });
    try {
      let start = 0;
      let next = 0;
      for (const [index, group] of ready.metadata.row_groups.entries()) {
        const end = start + Number(group.num_rows);
        const inGroup: number[] = [];
        while (next < rows.length && rows[next]! < end) inGroup.push(rows[next++]!);
        if (inGroup.length) {
          const first = inGroup[0]!;
          const full = await parquetReadObjects({
            file: buffer.buffer,
            metadata: ready.metadata,
            rowStart: first,
            rowEnd: inGroup.at(-1)! + 1,
            compressors,
          });
          for (const row of inGroup) {
            handed.add(row);
            const values = full[row - first] ?? {};
            if (!test(values)) continue;
            if (!this.emit(() => toMatch(ready.file, ready.etag, index, row, values, ready.schema))) return false;
          }
        }
        start = end;
        if (next >= rows.length) break;
      }
      return true;
    } finally {
      this.stats.bytesRead += buffer.read();
      await buffer.close();
    }
  }
}

/**
 * Where each local file is on this machine: as a folder lake's listing found
 * it, else asked of each store for all its files at once. Null for a file to
 * read the other way: one the store refuses (reading it says why), or a path
 * DuckDB would take for a glob.
 */
async function localPaths(opened: readonly OpenedFile[]): Promise<(string | null)[]> {
  const usable = (path: unknown): path is string =>
    typeof path === 'string' && !GLOB_CHARACTERS.test(path) && !path.includes('\0');
  const paths: (string | null)[] = opened.map(() => null);
  const byStore = new Map<ObjectStore, number[]>();
  for (const [i, file] of opened.entries()) {
    // Read from the folder that listed it: the listing already took it as a regular file in real folders.
    if (file.source === 'local' && file.file.localPath !== undefined) {
      if (usable(file.file.localPath)) paths[i] = file.file.localPath;
      continue;
    }
    const indexes = byStore.get(file.store);
    if (indexes) indexes.push(i);
    else byStore.set(file.store, [i]);
  }
  await Promise.all(
    [...byStore].map(async ([store, indexes]) => {
      const found = await store.localPaths!(indexes.map((i) => opened[i]!.file.key));
      for (const [n, i] of indexes.entries()) {
        const path = found[n];
        if (usable(path)) paths[i] = path;
      }
    }),
  );
  return paths;
}

function toMatch(
  file: SearchFile,
  etag: string,
  rowGroup: number,
  row: number,
  values: Record<string, unknown>,
  schema: FileSchema,
): InspectorMatch {
  const fields: InspectorField[] = schema.names.map((name) => ({
    name,
    type: schema.types.get(name) ?? 'UNKNOWN',
    value: toCell(values[name]),
  }));
  const text = (name: string) => {
    const v = toCell(values[name]);
    return v === null ? null : String(v);
  };
  return {
    pipelineId: file.pipelineId,
    date: file.date,
    key: file.key,
    etag,
    rowGroup,
    row,
    recordId: text('record_id'),
    seriesId: text('series_id'),
    ts: text('ts'),
    fields,
  };
}

/** Reads one row of a file, wherever it is, as a match. */
export async function readRecord(
  target: SearchTarget,
  key: string,
  row: number,
): Promise<{ match: InspectorMatch; size: number; source: Source }> {
  const parsed = BRONZE_KEY.exec(key);
  if (!parsed)
    throw new WorkbenchError('bad_request', `${key} is not a Bronze file (bronze/<pipeline>/date=…/….parquet)`);
  const { store, source } = await target.open(key);
  const opened = await openParquetBuffer(store, key);
  try {
    const { buffer, size, etag } = opened;
    let metadata: FileMetaData;
    try {
      metadata = await parquetMetadataAsync(buffer, { initialFetchSize: FOOTER_FETCH_BYTES });
    } catch (err) {
      const why = await diagnose(store, key, size, err);
      throw new WorkbenchError('bad_request', `${key}: ${why.message}`);
    }
    if (row >= Number(metadata.num_rows)) {
      throw new WorkbenchError('not_found', `${key} has ${metadata.num_rows} rows; there is no row ${row}`);
    }
    let start = 0;
    let rowGroup = 0;
    for (const [index, group] of metadata.row_groups.entries()) {
      if (row < start + Number(group.num_rows)) {
        rowGroup = index;
        break;
      }
      start += Number(group.num_rows);
    }
    const [values] = await parquetReadObjects({ file: buffer, metadata, rowStart: row, rowEnd: row + 1, compressors });
    const file: SearchFile = { key, size, etag, pipelineId: parsed[1]!, date: parsed[2] ?? null };
    return { match: toMatch(file, etag, rowGroup, row, values ?? {}, fileSchema(metadata)), size, source };
  } finally {
    await opened.close();
  }
}
