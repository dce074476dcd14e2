/**
 * The metric-sync fixture shared by the sync tests on plain PostgreSQL and on
 * TimescaleDB: a seeded dash schema (with CSV's hard cases), a MetricSync over a
 * real warehouse, and per-day digests of the server's and the cache's rows.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { JobRunner } from '../../src/main/services/jobs/JobRunner';
import { applyMigrations } from '../../src/main/services/postgres/Migrations';
import { MetricSync, type SyncReport } from '../../src/main/services/sync/MetricSync';
import { mountPipelineMetricViews } from '../../src/main/services/sync/metricViews';
import { Warehouse } from '../../src/main/services/warehouse/Warehouse';
import { SyncSelection } from '../../src/shared/api/sync';
import { quoteLiteral } from '../../src/shared/sql';

export const DAYS = 10;
export const FIRST_DAY = '2026-01-01';
export const SERIES = 50;

/** 2 pipelines × 10 days × 144 ten-minute points × 50 series × 2 metrics = 288,000 rows, plus awkward ones. */
export async function seed(client: pg.ClientBase): Promise<void> {
  await applyMigrations(client);
  await client.query(`
    INSERT INTO dash.pipelines (id, name, version, definition, updated_by)
    SELECT id, initcap(id), 1, jsonb_build_object('source', 'bronze/' || id || '/', 'filter', NULL,
      'metrics', jsonb_build_array(jsonb_build_object('name', 'power', 'formula', 'value', 'unit', 'kW'),
                                   jsonb_build_object('name', 'energy', 'formula', 'value', 'unit', 'kWh'))), 'test'
    FROM unnest(ARRAY['alpha', 'beta']) AS id ON CONFLICT DO NOTHING`);
  await client.query(`
    INSERT INTO dash.pipeline_metrics (time, pipeline_id, series_id, metric_name, value)
    SELECT t, p, 'dev-' || lpad(s::text, 3, '0'), m,
           round((sin(extract(epoch FROM t) / 3600 + s) * 100)::numeric, 3)::float8 + s / 7.0
    FROM generate_series(TIMESTAMPTZ '${FIRST_DAY} 00:00:00+00', TIMESTAMPTZ '${FIRST_DAY} 00:00:00+00' + INTERVAL '${DAYS} days' - INTERVAL '10 minutes', INTERVAL '10 minutes') AS t,
         unnest(ARRAY['alpha', 'beta']) AS p, generate_series(1, ${SERIES}) AS s, unnest(ARRAY['power', 'energy']) AS m`);
  // CSV's hard cases: a comma and quotes in an id, an empty-looking value, NULL, NaN, infinities, sub-ms times.
  await client.query(`
    INSERT INTO dash.pipeline_metrics (time, pipeline_id, series_id, metric_name, value) VALUES
      ('${FIRST_DAY} 12:00:00.123456+00', 'alpha', 'dev,"odd"', 'power', NULL),
      ('${FIRST_DAY} 12:00:00.000001+00', 'alpha', 'dev,"odd"', 'energy', 'NaN'),
      ('2026-01-02 23:59:59.999999+00', 'alpha', '', 'power', 'Infinity'),
      ('2026-01-03 00:00:00+00', 'alpha', 'line
break', 'power', '-Infinity'),
      ('2026-01-04 06:00:00+00', 'alpha', 'tiny', 'power', 5e-324)`);
  await client.query('ANALYZE dash.pipeline_metrics');
}

const rowKey = (us: string, series: string, metric: string, value: unknown) =>
  `${us}|${JSON.stringify(series)}|${metric}|${value === null ? 'null' : String(Number(value))}`;

function digest(lines: string[]): string {
  return createHash('sha256').update(lines.sort().join('\n')).digest('hex');
}

/** Per pipeline and day: row count and a digest of every row, from the server. */
export async function serverDays(
  pool: pg.Pool,
  pipeline: string,
): Promise<Map<string, { rows: number; digest: string }>> {
  const { rows } = await pool.query<{
    day: string;
    us: string;
    series_id: string;
    metric_name: string;
    value: unknown;
  }>(
    `SELECT to_char((time AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD') AS day,
            ((extract(epoch FROM time) * 1000000)::bigint)::text AS us, series_id, metric_name, value
     FROM dash.pipeline_metrics WHERE pipeline_id = $1`,
    [pipeline],
  );
  return perDay(rows.map((r) => ({ day: r.day, key: rowKey(r.us, r.series_id, r.metric_name, r.value) })));
}

/** The same, from the warehouse's `metrics` view over the synced Parquet. */
export async function localDays(
  warehouse: Warehouse,
  pipeline: string,
): Promise<Map<string, { rows: number; digest: string }>> {
  const rows = await warehouse.rows(
    `SELECT strftime(time AT TIME ZONE 'UTC', '%Y-%m-%d') AS day, epoch_us(time)::VARCHAR AS us, series_id, metric_name, value
     FROM metrics WHERE pipeline_id = ${quoteLiteral(pipeline)}`,
  );
  return perDay(
    rows.map((r) => ({
      day: String(r.day),
      key: rowKey(String(r.us), String(r.series_id), String(r.metric_name), r.value),
    })),
  );
}

function perDay(rows: { day: string; key: string }[]): Map<string, { rows: number; digest: string }> {
  const groups = new Map<string, string[]>();
  for (const r of rows) {
    let list = groups.get(r.day);
    if (!list) groups.set(r.day, (list = []));
    list.push(r.key);
  }
  return new Map([...groups.entries()].sort().map(([day, keys]) => [day, { rows: keys.length, digest: digest(keys) }]));
}

export interface Harness {
  sync: MetricSync;
  warehouse: Warehouse;
  cacheDir: string;
  jobs: JobRunner;
  run(selection: unknown): Promise<SyncReport>;
  onRows: ((info: { rowsDone: number; daysSaved: number }) => void) | null;
  close(): Promise<void>;
}

/** A sync over `cacheDir` (by default a new temporary folder, removed by `close`). */
export async function harness(pool: () => pg.Pool, options: { cacheDir?: string } = {}): Promise<Harness> {
  const cacheDir = options.cacheDir ?? (await mkdtemp(join(tmpdir(), 'dash-sync-cache-')));
  const warehouse = await Warehouse.open();
  const jobs = new JobRunner();
  const h: Harness = {
    sync: null as unknown as MetricSync,
    warehouse,
    cacheDir,
    jobs,
    onRows: null,
    run: (selection) => h.sync.start(SyncSelection.parse(selection)).done,
    close: async () => {
      jobs.cancelAll();
      await warehouse.close();
      await rm(cacheDir, { recursive: true, force: true });
    },
  };
  h.sync = new MetricSync({
    pool,
    cacheDir: () => cacheDir,
    jobs,
    remountViews: async () => {
      const metricsDir = join(cacheDir, 'metrics');
      await warehouse.mountParquetViews({ bronze: [], metricsGlob: join(metricsDir, '*', '*', '*.parquet') });
      await mountPipelineMetricViews(warehouse, metricsDir);
    },
    onRows: (info) => h.onRows?.(info),
  });
  return h;
}

/** Every file under the metrics cache, relative, so a test can see what is visible. */
export async function visibleFiles(cacheDir: string): Promise<string[]> {
  const root = join(cacheDir, 'metrics');
  if (!existsSync(root)) return [];
  const out: string[] = [];
  for (const p of await readdir(root)) {
    for (const d of await readdir(join(root, p))) {
      for (const f of await readdir(join(root, p, d))) out.push(`${p}/${d}/${f}`);
    }
  }
  return out.sort();
}
