/**
 * The continuous aggregates over dash.pipeline_metrics that a server chart can
 * read instead of raw rows (see src/shared/charts/chartAggregate.ts), each with
 * its watermark: the end of what it has materialised. Below the watermark the
 * chart reads whole buckets of the aggregate; from it on, raw rows. The ones it
 * cannot use are listed with the reason, for the chart's tooltip.
 */
import type pg from 'pg';
import { aggregateM4Sql, recognizeChartAggregate, type ChartAggregate } from '../../../shared/charts/chartAggregate';
import { pgName } from '../../../shared/serverSql';
import { asDatabaseError, pgErrorText } from '../postgres/pgErrors';
import { timescaleUsageGrant, type ServerModeInfo, type TimescaleExtension } from '../postgres/ServerMode';
import type { ChartAggregateChoice } from './ServerCharts';
import { metricAggregates, type MetricAggregate } from '../postgres/timescale/MetricAggregates';

export interface ChartAggregateSource extends ChartAggregate {
  /** Epoch µs where its materialised buckets end; null when nothing is materialised. */
  watermarkUs: number | null;
  /** False for a real-time aggregate (it also reads raw rows past its watermark). */
  materializedOnly: boolean;
}

export interface ChartAggregateRefusal {
  /** `schema.view` as SQL; `*` when no aggregate could be looked at. */
  name: string;
  reason: string;
}

export interface ChartAggregateList {
  usable: ChartAggregateSource[];
  refused: ChartAggregateRefusal[];
}

/** Where this TimescaleDB keeps cagg_watermark(): `_timescaledb_functions` since 2.12, `_timescaledb_internal` before. */
async function watermarkSchema(client: pg.ClientBase): Promise<string | null> {
  const { rows } = await client.query<{ schema: string }>(
    `SELECT n.nspname AS schema FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE p.proname = 'cagg_watermark' AND n.nspname IN ('_timescaledb_functions', '_timescaledb_internal')
     ORDER BY n.nspname = '_timescaledb_functions' DESC LIMIT 1`,
  );
  return rows[0]?.schema ?? null;
}

interface BucketFacts {
  widthUs: number;
  originUs: number;
}

/**
 * Each aggregate's bucket width and edge in µs, computed by the server from the
 * catalog's interval and timestamptz text (the edge: its origin, or
 * time_bucket's default 2000-01-03 UTC, plus its offset). Null where the
 * bucket is unknown or has months (no fixed width).
 */
async function bucketFacts(client: pg.ClientBase, aggregates: MetricAggregate[]): Promise<(BucketFacts | null)[]> {
  const { rows } = await client.query<{ i: string; width_us: string | null; origin_us: string | null }>(
    `SELECT i::text AS i,
            CASE WHEN extract(month FROM w::interval) = 0 AND extract(year FROM w::interval) = 0
                 THEN (extract(epoch FROM w::interval) * 1000000)::text END AS width_us,
            (extract(epoch FROM coalesce(o::timestamptz, TIMESTAMPTZ '2000-01-03 00:00:00+00')) * 1000000
               + coalesce(extract(epoch FROM f::interval) * 1000000, 0))::text AS origin_us
     FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS b(w, o, f, i)`,
    [
      aggregates.map((a) => a.bucket?.width ?? null),
      aggregates.map((a) => a.bucket?.origin ?? null),
      aggregates.map((a) => a.bucket?.offset ?? null),
    ],
  );
  return aggregates.map((_, index) => {
    const row = rows.find((r) => Number(r.i) === index + 1);
    if (!row?.width_us || !row.origin_us) return null;
    return { widthUs: Number(row.width_us), originUs: Number(row.origin_us) };
  });
}

/** Epoch µs where each aggregate's materialisation ends (null: nothing materialised), by materialization hypertable. */
async function watermarks(
  client: pg.ClientBase,
  schema: string,
  aggregates: MetricAggregate[],
): Promise<Map<number, number | null>> {
  const fn = `${pgName(schema)}.cagg_watermark`;
  // The internal time of a timestamptz is epoch µs; an empty aggregate's is the least timestamptz,
  // which to_timestamp turns into NULL (and an unbounded one into ±infinity).
  const { rows } = await client.query<{ id: number; us: string | null }>(
    `SELECT id, CASE WHEN isfinite(ts) THEN (extract(epoch FROM ts) * 1000000)::text END AS us
     FROM (SELECT id, ${pgName(schema)}.to_timestamp(${fn}(id)) AS ts FROM unnest($1::int[]) AS id) AS w`,
    [aggregates.map((a) => a.matHypertableId)],
  );
  return new Map(rows.map((r) => [Number(r.id), r.us === null ? null : Number(r.us)]));
}

/** The aggregate's name without its schema, as the chart shows it: `metrics_hourly`. */
function labelOf(nameSql: string): string {
  const m = /(?:^|\.)(?:"((?:[^"]|"")*)"|([^."]+))$/.exec(nameSql);
  return m ? (m[1]?.replaceAll('""', '"') ?? m[2]!) : nameSql;
}

/**
 * The continuous aggregates directly over dash.pipeline_metrics a chart can
 * read, and the others with why not. Never throws for what the role may not
 * read: that is a refusal too (named `*` when it concerns them all).
 */
export async function chartAggregates(client: pg.ClientBase, ext: TimescaleExtension): Promise<ChartAggregateList> {
  const everything = (reason: string): ChartAggregateList => ({ usable: [], refused: [{ name: '*', reason }] });
  let aggregates: MetricAggregate[];
  let schema: string | null;
  try {
    aggregates = (await metricAggregates(client)).filter((a) => a.depth === 0);
    if (aggregates.length === 0) return { usable: [], refused: [] };
    schema = await watermarkSchema(client);
  } catch (err) {
    if (!asDatabaseError(err)) throw err;
    return everything(`The continuous aggregates could not be read from TimescaleDB's catalog: ${pgErrorText(err)}`);
  }
  if (!ext.usable) {
    const { rows } = await client.query<{ user_name: string }>('SELECT current_user AS user_name');
    const user = rows[0]?.user_name ?? 'this user';
    return {
      usable: [],
      refused: aggregates.map((a) => ({
        name: a.name,
        reason: `${labelOf(a.name)} cannot serve charts: the role "${user}" may not use the schema "${ext.schema}" where TimescaleDB's first() and last() live (${timescaleUsageGrant(ext, user)})`,
      })),
    };
  }
  if (schema === null) return everything("This TimescaleDB has no cagg_watermark(): its aggregates' extent is unknown");

  const refused: ChartAggregateRefusal[] = [];
  const recognized: { source: MetricAggregate; aggregate: ChartAggregate }[] = [];
  let buckets: (BucketFacts | null)[];
  let selectable: Set<string>;
  try {
    buckets = await bucketFacts(client, aggregates);
    const { rows } = await client.query<{ name: string }>(
      `SELECT t.name FROM unnest($1::text[]) AS t(name) JOIN pg_class c ON c.oid = to_regclass(t.name)
       WHERE has_table_privilege(c.oid, 'SELECT')`,
      [aggregates.map((a) => a.name)],
    );
    selectable = new Set(rows.map((r) => r.name));
  } catch (err) {
    if (!asDatabaseError(err)) throw err;
    return everything(`The continuous aggregates' buckets could not be read: ${pgErrorText(err)}`);
  }
  aggregates.forEach((source, index) => {
    const label = labelOf(source.name);
    if (!source.viewDefinition) {
      refused.push({ name: source.name, reason: `${label} cannot serve charts: its query is not in the catalog` });
      return;
    }
    if (!selectable.has(source.name)) {
      refused.push({ name: source.name, reason: `${label} cannot serve charts: this role may not SELECT from it` });
      return;
    }
    const result = recognizeChartAggregate({
      nameSql: source.name,
      label,
      viewDefinition: source.viewDefinition,
      bucket: buckets[index] ?? null,
      timezone: source.bucket?.timezone ?? null,
    });
    if ('reason' in result) refused.push({ name: source.name, reason: result.reason });
    else recognized.push({ source, aggregate: result.aggregate });
  });
  if (recognized.length === 0) return { usable: [], refused };

  let marks: Map<number, number | null>;
  try {
    marks = await watermarks(
      client,
      schema,
      recognized.map((r) => r.source),
    );
  } catch (err) {
    if (!asDatabaseError(err)) throw err;
    const reason = `its watermark (how far it is materialised) could not be read: ${pgErrorText(err)}`;
    return {
      usable: [],
      refused: [
        ...refused,
        ...recognized.map((r) => ({
          name: r.source.name,
          reason: `${r.aggregate.label} cannot serve charts: ${reason}`,
        })),
      ],
    };
  }
  const usable: ChartAggregateSource[] = [];
  for (const { source, aggregate } of recognized) {
    const watermarkUs = marks.get(source.matHypertableId) ?? null;
    // The watermark is the end of a materialised bucket: off the edges read from the catalog, those edges are wrong.
    if (watermarkUs !== null && (watermarkUs - aggregate.originUs) % aggregate.bucketUs !== 0) {
      refused.push({
        name: source.name,
        reason: `${aggregate.label} cannot serve charts: its watermark (${new Date(watermarkUs / 1000).toISOString()}) is not on the bucket edges its catalog entry gives`,
      });
      continue;
    }
    usable.push({ ...aggregate, watermarkUs, materializedOnly: source.materializedOnly });
  }
  return { usable, refused };
}

/**
 * The aggregates a server chart can read on this server, as ServerCharts takes
 * them: none on plain PostgreSQL or where the role may not use TimescaleDB.
 */
export async function chartAggregateChoices(
  client: pg.ClientBase,
  server: ServerModeInfo,
): Promise<ChartAggregateChoice[]> {
  const ext = server.timescale;
  if (server.mode !== 'timescaledb' || !ext?.usable) return [];
  const kind = { mode: server.mode, timescaleSchema: ext.schema };
  const { usable } = await chartAggregates(client, ext);
  return usable.map((agg) => ({
    label: agg.label,
    bucketUs: agg.bucketUs,
    originUs: agg.originUs,
    watermarkUs: agg.watermarkUs,
    m4Sql: (selection, ranges, grid) => aggregateM4Sql(kind, agg, selection, ranges, grid),
  }));
}
