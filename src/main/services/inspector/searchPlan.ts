/**
 * The pure half of a record search: which files to read (pipeline and `date=`
 * partitions), which row groups their statistics rule out, what a file's
 * schema says about the search, the row test, and the SQL native DuckDB runs
 * over local files. No I/O here: the executor (BronzeSearch) does the reading.
 */
import type { FileMetaData } from 'hyparquet';
import type { InspectorCriteria, InspectorProblem } from '../../../shared/api/inspector';
import { quoteIdent, quoteLiteral } from '../../../shared/sql';
import { DAY_MS, utcDayOf } from '../../../shared/utcDays';
import { toCell } from '../parquet/ParquetFile';

export const BRONZE_KEY = /^bronze\/([^/]+)\/(?:date=(\d{4}-\d{2}-\d{2})\/)?[^/]+\.parquet$/;
/** The columns the contract promises in every Bronze file. */
export const COMMON_COLUMNS = ['record_id', 'pipeline_id', 'series_id', 'ts', 'ingested_at', 'raw'] as const;

export type Element = FileMetaData['schema'][number];
export type RowGroup = FileMetaData['row_groups'][number];

export interface SearchFile {
  key: string;
  size: number;
  /** From the listing; null when not known (then the store is asked). */
  etag: string | null;
  pipelineId: string;
  date: string | null;
  /** Where a folder lake's listing found the file on this machine (see ObjectInfo.localPath). */
  localPath?: string;
}

export interface ListedObject {
  key: string;
  size: number;
  etag: string;
  localPath?: string;
}

export interface SearchPlan {
  criteria: InspectorCriteria;
  fromMs: number | null;
  toMs: number | null;
  /** Files that may hold matches, in reading order: landing day, then key. */
  files: SearchFile[];
  /** Bronze files listed under the searched pipelines. */
  filesTotal: number;
  /** Left out by their `date=` partition. */
  filesSkipped: number;
  /** Columns the row test reads. */
  testColumns: ReadonlySet<string>;
}

/** Landing days that can hold records with event time in [fromMs, toMs]: late arrivals land up to `lateDays` after. */
export function landingDaysFor(fromMs: number, toMs: number, lateDays: number): { from: string; to: string } {
  return { from: utcDayOf(fromMs), to: utcDayOf(toMs + lateDays * DAY_MS) };
}

/** Where to list: the searched pipelines' folders, or all of Bronze. */
export function searchPrefixes(criteria: InspectorCriteria): string[] {
  return criteria.pipelines.length ? criteria.pipelines.map((p) => `bronze/${p}/`) : ['bronze/'];
}

/**
 * The files to read out of a listing. `landingDays` overrides what the
 * criteria allow (neighbours and lineage know the late-arrival window).
 */
export function planSearch(
  criteria: InspectorCriteria,
  listed: readonly ListedObject[],
  landingDays?: { from: string; to: string },
): SearchPlan {
  const fromMs = criteria.from === null ? null : Date.parse(criteria.from);
  const toMs = criteria.to === null ? null : Date.parse(criteria.to);
  // ingested_at >= ts, so a record lands on its event day or later: earlier days cannot hold it.
  const firstDay = landingDays?.from ?? (fromMs === null ? null : utcDayOf(fromMs));
  const lastDay = landingDays?.to ?? null;
  const all: SearchFile[] = [];
  for (const object of listed) {
    const match = BRONZE_KEY.exec(object.key);
    if (!match) continue;
    all.push({ ...object, pipelineId: match[1]!, date: match[2] ?? null });
  }
  all.sort((a, b) => (a.date ?? '').localeCompare(b.date ?? '') || a.key.localeCompare(b.key));
  const files = all.filter(
    (f) => f.date === null || ((firstDay === null || f.date >= firstDay) && (lastDay === null || f.date <= lastDay)),
  );
  const testColumns = new Set<string>();
  if (criteria.recordId !== null) testColumns.add('record_id');
  if (criteria.seriesId !== null) testColumns.add('series_id');
  if (fromMs !== null || toMs !== null) testColumns.add('ts');
  if (criteria.text !== null) testColumns.add('raw');
  for (const p of criteria.predicates) testColumns.add(p.field);
  return {
    criteria,
    fromMs,
    toMs,
    files,
    filesTotal: all.length,
    filesSkipped: all.length - files.length,
    testColumns,
  };
}

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
export function timeMs(value: unknown, element: Element | undefined): number | null {
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

/** A file's columns as the search sees them. */
export interface FileSchema {
  elements: Map<string, Element>;
  /** Column name → type as DuckDB names it. */
  types: Map<string, string>;
  names: string[];
  /** Equal for files whose schemas are the same, column for column. */
  shape: string;
}

export function fileSchema(metadata: Pick<FileMetaData, 'schema'>): FileSchema {
  const leaves = metadata.schema.slice(1);
  return {
    elements: new Map(leaves.map((e) => [e.name, e])),
    types: new Map(leaves.map((e) => [e.name, parquetTypeName(e)])),
    names: leaves.map((e) => e.name),
    shape: JSON.stringify(
      metadata.schema.map((e) => [e.name, e.type, e.converted_type, e.logical_type, e.repetition_type, e.num_children]),
      (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value),
    ),
  };
}

/** The test every match passes, whichever engine found its candidates: the one definition of a match. */
export function rowTest(plan: SearchPlan, schema: FileSchema): (row: Record<string, unknown>) => boolean {
  const { criteria, fromMs, toMs } = plan;
  const text = criteria.text?.toLowerCase() ?? null;
  const tsElement = schema.elements.get('ts');
  return (row) => {
    if (criteria.recordId !== null && row.record_id !== criteria.recordId) return false;
    if (criteria.seriesId !== null && row.series_id !== criteria.seriesId) return false;
    if (fromMs !== null || toMs !== null) {
      const ts = timeMs(row.ts, tsElement);
      if (ts === null) return false;
      if (fromMs !== null && ts < fromMs) return false;
      if (toMs !== null && ts >= toMs) return false;
    }
    if (text !== null && (typeof row.raw !== 'string' || !row.raw.toLowerCase().includes(text))) return false;
    for (const p of criteria.predicates) {
      if (!compare(row[p.field], p.op, p.value, schema.types.get(p.field) ?? 'NULL')) return false;
    }
    return true;
  };
}

/** False when the row group's statistics prove no row can match. Missing statistics mean "read it". */
export function groupMayMatch(plan: SearchPlan, group: RowGroup, schema: FileSchema): boolean {
  const { criteria, fromMs, toMs } = plan;
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
    const tsElement = schema.elements.get('ts');
    const min = timeMs(s?.min_value ?? s?.min, tsElement);
    const max = timeMs(s?.max_value ?? s?.max, tsElement);
    if (min !== null && max !== null) {
      if (fromMs !== null && max < fromMs) return false;
      if (toMs !== null && min >= toMs) return false;
    }
  }
  return true;
}

/** The types of a file's tested columns, noted as it is read: drift is judged over all of them at the end. */
export interface TypesSeen {
  key: string;
  pipelineId: string;
  /** Tested column → type, for the columns the file has. */
  types: Map<string, string>;
}

/**
 * Problems with a file's columns: the contract columns it lacks, and whether
 * the search must skip it for that (it lacks a column the search tests).
 */
export function schemaVerdict(
  plan: SearchPlan,
  types: Map<string, string>,
): { problems: Omit<InspectorProblem, 'key'>[]; skip: boolean } {
  const missing = COMMON_COLUMNS.filter((c) => !types.has(c));
  if (!missing.length) return { problems: [], skip: false };
  const needed = missing.filter((c) => plan.testColumns.has(c));
  const message =
    `Lacks ${missing.join(', ')}, which every Bronze file must have` +
    (needed.length ? '; skipped, as the search needs them.' : '; searched without them.') +
    ' Report it to the pipeline owner.';
  return { problems: [{ kind: 'schema', message }], skip: needed.length > 0 };
}

/** What drift is judged on: the tested columns' types of a file. */
export function typesSeen(plan: SearchPlan, file: SearchFile, types: Map<string, string>): TypesSeen {
  return {
    key: file.key,
    pipelineId: file.pipelineId,
    types: new Map([...types].filter(([name]) => plan.testColumns.has(name))),
  };
}

/**
 * Schema drift in the tested columns, per pipeline: a file whose type for a
 * column differs from the type most files read have (ties: the earliest file
 * by key) is named, whichever order the files were read in. Drift in columns
 * the search does not test is no problem of its answer.
 */
export function driftProblems(seen: readonly TypesSeen[]): InspectorProblem[] {
  const files = [...seen].sort((a, b) => a.key.localeCompare(b.key));
  const usual = new Map<string, string>();
  const counts = new Map<string, Map<string, number>>();
  for (const file of files) {
    for (const [name, type] of file.types) {
      const column = `${file.pipelineId}\0${name}`;
      let byType = counts.get(column);
      if (!byType) counts.set(column, (byType = new Map()));
      byType.set(type, (byType.get(type) ?? 0) + 1);
    }
  }
  for (const [column, byType] of counts) {
    // Map order is first-seen order, so a tie goes to the earliest file's type.
    let best: [string, number] | null = null;
    for (const entry of byType) if (!best || entry[1] > best[1]) best = entry;
    usual.set(column, best![0]);
  }
  const problems: InspectorProblem[] = [];
  for (const file of files) {
    const drift: string[] = [];
    for (const [name, type] of file.types) {
      const other = usual.get(`${file.pipelineId}\0${name}`)!;
      if (other !== type) drift.push(`${name} is ${type} here but ${other} in other files`);
    }
    if (drift.length) {
      problems.push({
        key: file.key,
        kind: 'schema',
        message: `Schema drift: ${drift.join('; ')}. Searched with this file's own types.`,
      });
    }
  }
  return problems;
}

/**
 * How native DuckDB sees a tested column, as far as the SQL filter cares: the
 * filter is only written for kinds whose SQL comparison keeps every row the
 * row test keeps. Anything else is left to the row test.
 */
type ColumnKind = 'missing' | 'text' | 'number' | 'timestamptz' | 'timestamp' | 'other';

function columnKind(element: Element | undefined): ColumnKind {
  if (!element) return 'missing';
  if (element.num_children || element.repetition_type === 'REPEATED') return 'other';
  const logical = element.logical_type;
  if (logical?.type === 'TIMESTAMP') {
    // Nanoseconds come back as TIMESTAMP_NS, whose comparison with a TIMESTAMPTZ goes through the time zone.
    if (logical.unit === 'NANOS') return 'other';
    return logical.isAdjustedToUTC ? 'timestamptz' : 'timestamp';
  }
  if (element.type === 'BYTE_ARRAY' && (logical?.type === 'STRING' || element.converted_type === 'UTF8')) return 'text';
  const plainNumber =
    (logical === undefined || logical.type === 'INTEGER') &&
    (element.converted_type === undefined || /^U?INT_/.test(element.converted_type));
  if (plainNumber && ['INT32', 'INT64', 'FLOAT', 'DOUBLE'].includes(element.type ?? '')) return 'number';
  return 'other';
}

/** The kinds of the tested columns: files alike here can share one SQL filter. */
export function filterSignature(plan: SearchPlan, schema: FileSchema): string {
  return [...plan.testColumns].map((c) => `${c}:${columnKind(schema.elements.get(c))}`).join(',');
}

const ASCII = /^[\x20-\x7e]*$/;

function timeLiteral(kind: 'timestamptz' | 'timestamp', ms: number): string {
  const iso = new Date(ms).toISOString();
  // A plain TIMESTAMP holds UTC wall time, as the row test reads it.
  return kind === 'timestamptz'
    ? `TIMESTAMPTZ ${quoteLiteral(iso)}`
    : `TIMESTAMP ${quoteLiteral(iso.slice(0, 23).replace('T', ' '))}`;
}

/**
 * The WHERE condition for native DuckDB over files with `schema`'s tested
 * columns. Every name and value is a quoted identifier or literal, and each
 * part keeps at least the rows the row test keeps (what it cannot say exactly
 * it leaves out), so the rows it returns are candidates the row test decides.
 * Comparisons are on the bare columns so DuckDB prunes row groups by their
 * statistics.
 */
export function candidateCondition(plan: SearchPlan, schema: FileSchema): string {
  const { criteria, fromMs, toMs } = plan;
  const kind = (name: string) => columnKind(schema.elements.get(name));
  const conds: string[] = [];
  const equalText = (column: string, value: string | null) => {
    if (value !== null && kind(column) === 'text') conds.push(`${quoteIdent(column)} = ${quoteLiteral(value)}`);
  };
  equalText('record_id', criteria.recordId);
  equalText('series_id', criteria.seriesId);
  const tsKind = kind('ts');
  if (tsKind === 'timestamptz' || tsKind === 'timestamp') {
    if (fromMs !== null && Number.isFinite(fromMs)) conds.push(`ts >= ${timeLiteral(tsKind, fromMs)}`);
    if (toMs !== null && Number.isFinite(toMs)) conds.push(`ts < ${timeLiteral(tsKind, toMs)}`);
  }
  // Lower-casing differs between JavaScript and DuckDB only outside ASCII; an ASCII needle found by one is found by the other.
  if (criteria.text !== null && kind('raw') === 'text' && ASCII.test(criteria.text)) {
    conds.push(`contains(lower(raw), ${quoteLiteral(criteria.text.toLowerCase())})`);
  }
  for (const p of criteria.predicates) {
    const column = quoteIdent(p.field);
    const k = kind(p.field);
    if (p.op === 'is null') {
      if (k !== 'missing') conds.push(`${column} IS NULL`);
      continue;
    }
    // A column the file lacks is null in every row, which nothing but "is null" keeps.
    if (k === 'missing') {
      conds.push('FALSE');
      continue;
    }
    if (p.op === 'is not null') {
      conds.push(`${column} IS NOT NULL`);
      continue;
    }
    if (p.op === 'contains') {
      if (k === 'text' && ASCII.test(p.value)) {
        conds.push(`contains(lower(${column}), ${quoteLiteral(p.value.toLowerCase())})`);
      }
      continue;
    }
    if (k === 'number') {
      const n = Number(p.value);
      conds.push(Number.isNaN(n) ? 'FALSE' : `${column} ${p.op} CAST(${quoteLiteral(String(n))} AS DOUBLE)`);
    } else if (k === 'timestamptz' || k === 'timestamp') {
      const ms = Date.parse(p.value);
      conds.push(Number.isNaN(ms) ? 'FALSE' : `${column} ${p.op} ${timeLiteral(k, ms)}`);
    } else if (k === 'text' && (p.op === '=' || p.op === '!=')) {
      // Ordering differs (UTF-16 units against UTF-8 bytes); equality does not.
      conds.push(`${column} ${p.op} ${quoteLiteral(p.value)}`);
    }
  }
  return conds.length ? conds.join(' AND ') : 'TRUE';
}

/**
 * One statement: the file and row number of the first `limit` candidate rows
 * of `files`, in the order given (DuckDB keeps insertion order for a scan
 * without ORDER BY). Paths are literals, never globs: the caller keeps paths
 * with glob characters out. Files of one shape are bound by the first one's
 * schema; others by name, across all their footers.
 */
export function candidateSql(
  files: readonly { path: string; schema: FileSchema }[],
  condition: string,
  limit: number,
): string {
  const paths = `[${files.map((f) => quoteLiteral(f.path)).join(', ')}]`;
  const alike = files.every((f) => f.schema.shape === files[0]?.schema.shape);
  return (
    `SELECT filename, file_row_number::BIGINT AS row FROM read_parquet(${paths}, filename = true, ` +
    `file_row_number = true, union_by_name = ${!alike}, hive_partitioning = false) WHERE ${condition} ` +
    `LIMIT ${Math.max(1, Math.floor(limit))}`
  );
}

/** Characters DuckDB expands in a read_parquet path: such a file is read the other way. */
export const GLOB_CHARACTERS = /[*?[\]{}]/;

/**
 * Local files per native query: few at first, so a match in the first files
 * shows at once, then more, so that DuckDB's cost per query fades.
 */
export function* nativeBatches<T>(items: readonly T[], first = 4, most = 64): Generator<T[]> {
  let size = first;
  for (let at = 0; at < items.length; at += size, size = Math.min(most, size * 2)) {
    yield items.slice(at, at + size);
  }
}
