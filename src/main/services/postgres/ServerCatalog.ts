/**
 * What the Dash server holds: schemas, tables and views with their columns and
 * row estimates, and — only where the timescaledb extension is installed —
 * hypertables with their chunks, continuous aggregates and background jobs
 * (from TimescaleDB's documented timescaledb_information views). Plain
 * PostgreSQL never sees a TimescaleDB query.
 */
import type pg from 'pg';
import { z } from 'zod';
import {
  ServerColumn,
  type ContinuousAggregate,
  type Hypertable,
  type ServerCatalog,
  type ServerChunk,
  type ServerJob,
  type ServerRelation,
} from '../../../shared/api/server';
import { detectServerMode, timescaleUsageGrant } from './ServerMode';

/** The newest chunks listed per hypertable; a big one has thousands. */
export const CHUNKS_SHOWN = 200;

/** Schemas that are the server's or TimescaleDB's own machinery (chunks live in _timescaledb_internal). */
const HIDDEN_SCHEMAS_SQL = `n.nspname NOT IN ('pg_catalog', 'information_schema', 'timescaledb_information', 'timescaledb_experimental')
  AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname NOT LIKE '\\_timescaledb%'`;

export const SCHEMAS_SQL = `SELECT n.nspname AS name FROM pg_namespace n
WHERE ${HIDDEN_SCHEMAS_SQL} AND has_schema_privilege(n.oid, 'USAGE')
ORDER BY 1`;

export const RELATIONS_SQL = `SELECT n.nspname AS schema, c.relname AS name, c.relkind::text AS relkind,
  CASE WHEN c.reltuples < 0 THEN NULL ELSE c.reltuples::float8 END AS row_estimate,
  CASE WHEN c.relkind IN ('r', 'm', 'p') THEN pg_total_relation_size(c.oid)::float8 END AS bytes,
  coalesce(json_agg(json_build_object('name', a.attname, 'type', format_type(a.atttypid, a.atttypmod),
    'nullable', NOT a.attnotnull) ORDER BY a.attnum) FILTER (WHERE a.attnum IS NOT NULL), '[]') AS columns
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE c.relkind IN ('r', 'v', 'm', 'f', 'p') AND NOT c.relispartition
  AND ${HIDDEN_SCHEMAS_SQL} AND has_schema_privilege(n.oid, 'USAGE')
GROUP BY n.nspname, c.relname, c.relkind, c.reltuples, c.oid
ORDER BY 1, 2`;

/**
 * TimescaleDB's queries. `ts` is the extension's schema as SQL, where its
 * functions live — or null when the role may not use it: the catalog views and
 * TimescaleDB's own catalog still answer, only the sizes and counts its
 * functions compute are left out. Columns that not every 2.x release has are
 * read through to_jsonb(row) so an older server answers instead of failing.
 */
export function timescaleSql(ts: string | null) {
  const rel = "format('%I.%I', h.hypertable_schema, h.hypertable_name)::regclass";
  return {
    hypertables: `SELECT h.hypertable_schema AS schema, h.hypertable_name AS name, h.num_chunks::int AS chunk_count,
  coalesce((to_jsonb(h) ->> 'compression_enabled')::boolean, false) AS compression_enabled,
  d.column_name::text AS time_column, d.column_type::text AS time_column_type,
  ${ts ? `(SELECT sum(s.total_bytes)::float8 FROM ${ts}.hypertable_detailed_size(${rel}) s)` : 'NULL::float8'} AS bytes,
  ${ts ? `${ts}.approximate_row_count(${rel})::float8` : 'NULL::float8'} AS row_estimate
FROM timescaledb_information.hypertables h
LEFT JOIN timescaledb_information.dimensions d
  ON d.hypertable_schema = h.hypertable_schema AND d.hypertable_name = h.hypertable_name AND d.dimension_number = 1
ORDER BY 1, 2`,
    // The newest $1 chunks of each hypertable, with their compression state (a chunk that took rows after it
    // was compressed is partly compressed: status bit 8, or 2 before 2.10), its size (heap and compressed
    // batches) and, when compressed, its size before compression.
    chunks: `WITH h AS (
  SELECT h.hypertable_schema, h.hypertable_name, ${rel} AS rel,
    coalesce((to_jsonb(h) ->> 'compression_enabled')::boolean, false) AS compression_enabled
  FROM timescaledb_information.hypertables h
), ranked AS (
  SELECT c.hypertable_schema, c.hypertable_name, c.chunk_schema, c.chunk_name, c.range_start, c.range_end, c.is_compressed,
    row_number() OVER (PARTITION BY c.hypertable_schema, c.hypertable_name
                       ORDER BY c.range_start DESC NULLS LAST, c.chunk_name DESC) AS n
  FROM timescaledb_information.chunks c
), comp AS (
  ${
    ts
      ? `SELECT s.chunk_schema, s.chunk_name, s.before_compression_total_bytes
  FROM h CROSS JOIN LATERAL ${ts}.chunk_compression_stats(h.rel) s
  WHERE h.compression_enabled`
      : 'SELECT NULL::name AS chunk_schema, NULL::name AS chunk_name, NULL::bigint AS before_compression_total_bytes WHERE false'
  }
)
SELECT r.hypertable_schema, r.hypertable_name, r.chunk_schema, r.chunk_name,
  to_json(r.range_start) #>> '{}' AS range_start, to_json(r.range_end) #>> '{}' AS range_end,
  CASE WHEN cc.id IS NULL AND NOT coalesce(r.is_compressed, false) THEN 'none'
       WHEN (coalesce(cat.status, 0) & (2 | 8)) <> 0 THEN 'partial' ELSE 'compressed' END AS compression,
  (pg_total_relation_size(format('%I.%I', r.chunk_schema, r.chunk_name)::regclass)
    + CASE WHEN cc.id IS NULL THEN 0
           ELSE pg_total_relation_size(format('%I.%I', cc.schema_name, cc.table_name)::regclass) END)::float8 AS bytes,
  comp.before_compression_total_bytes::float8 AS uncompressed_bytes,
  CASE WHEN cc.id IS NOT NULL
    THEN pg_total_relation_size(format('%I.%I', cc.schema_name, cc.table_name)::regclass)::float8 END AS compressed_bytes
FROM ranked r
LEFT JOIN _timescaledb_catalog.chunk cat ON cat.schema_name = r.chunk_schema AND cat.table_name = r.chunk_name
LEFT JOIN _timescaledb_catalog.chunk cc ON cc.id = cat.compressed_chunk_id
LEFT JOIN comp ON comp.chunk_schema = r.chunk_schema AND comp.chunk_name = r.chunk_name
WHERE r.n <= $1
ORDER BY r.hypertable_schema, r.hypertable_name, r.n`,
    continuousAggregates: `SELECT ca.view_schema AS schema, ca.view_name AS name, ca.hypertable_schema, ca.hypertable_name,
  coalesce((to_jsonb(ca) ->> 'materialized_only')::boolean, false) AS materialized_only,
  coalesce((to_jsonb(ca) ->> 'compression_enabled')::boolean, false) AS compression_enabled,
  ca.materialization_hypertable_schema, ca.materialization_hypertable_name
FROM timescaledb_information.continuous_aggregates ca
ORDER BY 1, 2`,
    jobs: `SELECT j.job_id, j.application_name, j.proc_name, j.schedule_interval::text AS schedule, j.scheduled,
  to_json(j.next_start) #>> '{}' AS next_start, j.hypertable_schema, j.hypertable_name, j.config::text AS config,
  s.last_run_status
FROM timescaledb_information.jobs j
LEFT JOIN timescaledb_information.job_stats s ON s.job_id = j.job_id
ORDER BY j.job_id`,
  };
}

const KIND: Record<string, ServerRelation['kind']> = {
  r: 'table',
  v: 'view',
  m: 'materialized view',
  f: 'foreign table',
  p: 'partitioned table',
};

const Columns = z.array(ServerColumn);
const TIME_TYPES = new Set(['timestamp with time zone', 'timestamp without time zone']);

function num(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 ? n : null;
}

function str(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

export async function readServerCatalog(pool: pg.Pool | pg.ClientBase): Promise<ServerCatalog> {
  const info = await detectServerMode(pool);
  const { rows: dbRows } = await pool.query<{ db: string }>('SELECT current_database() AS db');
  const database = dbRows[0]?.db ?? '';
  let notice: string | null = null;
  const [schemaRows, relationRows] = await Promise.all([
    pool.query<{ name: string }>(SCHEMAS_SQL),
    pool.query<Record<string, unknown>>(RELATIONS_SQL),
  ]);

  let hypertables: Hypertable[] = [];
  let continuousAggregates: ContinuousAggregate[] = [];
  let jobs: ServerJob[] = [];
  const hyperRows = new Map<string, { rowEstimate: number | null; bytes: number | null; timeColumn: string | null }>();
  if (info.timescale) {
    const ext = info.timescale;
    if (!ext.usable) {
      notice = `TimescaleDB ${ext.version} lives in the schema "${ext.schema}", which the role "${info.user}" may not use: sizes and row counts of hypertables are not shown, and time_bucket cannot be called. Ask the server team to run: ${timescaleUsageGrant(ext, info.user)}`;
    }
    const sql = timescaleSql(ext.usable ? ext.schemaSql : null);
    const [h, c, ca, j] = await Promise.all([
      pool.query<Record<string, unknown>>(sql.hypertables),
      pool.query<Record<string, unknown>>(sql.chunks, [CHUNKS_SHOWN]),
      pool.query<Record<string, unknown>>(sql.continuousAggregates),
      pool.query<Record<string, unknown>>(sql.jobs),
    ]);
    const chunksOf = new Map<string, ServerChunk[]>();
    for (const row of c.rows) {
      const key = `${String(row.hypertable_schema)}.${String(row.hypertable_name)}`;
      const list = chunksOf.get(key) ?? [];
      list.push({
        schema: String(row.chunk_schema),
        name: String(row.chunk_name),
        rangeStart: str(row.range_start),
        rangeEnd: str(row.range_end),
        compression:
          row.compression === 'partial' ? 'partial' : row.compression === 'compressed' ? 'compressed' : 'none',
        bytes: num(row.bytes),
        uncompressedBytes: num(row.uncompressed_bytes),
        compressedBytes: num(row.compressed_bytes),
      });
      chunksOf.set(key, list);
    }
    hypertables = h.rows.map((row) => {
      const key = `${String(row.schema)}.${String(row.name)}`;
      hyperRows.set(key, {
        rowEstimate: num(row.row_estimate),
        bytes: num(row.bytes),
        timeColumn: str(row.time_column),
      });
      return {
        schema: String(row.schema),
        name: String(row.name),
        timeColumn: str(row.time_column),
        timeColumnType: str(row.time_column_type),
        chunkCount: Number(row.chunk_count ?? 0),
        compressionEnabled: row.compression_enabled === true,
        bytes: num(row.bytes),
        chunks: chunksOf.get(key) ?? [],
      };
    });
    continuousAggregates = ca.rows.map((row) => ({
      schema: String(row.schema),
      name: String(row.name),
      hypertableSchema: String(row.hypertable_schema),
      hypertableName: String(row.hypertable_name),
      materializedOnly: row.materialized_only === true,
      compressionEnabled: row.compression_enabled === true,
      materializationSchema: String(row.materialization_hypertable_schema),
      materializationName: String(row.materialization_hypertable_name),
    }));
    jobs = j.rows.map((row) => ({
      jobId: Number(row.job_id),
      name: String(row.application_name ?? ''),
      procedure: String(row.proc_name ?? ''),
      schedule: str(row.schedule),
      scheduled: row.scheduled === true,
      nextStart: str(row.next_start),
      hypertableSchema: str(row.hypertable_schema),
      hypertableName: str(row.hypertable_name),
      config: str(row.config),
      lastRunStatus: str(row.last_run_status),
    }));
  }

  const bySchema = new Map<string, ServerRelation[]>(schemaRows.rows.map((r) => [r.name, []]));
  for (const row of relationRows.rows) {
    const schema = String(row.schema);
    const name = String(row.name);
    const columns = Columns.parse(row.columns);
    const hyper = hyperRows.get(`${schema}.${name}`);
    const relation: ServerRelation = {
      schema,
      name,
      kind: KIND[String(row.relkind)] ?? 'table',
      rowEstimate: hyper ? hyper.rowEstimate : num(row.row_estimate),
      bytes: hyper ? hyper.bytes : num(row.bytes),
      columns,
      timeColumn: hyper?.timeColumn ?? columns.find((c) => TIME_TYPES.has(c.type))?.name ?? null,
      isHypertable: hyper !== undefined,
    };
    const list = bySchema.get(schema) ?? [];
    list.push(relation);
    bySchema.set(schema, list);
  }

  return {
    mode: info.mode,
    modeLabel: info.timescaleVersion ? `TimescaleDB ${info.timescaleVersion}` : 'plain PostgreSQL',
    timescaleSchema: info.timescale?.schema ?? null,
    notice,
    serverVersion: info.serverVersion,
    timescaleVersion: info.timescaleVersion,
    database,
    schemas: [...bySchema].map(([name, relations]) => ({ name, relations })),
    hypertables,
    continuousAggregates,
    jobs,
  };
}
