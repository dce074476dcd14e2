/**
 * Finds Bronze records across many Parquet files without a warehouse: prunes
 * by partition (pipeline, `date=`) and by row-group min/max statistics read
 * from each footer, then reads only the row groups that may match, through
 * byte ranges (a local file, a cached one, or the object store). hyparquet
 * decodes; matches are handed out as they are found.
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
import type { ObjectStore } from '../objectStore/ObjectStore';
import { openParquetBuffer, toCell, type ParquetBuffer } from '../parquet/ParquetFile';

/** A search reads many footers: ask for a typical footer's size (hyparquet fetches the rest of a larger one). */
const FOOTER_FETCH_BYTES = 16 * 1024;
const BRONZE_KEY = /^bronze\/([^/]+)\/(?:date=(\d{4}-\d{2}-\d{2})\/)?[^/]+\.parquet$/;
const DAY_MS = 86_400_000;
/** The columns the contract promises in every Bronze file. */
export const COMMON_COLUMNS = ['record_id', 'pipeline_id', 'series_id', 'ts', 'ingested_at', 'raw'] as const;

export interface SearchFile {
  key: string;
  size: number;
  /** From the listing; null when not known (then the store is asked). */
  etag: string | null;
  pipelineId: string;
  date: string | null;
}

/** Where the files are listed and read: a folder lake, a cache, or a bucket. */
export interface SearchTarget {
  list(prefix: string, signal?: AbortSignal): Promise<{ key: string; size: number; etag: string }[]>;
  open(key: string): Promise<{ store: ObjectStore; source: 'local' | 'cache' | 'store' }>;
}

export interface SearchOptions {
  target: SearchTarget;
  criteria: InspectorCriteria;
  signal?: AbortSignal;
  /** Landing days to read, when the caller knows better than the contract allows (neighbours, lineage). */
  landingDays?: { from: string; to: string };
  concurrency?: number;
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

type Element = FileMetaData['schema'][number];

/** The type as DuckDB would name it, which is what users see elsewhere in the workbench. */
export function parquetTypeName(element: Element): string {
  const logical = element.logical_type as { type: string; isAdjustedToUTC?: boolean } | undefined;
  if (logical?.type === 'TIMESTAMP') return logical.isAdjustedToUTC ? 'TIMESTAMPTZ' : 'TIMESTAMP';
  if (logical?.type === 'STRING' || element.converted_type === 'UTF8') return 'VARCHAR';
  if (logical?.type === 'DATE' || element.converted_type === 'DATE') return 'DATE';
  if (logical?.type === 'DECIMAL' || element.converted_type === 'DECIMAL') return 'DECIMAL';
  if (element.converted_type?.startsWith('TIMESTAMP')) return 'TIMESTAMP';
  switch (element.type) {
    case 'INT32':
      return 'INTEGER';
    case 'INT64':
      return 'BIGINT';
    case 'DOUBLE':
      return 'DOUBLE';
    case 'FLOAT':
      return 'FLOAT';
    case 'BOOLEAN':
      return 'BOOLEAN';
    case 'BYTE_ARRAY':
      return 'BLOB';
    default:
      return element.type ?? 'UNKNOWN';
  }
}

/** Milliseconds since the epoch of a timestamp value or statistic, whatever hyparquet gave. */
function timeMs(value: unknown, element: Element | undefined): number | null {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'bigint' || typeof value === 'number') {
    const unit = (element?.logical_type as { unit?: string } | undefined)?.unit;
    const n = Number(value);
    if (unit === 'NANOS') return n / 1e6;
    if (unit === 'MILLIS' || element?.converted_type === 'TIMESTAMP_MILLIS') return n;
    return n / 1e3;
  }
  if (typeof value === 'string') {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? null : ms;
  }
  return null;
}

function compare(value: unknown, op: string, wanted: string, type: string): boolean {
  if (op === 'is null') return value === null || value === undefined;
  if (op === 'is not null') return value !== null && value !== undefined;
  if (value === null || value === undefined) return false;
  if (op === 'contains') return String(toCell(value)).toLowerCase().includes(wanted.toLowerCase());
  let a: number | string;
  let b: number | string;
  if (type.startsWith('TIMESTAMP') || value instanceof Date) {
    a = timeMs(value, undefined) ?? NaN;
    b = Date.parse(wanted);
  } else if (typeof value === 'number' || typeof value === 'bigint') {
    a = Number(value);
    b = Number(wanted);
  } else {
    a = String(toCell(value));
    b = wanted;
  }
  if (typeof a === 'number' && (Number.isNaN(a) || Number.isNaN(b as number))) return false;
  switch (op) {
    case '=':
      return a === b;
    case '!=':
      return a !== b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    default:
      return false;
  }
}

/** The UTC day of an instant, YYYY-MM-DD. */
function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
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

/**
 * Runs one search to its end, the limit, or cancel. Resolves with the counts;
 * matches, problems and progress go to the callbacks as they happen.
 */
export async function searchBronze(options: SearchOptions): Promise<{ stats: InspectorStats; limited: boolean }> {
  const { target, criteria, signal } = options;
  const stats = emptyStats();
  const report = () => options.onProgress?.({ ...stats });
  const checkCancel = () => {
    if (signal?.aborted) throw new WorkbenchError('cancelled', 'The search was cancelled');
  };
  const fromMs = criteria.from === null ? null : Date.parse(criteria.from);
  const toMs = criteria.to === null ? null : Date.parse(criteria.to);
  // ingested_at >= ts, so a record lands on its event day or later: earlier days cannot hold it.
  const firstDay = options.landingDays?.from ?? (fromMs === null ? null : dayOf(fromMs));
  const lastDay = options.landingDays?.to ?? null;

  const prefixes = criteria.pipelines.length ? criteria.pipelines.map((p) => `bronze/${p}/`) : ['bronze/'];
  const files: SearchFile[] = [];
  for (const prefix of prefixes) {
    for (const object of await target.list(prefix, signal)) {
      const match = BRONZE_KEY.exec(object.key);
      if (!match) continue;
      files.push({
        key: object.key,
        size: object.size,
        etag: object.etag,
        pipelineId: match[1]!,
        date: match[2] ?? null,
      });
    }
  }
  files.sort((a, b) => (a.date ?? '').localeCompare(b.date ?? '') || a.key.localeCompare(b.key));
  stats.filesTotal = files.length;
  const wanted = files.filter((f) => {
    if (f.date === null) return true;
    return (firstDay === null || f.date >= firstDay) && (lastDay === null || f.date <= lastDay);
  });
  stats.filesSkipped = files.length - wanted.length;
  report();

  let found = 0;
  let limited = false;
  const seenTypes = new Map<string, Map<string, string>>();
  const text = criteria.text?.toLowerCase() ?? null;
  // Columns the row test needs: read first, the whole rows only where something matched.
  const testColumns = new Set<string>();
  if (criteria.recordId !== null) testColumns.add('record_id');
  if (criteria.seriesId !== null) testColumns.add('series_id');
  if (fromMs !== null || toMs !== null) testColumns.add('ts');
  if (text !== null) testColumns.add('raw');
  for (const p of criteria.predicates) testColumns.add(p.field);

  const searchFile = async (file: SearchFile) => {
    const { store, source } = await target.open(file.key);
    const opened = await openParquetBuffer(
      store,
      file.key,
      // A cached copy may be stale (another size): only the listed store's own files are taken as listed.
      file.etag === null || source === 'cache' ? undefined : { size: file.size, etag: file.etag },
    );
    try {
      await searchOpened(file, store, source, opened);
    } finally {
      await opened.close();
    }
  };

  const searchOpened = async (
    file: SearchFile,
    store: ObjectStore,
    source: 'local' | 'cache' | 'store',
    { buffer, read, size, etag }: ParquetBuffer,
  ) => {
    const addBytes = (() => {
      let counted = 0;
      return () => {
        stats.bytesRead += read() - counted;
        counted = read();
      };
    })();
    if (source === 'store') stats.remoteFiles++;
    else stats.localFiles++;
    let metadata: FileMetaData;
    try {
      metadata = await parquetMetadataAsync(buffer, { initialFetchSize: FOOTER_FETCH_BYTES });
    } catch (err) {
      addBytes();
      options.onProblem?.({ key: file.key, ...(await diagnose(store, file.key, size, err)) });
      return;
    }
    addBytes();
    const leaves = metadata.schema.slice(1);
    const elements = new Map(leaves.map((e) => [e.name, e]));
    const types = new Map(leaves.map((e) => [e.name, parquetTypeName(e)]));

    // Drift: a column the search tests whose type differs from other files of the pipeline is named, and
    // searched as is. Drift in columns the search does not test is no problem of this search's answer
    // (the demo's humidity day would otherwise read "1 file has problems" for every record-id search).
    let known = seenTypes.get(file.pipelineId);
    if (!known) seenTypes.set(file.pipelineId, (known = new Map()));
    const drift: string[] = [];
    for (const [name, type] of types) {
      const before = known.get(name);
      if (before === undefined) known.set(name, type);
      else if (before !== type && testColumns.has(name))
        drift.push(`${name} is ${type} here but ${before} in other files`);
    }
    const missing = COMMON_COLUMNS.filter((c) => !types.has(c));
    if (missing.length) {
      const needed = missing.filter((c) => testColumns.has(c));
      options.onProblem?.({
        key: file.key,
        kind: 'schema',
        message:
          `Lacks ${missing.join(', ')}, which every Bronze file must have` +
          (needed.length ? '; skipped, as the search needs them.' : '; searched without them.') +
          ' Report it to the pipeline owner.',
      });
      if (needed.length) {
        addBytes();
        return;
      }
    }
    if (drift.length) {
      options.onProblem?.({
        key: file.key,
        kind: 'schema',
        message: `Schema drift: ${drift.join('; ')}. Searched with this file's own types.`,
      });
    }

    const testRow = (row: Record<string, unknown>): boolean => {
      if (criteria.recordId !== null && row.record_id !== criteria.recordId) return false;
      if (criteria.seriesId !== null && row.series_id !== criteria.seriesId) return false;
      if (fromMs !== null || toMs !== null) {
        const ts = timeMs(row.ts, elements.get('ts'));
        if (ts === null) return false;
        if (fromMs !== null && ts < fromMs) return false;
        if (toMs !== null && ts >= toMs) return false;
      }
      if (text !== null && (typeof row.raw !== 'string' || !row.raw.toLowerCase().includes(text))) return false;
      for (const p of criteria.predicates) {
        if (!compare(row[p.field], p.op, p.value, types.get(p.field) ?? 'NULL')) return false;
      }
      return true;
    };
    const readable = [...testColumns].filter((c) => types.has(c));

    let groupStart = 0;
    for (const [index, group] of metadata.row_groups.entries()) {
      const rows = Number(group.num_rows);
      const start = groupStart;
      groupStart += rows;
      checkCancel();
      if (limited) return;
      if (!groupMayMatch(group, elements, criteria, fromMs, toMs)) {
        stats.rowGroupsSkipped++;
        continue;
      }
      let hits: number[];
      try {
        if (readable.length === 0 && testColumns.size === 0) {
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
          hits = tested.flatMap((row, i) => (testRow(row) ? [i] : []));
        }
        stats.rowGroupsScanned++;
        stats.rowsScanned += rows;
        if (hits.length) {
          const first = hits[0]!;
          const last = hits.at(-1)!;
          const full = await parquetReadObjects({
            file: buffer,
            metadata,
            rowStart: start + first,
            rowEnd: start + last + 1,
            compressors,
          });
          for (const hit of hits) {
            if (found >= criteria.limit) {
              limited = true;
              break;
            }
            found++;
            options.onMatch?.(
              toMatch(
                file,
                etag,
                index,
                start + hit,
                full[hit - first] ?? {},
                leaves.map((e) => e.name),
                types,
              ),
            );
          }
        }
      } catch (err) {
        if (err instanceof WorkbenchError) throw err;
        addBytes();
        options.onProblem?.({
          key: file.key,
          kind: 'corrupt',
          message: `Row group ${index} could not be read (${errorMessage(err)}); the rest of the file was searched. Ask the pipeline owner to re-land this batch.`,
        });
        continue;
      } finally {
        addBytes();
        report();
      }
    }
  };

  const queue = [...wanted];
  const worker = async () => {
    for (let file = queue.shift(); file && !limited; file = queue.shift()) {
      checkCancel();
      try {
        await searchFile(file);
      } catch (err) {
        if (err instanceof WorkbenchError && err.code === 'cancelled') throw err;
        if (signal?.aborted) throw new WorkbenchError('cancelled', 'The search was cancelled');
        options.onProblem?.({
          key: file.key,
          kind: 'unreadable',
          message: `Could not be read: ${errorMessage(err)}. The search went on without it.`,
        });
      }
      stats.filesScanned++;
      report();
    }
  };
  // Enough files at once to hide a store's request latency; local reads gain little past a few.
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 8) }, worker));
  checkCancel();
  return { stats: { ...stats }, limited };
}

/** False when the row group's statistics prove no row can match. Missing statistics mean "read it". */
function groupMayMatch(
  group: FileMetaData['row_groups'][number],
  elements: Map<string, Element>,
  criteria: InspectorCriteria,
  fromMs: number | null,
  toMs: number | null,
): boolean {
  const statsOf = (name: string) =>
    group.columns.find((c) => c.meta_data?.path_in_schema.join('.') === name)?.meta_data?.statistics;
  const outside = (name: string, wanted: string) => {
    const s = statsOf(name);
    const min = s?.min_value ?? s?.min;
    const max = s?.max_value ?? s?.max;
    if (typeof min !== 'string' || typeof max !== 'string') return false;
    return wanted < min || wanted > max;
  };
  if (criteria.recordId !== null && outside('record_id', criteria.recordId)) return false;
  if (criteria.seriesId !== null && outside('series_id', criteria.seriesId)) return false;
  if (fromMs !== null || toMs !== null) {
    const s = statsOf('ts');
    const min = timeMs(s?.min_value ?? s?.min, elements.get('ts'));
    const max = timeMs(s?.max_value ?? s?.max, elements.get('ts'));
    if (min !== null && max !== null) {
      if (fromMs !== null && max < fromMs) return false;
      if (toMs !== null && min >= toMs) return false;
    }
  }
  return true;
}

function toMatch(
  file: SearchFile,
  etag: string,
  rowGroup: number,
  row: number,
  values: Record<string, unknown>,
  names: string[],
  types: Map<string, string>,
): InspectorMatch {
  const fields: InspectorField[] = names.map((name) => ({
    name,
    type: types.get(name) ?? 'UNKNOWN',
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
): Promise<{ match: InspectorMatch; size: number; source: 'local' | 'cache' | 'store' }> {
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
    const leaves = metadata.schema.slice(1);
    const types = new Map(leaves.map((e) => [e.name, parquetTypeName(e)]));
    const [values] = await parquetReadObjects({ file: buffer, metadata, rowStart: row, rowEnd: row + 1, compressors });
    const file: SearchFile = { key, size, etag, pipelineId: parsed[1]!, date: parsed[2] ?? null };
    const match = toMatch(
      file,
      etag,
      rowGroup,
      row,
      values ?? {},
      leaves.map((e) => e.name),
      types,
    );
    return { match, size, source };
  } finally {
    await opened.close();
  }
}

/** Landing days that can hold records with event time in [fromMs, toMs]: late arrivals land up to `lateDays` after. */
export function landingDaysFor(fromMs: number, toMs: number, lateDays: number): { from: string; to: string } {
  return { from: dayOf(fromMs), to: dayOf(toMs + lateDays * DAY_MS) };
}
