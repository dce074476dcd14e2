/**
 * Per-pipeline views over the local metrics cache: `metrics_<pipeline_id>` in
 * the warehouse's main schema, beside the all-pipelines `metrics` view.
 */
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { quoteIdent, quoteLiteral } from '../../../shared/sql';
import type { Warehouse } from '../warehouse/Warehouse';

export const METRIC_VIEW_PREFIX = 'metrics_';

/** Pipelines that have at least one finished day file in `metricsDir`. */
export async function cachedMetricPipelines(metricsDir: string): Promise<string[]> {
  if (!existsSync(metricsDir)) return [];
  const found: string[] = [];
  for (const entry of await readdir(metricsDir, { withFileTypes: true })) {
    if (!entry.isDirectory() || !entry.name.startsWith('pipeline_id=')) continue;
    const days = await readdir(join(metricsDir, entry.name), { withFileTypes: true });
    for (const day of days) {
      if (!day.isDirectory()) continue;
      const files = await readdir(join(metricsDir, entry.name, day.name));
      if (files.some((f) => f.endsWith('.parquet'))) {
        found.push(entry.name.slice('pipeline_id='.length));
        break;
      }
    }
  }
  return found.sort();
}

/** (Re)creates `metrics_<id>` for every cached pipeline and drops those whose files are gone. */
export async function mountPipelineMetricViews(warehouse: Warehouse, metricsDir: string): Promise<void> {
  const pipelines = await cachedMetricPipelines(metricsDir);
  const wanted = new Set(pipelines.map((id) => `${METRIC_VIEW_PREFIX}${id}`));
  const existing = await warehouse.rows(
    `SELECT view_name FROM duckdb_views() WHERE schema_name = 'main' AND NOT internal AND starts_with(view_name, ${quoteLiteral(METRIC_VIEW_PREFIX)})`,
  );
  const statements: string[] = [];
  for (const row of existing) {
    const name = String(row.view_name);
    if (!wanted.has(name)) statements.push(`DROP VIEW IF EXISTS main.${quoteIdent(name)};`);
  }
  for (const id of pipelines) {
    const glob = join(metricsDir, `pipeline_id=${id}`, '*', '*.parquet');
    statements.push(
      `CREATE OR REPLACE VIEW main.${quoteIdent(`${METRIC_VIEW_PREFIX}${id}`)} AS SELECT time, pipeline_id, series_id, metric_name, value FROM read_parquet(${quoteLiteral(glob)}, hive_partitioning = false, union_by_name = true);`,
    );
  }
  if (statements.length > 0) await warehouse.exec(statements.join('\n'));
}
