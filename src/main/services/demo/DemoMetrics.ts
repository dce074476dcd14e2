/**
 * The demo's metrics, computed from its Bronze lake: written as the
 * workspace's local metrics cache (Parquet), and loaded into the demo server's
 * dash.pipeline_metrics, so the two agree exactly.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { copyTextSql } from '../postgres/copyCodec';
import { quoteIdent, quoteLiteral } from '../../../shared/sql';
import { applyMigrations } from '../postgres/Migrations';
import { DEMO_PIPELINES, demoMetricsSql, type DemoPipelineId } from './DemoPipelines';
import { openDuckDB, type LocalDuckDB } from './openDuckDB';

/** The DuckDB glob over one pipeline's Bronze files in a lake folder. */
export function demoBronzeGlob(lakeDir: string, pipelineId: string): string {
  return join(lakeDir, 'bronze', pipelineId, '*', '*.parquet');
}

function hasBronze(lakeDir: string, pipelineId: string): boolean {
  return existsSync(join(lakeDir, 'bronze', pipelineId));
}

function rethrowCancel(err: unknown, signal: AbortSignal | undefined): never {
  // DuckDB reports an interrupted statement as its own error; say "cancelled" instead.
  signal?.throwIfAborted();
  throw err;
}

export interface DemoMetricsSummary {
  pipelines: { pipelineId: DemoPipelineId; rows: number; files: number }[];
}

/**
 * Writes `outDir/metrics/pipeline_id=<id>/date=<YYYY-MM-DD>/part-0.parquet`
 * (time, pipeline_id, series_id, metric_name, value), replacing any previous
 * `outDir/metrics` only once the new one is complete.
 */
export async function writeDemoMetricsParquet(options: {
  lakeDir: string;
  outDir: string;
  signal?: AbortSignal;
  /** Pipelines written so far, of `total`. */
  onProgress?: (done: number, total: number, pipelineId: DemoPipelineId) => void;
}): Promise<DemoMetricsSummary> {
  const { lakeDir, outDir, signal, onProgress } = options;
  const finalDir = join(outDir, 'metrics');
  const staging = join(outDir, `.metrics-${process.pid}-${randomBytes(4).toString('hex')}.partial`);
  await mkdir(staging, { recursive: true });
  const summary: DemoMetricsSummary = { pipelines: [] };
  const db = await openDuckDB(signal);
  try {
    for (const { id } of DEMO_PIPELINES) {
      signal?.throwIfAborted();
      if (!hasBronze(lakeDir, id)) continue;
      const target = join(staging, `pipeline_id=${id}`);
      // PARTITION_BY leaves `date` out of the files; pipeline_id stays in them.
      const result = await db.con.runAndReadAll(`
        COPY (
          SELECT time, pipeline_id, series_id, metric_name, value, strftime(time, '%Y-%m-%d') AS date
          FROM (${demoMetricsSql(id, demoBronzeGlob(lakeDir, id))})
          ORDER BY date, metric_name, series_id, time
        ) TO ${quoteLiteral(target)} (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (date), FILENAME_PATTERN 'part-{i}')`);
      const rows = Number(result.getRows()[0]?.[0] ?? 0);
      const files = (await readdir(target)).length;
      summary.pipelines.push({ pipelineId: id, rows, files });
      onProgress?.(DEMO_PIPELINES.findIndex((p) => p.id === id) + 1, DEMO_PIPELINES.length, id);
    }
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    rethrowCancel(err, signal);
  } finally {
    db.close();
  }
  await rm(finalDir, { recursive: true, force: true });
  await rename(staging, finalDir);
  return summary;
}

export interface SeedDemoServerOptions {
  lakeDir: string;
  /**
   * The metrics cache writeDemoMetricsParquet just wrote from this lake: read
   * from it instead of computing the metrics again. Only a cache fresh from the
   * lake: a later one may hold synced or pushed values.
   */
  metricsDir?: string;
  /** Rows loaded so far, of `total` (null until known). */
  onProgress?: (done: number, total: number | null, message: string) => void;
  signal?: AbortSignal;
}

export interface SeedDemoServerResult {
  migrations: string[];
  pipelines: { pipelineId: DemoPipelineId; rowsLoaded: number; skipped: boolean }[];
}

/**
 * One COPY text line per metric row, built by DuckDB (shortest round-trip text
 * for doubles), in the unique index's order: appending to the index is about
 * 3x faster than inserting all over it.
 */
function copyLinesSql(table: string): string {
  return `SELECT strftime(time, '%Y-%m-%d %H:%M:%S.%f') || '+00' || chr(9)
      || ${copyTextSql('pipeline_id')} || chr(9) || ${copyTextSql('series_id')} || chr(9)
      || ${copyTextSql('metric_name')} || chr(9) || coalesce(value::VARCHAR, '\\N') || chr(10) AS line
    FROM ${table} ORDER BY pipeline_id, metric_name, series_id, time`;
}

async function pipelineHasMetrics(client: pg.ClientBase, pipelineId: string): Promise<boolean> {
  const { rows } = await client.query<{ present: boolean }>(
    'SELECT EXISTS (SELECT 1 FROM dash.pipeline_metrics WHERE pipeline_id = $1) AS present',
    [pipelineId],
  );
  return rows[0]?.present === true;
}

/** The demo pipelines at version 1, unless the server already has them (possibly edited since). */
async function upsertDemoPipelines(client: pg.ClientBase): Promise<void> {
  await client.query('BEGIN');
  try {
    for (const p of DEMO_PIPELINES) {
      await client.query(
        `WITH created AS (
           INSERT INTO dash.pipelines (id, name, version, definition, updated_at, updated_by)
           VALUES ($1, $2, 1, $3::jsonb, now(), 'demo')
           ON CONFLICT (id) DO NOTHING
           RETURNING id, version, definition, updated_at, updated_by
         )
         INSERT INTO dash.pipeline_versions (pipeline_id, version, definition, updated_at, updated_by, comment)
         SELECT id, version, definition, updated_at, updated_by, 'Demo pipeline' FROM created
         ON CONFLICT (pipeline_id, version) DO NOTHING`,
        [p.id, p.name, JSON.stringify(p.definition)],
      );
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

async function* copyChunks(db: LocalDuckDB, sql: string, onRows: (rows: number) => void): AsyncGenerator<Buffer> {
  const result = await db.con.stream(sql);
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) return;
    const lines = chunk.getColumnValues(0) as string[];
    yield Buffer.from(lines.join(''), 'utf8');
    onRows(chunk.rowCount);
  }
}

/**
 * On an empty plain-PostgreSQL table, loading without its indexes and building
 * them afterwards (one sort) takes about half the time of maintaining them row
 * by row. Drops them inside the caller's transaction and returns how to put
 * them back, read from the catalog so they come back exactly as they were.
 */
async function dropMetricsIndexes(client: pg.ClientBase): Promise<() => Promise<void>> {
  const constraints = await client.query<{ name: string; def: string }>(
    `SELECT conname AS name, pg_get_constraintdef(oid) AS def FROM pg_constraint
     WHERE conrelid = 'dash.pipeline_metrics'::regclass AND contype IN ('p', 'u') ORDER BY conname`,
  );
  const indexes = await client.query<{ name: string; def: string }>(
    `SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def FROM pg_index i
     WHERE i.indrelid = 'dash.pipeline_metrics'::regclass
       AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
     ORDER BY 1`,
  );
  for (const c of constraints.rows) {
    await client.query(`ALTER TABLE dash.pipeline_metrics DROP CONSTRAINT ${client.escapeIdentifier(c.name)}`);
  }
  // Names from regclass::text come quoted and schema-qualified as needed.
  for (const i of indexes.rows) await client.query(`DROP INDEX ${i.name}`);
  return async () => {
    await client.query("SET LOCAL maintenance_work_mem = '256MB'");
    for (const c of constraints.rows) {
      await client.query(
        `ALTER TABLE dash.pipeline_metrics ADD CONSTRAINT ${client.escapeIdentifier(c.name)} ${c.def}`,
      );
    }
    for (const i of indexes.rows) await client.query(i.def);
  };
}

/** Empty, and a plain table (a hypertable's indexes live on its chunks too). */
async function isEmptyPlainMetricsTable(client: pg.ClientBase): Promise<boolean> {
  const { rows } = await client.query<{ fresh: boolean }>(
    `SELECT NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb')
        AND NOT EXISTS (SELECT 1 FROM dash.pipeline_metrics) AS fresh`,
  );
  return rows[0]?.fresh === true;
}

/**
 * Makes the demo server hold the contract schema, the demo pipelines and the
 * metrics computed from the lake, streamed with COPY. Only pipelines without
 * metrics on the server are loaded, so running it again is a no-op. On an
 * empty table everything loads in one transaction with the indexes built
 * afterwards; otherwise each pipeline loads in its own transaction.
 */
export async function seedDemoServer(
  client: pg.ClientBase,
  options: SeedDemoServerOptions,
): Promise<SeedDemoServerResult> {
  const { lakeDir, metricsDir, onProgress, signal } = options;
  const { applied } = await applyMigrations(client);
  await upsertDemoPipelines(client);

  const result: SeedDemoServerResult = { migrations: applied, pipelines: [] };
  const todo: DemoPipelineId[] = [];
  for (const { id } of DEMO_PIPELINES) {
    if (!hasBronze(lakeDir, id) || (await pipelineHasMetrics(client, id))) {
      result.pipelines.push({ pipelineId: id, rowsLoaded: 0, skipped: true });
    } else {
      todo.push(id);
    }
  }
  if (todo.length === 0) return result;

  const db = await openDuckDB(signal);
  try {
    // Computed up front so that progress has a total.
    const counts = new Map<DemoPipelineId, number>();
    for (const id of todo) {
      signal?.throwIfAborted();
      onProgress?.(0, null, `${metricsDir ? 'Reading' : 'Computing'} ${id} metrics`);
      const source = metricsDir
        ? `SELECT time, pipeline_id, series_id, metric_name, value FROM read_parquet(${quoteLiteral(
            join(metricsDir, `pipeline_id=${id}`, '*', '*.parquet'),
          )}, hive_partitioning = false)`
        : demoMetricsSql(id, demoBronzeGlob(lakeDir, id));
      await db.con.run(`CREATE OR REPLACE TEMP TABLE ${quoteIdent(`seed_${id}`)} AS ${source}`);
      const count = await db.con.runAndReadAll(`SELECT count(*) FROM ${quoteIdent(`seed_${id}`)}`);
      counts.set(id, Number(count.getRows()[0]?.[0] ?? 0));
    }
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    let done = 0;

    /** COPYs one pipeline's metrics inside the caller's transaction. */
    const load = async (id: DemoPipelineId): Promise<number> => {
      const copy = client.query(
        copyFrom('COPY dash.pipeline_metrics (time, pipeline_id, series_id, metric_name, value) FROM STDIN'),
      );
      const lines = copyChunks(db, copyLinesSql(quoteIdent(`seed_${id}`)), (rows) => {
        done += rows;
        onProgress?.(done, total, `Loading ${id} metrics`);
      });
      // pipeline() waits for the server between chunks and, on abort or error,
      // destroys the COPY, which sends CopyFail so the server discards it.
      await pipeline(Readable.from(lines), copy, signal ? { signal } : {});
      return copy.rowCount;
    };

    if (await isEmptyPlainMetricsTable(client)) {
      await client.query('BEGIN');
      try {
        // Anyone else seeding waits here, then finds rows and skips.
        await client.query('LOCK TABLE dash.pipeline_metrics IN ACCESS EXCLUSIVE MODE');
        if (await isEmptyPlainMetricsTable(client)) {
          const restoreIndexes = await dropMetricsIndexes(client);
          for (const id of todo.splice(0)) {
            result.pipelines.push({ pipelineId: id, rowsLoaded: await load(id), skipped: false });
          }
          onProgress?.(done, total, 'Indexing metrics');
          await restoreIndexes();
        }
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        rethrowCancel(err, signal);
      }
    }

    for (const id of todo) {
      signal?.throwIfAborted();
      await client.query('BEGIN');
      try {
        // Two seeders at once (two windows on one workspace): one loads, the other finds rows.
        await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`dash-demo-seed:${id}`]);
        if (await pipelineHasMetrics(client, id)) {
          await client.query('COMMIT');
          result.pipelines.push({ pipelineId: id, rowsLoaded: 0, skipped: true });
          done += counts.get(id) ?? 0;
          continue;
        }
        const rowsLoaded = await load(id);
        await client.query('COMMIT');
        result.pipelines.push({ pipelineId: id, rowsLoaded, skipped: false });
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        rethrowCancel(err, signal);
      }
    }
  } catch (err) {
    rethrowCancel(err, signal);
  } finally {
    db.close();
  }
  await client.query('ANALYZE dash.pipeline_metrics');
  const order = DEMO_PIPELINES.map((p) => p.id);
  result.pipelines.sort((a, b) => order.indexOf(a.pipelineId) - order.indexOf(b.pipelineId));
  return result;
}
