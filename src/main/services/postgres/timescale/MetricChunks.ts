/**
 * The chunks of dash.pipeline_metrics as TimescaleDB stores them, and what can
 * be known about their rows without counting them.
 *
 * A compressed chunk keeps its rows as batches in a separate table (its
 * "compressed chunk"): each batch row carries how many rows it holds
 * (`_ts_meta_count`), the min and max of the order-by columns (here `time`),
 * and the segment-by columns in plain form. So reading those few batch rows —
 * about one per thousand rows — gives exact counts per pipeline, metric or
 * series and a close count for a time range, where the planner's statistics
 * (taken before compression, or of the emptied heap after) are far off. Rows
 * inserted after compression sit in the chunk's own heap: a partly compressed
 * chunk has both.
 *
 * Only pg_catalog functions and TimescaleDB's catalog are used here, never the
 * extension's own functions: a role without USAGE on the extension's schema
 * can still estimate.
 */
import type pg from 'pg';
import { quoteLiteral } from '../../../../shared/sql';

/** The hypertable the contract defines. */
export const METRICS_HYPERTABLE = { schema: 'dash', name: 'pipeline_metrics' } as const;

export type ChunkCompression = 'none' | 'compressed' | 'partial';

/** How a compressed chunk's batch table is laid out (it varies between TimescaleDB releases and settings). */
export interface BatchLayout {
  /** The batch table, as SQL. */
  table: string;
  /** Columns stored plainly, one value per batch: the segment-by columns. */
  segmentBy: string[];
  /** The batch's min and max `time` (quoted SQL), when `time` is an order-by column with metadata. */
  minTime: string | null;
  maxTime: string | null;
}

export interface MetricChunk {
  schema: string;
  name: string;
  /** The chunk as SQL. */
  table: string;
  rangeStart: string;
  rangeEnd: string;
  compression: ChunkCompression;
  /** Rows in the heap as the statistics last saw them (0 when never analyzed). */
  heapRowsEstimate: number;
  heapBytes: number;
  compressedBytes: number;
  batches: BatchLayout | null;
}

/** `[start, end)`; null for an open end. ISO-8601 instants. */
export interface TimeRange {
  start: string | null;
  end: string | null;
}

/** What a question is about: null means every pipeline, metric or series. */
export interface MetricFilter {
  pipelineIds: string[] | null;
  metricNames: string[] | null;
  seriesIds: string[] | null;
}

const FILTER_COLUMNS = [
  ['pipeline_id', 'pipelineIds'],
  ['metric_name', 'metricNames'],
  ['series_id', 'seriesIds'],
] as const;

const isoSql = (column: string) => `to_json(${column}) #>> '{}'`;

/**
 * The chunks of dash.pipeline_metrics that overlap `range`, oldest first, each
 * with its compression state, sizes and batch layout.
 */
export async function metricChunks(client: pg.ClientBase | pg.Pool, range: TimeRange): Promise<MetricChunk[]> {
  const { rows } = await client.query<{
    chunk_schema: string;
    chunk_name: string;
    chunk_sql: string;
    range_start: string;
    range_end: string;
    status: number;
    compressed_sql: string | null;
    reltuples: number;
    heap_bytes: string;
    compressed_bytes: string;
  }>(
    `SELECT ch.chunk_schema, ch.chunk_name, format('%I.%I', ch.chunk_schema, ch.chunk_name) AS chunk_sql,
            ${isoSql('ch.range_start')} AS range_start, ${isoSql('ch.range_end')} AS range_end,
            c.status, CASE WHEN cc.id IS NOT NULL THEN format('%I.%I', cc.schema_name, cc.table_name) END AS compressed_sql,
            greatest(rel.reltuples, 0)::float8 AS reltuples,
            pg_total_relation_size(rel.oid)::text AS heap_bytes,
            CASE WHEN cc.id IS NULL THEN '0'
                 ELSE pg_total_relation_size(format('%I.%I', cc.schema_name, cc.table_name)::regclass)::text END
              AS compressed_bytes
     FROM timescaledb_information.chunks ch
     JOIN _timescaledb_catalog.chunk c ON c.schema_name = ch.chunk_schema AND c.table_name = ch.chunk_name
     JOIN pg_class rel ON rel.oid = format('%I.%I', ch.chunk_schema, ch.chunk_name)::regclass
     LEFT JOIN _timescaledb_catalog.chunk cc ON cc.id = c.compressed_chunk_id
     WHERE ch.hypertable_schema = $1 AND ch.hypertable_name = $2
       AND ch.range_end > coalesce($3::timestamptz, '-infinity') AND ch.range_start < coalesce($4::timestamptz, 'infinity')
     ORDER BY ch.range_start`,
    [METRICS_HYPERTABLE.schema, METRICS_HYPERTABLE.name, range.start, range.end],
  );
  const layouts = await batchLayouts(
    client,
    rows.map((r) => r.compressed_sql).filter((t): t is string => t !== null),
  );
  return rows.map((r) => {
    const batches = r.compressed_sql ? (layouts.get(r.compressed_sql) ?? null) : null;
    // Status bits: 1 compressed, 2 unordered (rows inserted after compression, before 2.10), 8 partial.
    const compression: ChunkCompression = !batches ? 'none' : (r.status & (2 | 8)) !== 0 ? 'partial' : 'compressed';
    return {
      schema: r.chunk_schema,
      name: r.chunk_name,
      table: r.chunk_sql,
      rangeStart: new Date(r.range_start).toISOString(),
      rangeEnd: new Date(r.range_end).toISOString(),
      compression,
      heapRowsEstimate: compression === 'compressed' ? 0 : Number(r.reltuples),
      heapBytes: Number(r.heap_bytes),
      compressedBytes: Number(r.compressed_bytes),
      batches,
    };
  });
}

/**
 * Reads each batch table's columns: segment-by columns are stored as their own
 * type, the others as compressed data; `time`'s min/max metadata is the one
 * timestamptz pair among the `_ts_meta_…min/max…` columns (named `_ts_meta_min_N`
 * after its order-by position, or `_ts_meta_v2_min_time` in newer releases).
 */
async function batchLayouts(client: pg.ClientBase | pg.Pool, tables: string[]): Promise<Map<string, BatchLayout>> {
  const layouts = new Map<string, BatchLayout>();
  if (tables.length === 0) return layouts;
  const { rows } = await client.query<{ rel: string; attname: string; type: string }>(
    `SELECT t.rel, a.attname, format_type(a.atttypid, a.atttypmod) AS type
     FROM unnest($1::text[]) AS t(rel)
     JOIN pg_attribute a ON a.attrelid = t.rel::regclass AND a.attnum > 0 AND NOT a.attisdropped
     ORDER BY t.rel, a.attnum`,
    [tables],
  );
  for (const table of tables) {
    const columns = rows.filter((r) => r.rel === table);
    const has = new Set(columns.map((c) => c.attname));
    const minTime = columns.find(
      (c) =>
        /^_ts_meta_(v2_)?min_/.test(c.attname) &&
        c.type === 'timestamp with time zone' &&
        has.has(c.attname.replace('_min_', '_max_')),
    );
    layouts.set(table, {
      table,
      segmentBy: columns
        .filter((c) => !c.attname.startsWith('_ts_meta') && !/compressed_data$/.test(c.type))
        .map((c) => c.attname),
      minTime: minTime ? pgQuote(minTime.attname) : null,
      maxTime: minTime ? pgQuote(minTime.attname.replace('_min_', '_max_')) : null,
    });
  }
  return layouts;
}

const pgQuote = (name: string) => `"${name.replaceAll('"', '""')}"`;

const tsLiteral = (iso: string) => `${quoteLiteral(iso)}::timestamptz`;

/** SQL conditions of `filter` on the columns `available` has; the rest are returned as not applied. */
function filterConditions(
  filter: MetricFilter,
  available: (column: string) => boolean,
): { conditions: string[]; notApplied: string[] } {
  const conditions: string[] = [];
  const notApplied: string[] = [];
  for (const [column, key] of FILTER_COLUMNS) {
    const values = filter[key];
    if (values === null) continue;
    if (!available(column)) {
      notApplied.push(column);
      continue;
    }
    conditions.push(values.length === 0 ? 'false' : `${column} IN (${values.map((v) => quoteLiteral(v)).join(', ')})`);
  }
  return { conditions, notApplied };
}

/** The conditions of a filter and range on the chunk's heap (plain rows). */
export function heapConditions(filter: MetricFilter, range: TimeRange): string[] {
  const { conditions } = filterConditions(filter, () => true);
  if (range.start) conditions.push(`time >= ${tsLiteral(range.start)}`);
  if (range.end) conditions.push(`time < ${tsLiteral(range.end)}`);
  return conditions;
}

export interface BatchQuery {
  sql: string;
  /** Filter columns the batch rows could not be filtered on (not segment-by): the count ignores them. */
  notApplied: string[];
}

/**
 * Rows of a chunk's compressed batches that match `filter` in `range`: each batch
 * counted in full where it lies inside the range, and by the share of its
 * [min, max] time span inside the range where it lies across an edge (rows are
 * taken as spread evenly over the span). One row, column `rows`.
 */
export function batchRowsSql(layout: BatchLayout, filter: MetricFilter, range: TimeRange): BatchQuery {
  const { conditions, notApplied } = filterConditions(filter, (c) => layout.segmentBy.includes(c));
  let share = '1';
  if (layout.minTime && layout.maxTime && (range.start || range.end)) {
    const lo = range.start ? `greatest(${layout.minTime}, ${tsLiteral(range.start)})` : layout.minTime;
    const hi = range.end ? `least(${layout.maxTime}, ${tsLiteral(range.end)})` : layout.maxTime;
    if (range.start) conditions.push(`${layout.maxTime} >= ${tsLiteral(range.start)}`);
    if (range.end) conditions.push(`${layout.minTime} < ${tsLiteral(range.end)}`);
    share = `CASE WHEN ${layout.maxTime} > ${layout.minTime}
      THEN greatest(0, least(1, extract(epoch FROM ${hi} - ${lo}) / extract(epoch FROM ${layout.maxTime} - ${layout.minTime})))
      ELSE 1 END`;
  }
  return {
    sql: `SELECT coalesce(sum(_ts_meta_count * ${share}), 0)::float8 AS rows FROM ${layout.table}${
      conditions.length ? ` WHERE ${conditions.join(' AND ')}` : ''
    }`,
    notApplied,
  };
}

/**
 * The batches a DELETE of one pipeline's `[start, end)` decompresses, as a
 * condition on a chunk's batch rows: every batch of that pipeline whose time span
 * meets the range — except, with `directDelete` (TimescaleDB 2.21 on, no row
 * trigger on the hypertable), batches wholly inside it, which are deleted without
 * decompressing (when the pipeline is a segment-by column, so every row of such a
 * batch matches).
 */
export function decompressedBatchesCondition(
  layout: BatchLayout,
  pipelineId: string,
  range: { start: string; end: string },
  directDelete: boolean,
): string {
  const conditions: string[] = [];
  const bySegment = layout.segmentBy.includes('pipeline_id');
  if (bySegment) conditions.push(`pipeline_id = ${quoteLiteral(pipelineId)}`);
  if (layout.minTime && layout.maxTime) {
    conditions.push(`${layout.maxTime} >= ${tsLiteral(range.start)}`, `${layout.minTime} < ${tsLiteral(range.end)}`);
    if (directDelete && bySegment) {
      conditions.push(
        `NOT (${layout.minTime} >= ${tsLiteral(range.start)} AND ${layout.maxTime} < ${tsLiteral(range.end)})`,
      );
    }
  }
  return conditions.length ? conditions.join(' AND ') : 'true';
}

/** Runs one-row `rows` queries as one UNION ALL and returns their sum (0 for none). */
export async function sumRows(client: pg.ClientBase | pg.Pool, queries: string[]): Promise<number> {
  if (queries.length === 0) return 0;
  const { rows } = await client.query<{ total: number | null }>(
    `SELECT sum(rows)::float8 AS total FROM (${queries.map((q) => `(${q})`).join(' UNION ALL ')}) AS parts`,
  );
  return Number(rows[0]?.total ?? 0);
}

/**
 * The planner's rows for each query (`SELECT 1 FROM ONLY <chunk> WHERE …`): the
 * heap's own statistics, one EXPLAIN for all of them.
 */
export async function plannedRows(client: pg.ClientBase | pg.Pool, selects: string[]): Promise<number> {
  if (selects.length === 0) return 0;
  const { rows } = await client.query<{ 'QUERY PLAN': [{ Plan: { 'Plan Rows': number } }] }>(
    `EXPLAIN (FORMAT JSON) ${selects.join(' UNION ALL ')}`,
  );
  return Math.round(rows[0]?.['QUERY PLAN'][0]?.Plan['Plan Rows'] ?? 0);
}

/** `SELECT 1 FROM ONLY <chunk> WHERE …`: the rows a chunk holds in its heap, for `plannedRows`. */
export function heapSelect(chunk: Pick<MetricChunk, 'table'>, conditions: string[]): string {
  return `SELECT 1 FROM ONLY ${chunk.table}${conditions.length ? ` WHERE ${conditions.join(' AND ')}` : ''}`;
}
