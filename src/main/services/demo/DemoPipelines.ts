/**
 * The demo's three pipelines: their definitions in the formula language, and
 * the DuckDB SQL each definition means, written by hand so the demo's metrics
 * do not depend on the compiler they are there to check
 * (tests/integration/formulaEngines.test.ts holds the two to the same rows).
 *
 * The semantics the SQL below pins down (the compiler must give the same rows):
 * - Bronze records are deduplicated by record_id first; the copy ingested
 *   first is kept (connectors deliver at least once).
 * - The filter keeps records for which it is true (null counts as false).
 * - Per-series window functions see the filtered records of one series_id,
 *   ordered by ts.
 * - rate(x, d): (x - previous x) / (ts - previous ts) scaled to the duration
 *   d; null for a series' first record and where x went down (a counter reset).
 * - Each metric gives one row per record: time = ts. Null values are not
 *   written.
 */
import { quoteLiteral } from '../../../shared/sql';
import type { PipelineDefinition } from '../../../shared/api/contract';

export const DEMO_PIPELINE_IDS = ['energy_meters', 'temperature_sensors', 'payment_events'] as const;
export type DemoPipelineId = (typeof DEMO_PIPELINE_IDS)[number];

export interface DemoPipeline {
  id: DemoPipelineId;
  name: string;
  definition: PipelineDefinition;
}

export const DEMO_PIPELINES: readonly DemoPipeline[] = [
  {
    id: 'energy_meters',
    name: 'Energy meters',
    definition: {
      source: 'bronze/energy_meters/',
      filter: "status = 'ok'",
      metrics: [
        { name: 'power_kw', formula: 'value * multiplier / 1000', unit: 'kW' },
        { name: 'energy_rate', formula: 'rate(energy_kwh, 1h)', unit: 'kWh/h' },
      ],
    },
  },
  {
    id: 'temperature_sensors',
    name: 'Temperature sensors',
    definition: {
      source: 'bronze/temperature_sensors/',
      filter: null,
      metrics: [
        { name: 'temperature_c', formula: 'temperature_c', unit: '°C' },
        { name: 'humidity_pct', formula: 'humidity', unit: '%' },
        { name: 'battery_v', formula: 'battery_v', unit: 'V' },
      ],
    },
  },
  {
    id: 'payment_events',
    name: 'Payment events',
    definition: {
      source: 'bronze/payment_events/',
      filter: null,
      metrics: [
        { name: 'revenue', formula: "if(status = 'ok', amount, null)", unit: 'terminal currency' },
        { name: 'refunds', formula: "if(status = 'refunded', amount, null)", unit: 'terminal currency' },
        { name: 'failed_payments', formula: "if(status = 'failed', 1, 0)", unit: 'count' },
      ],
    },
  },
];

export function isDemoPipelineId(id: string): id is DemoPipelineId {
  return (DEMO_PIPELINE_IDS as readonly string[]).includes(id);
}

/** Bronze records of one pipeline, one copy per record_id. */
function recordsSql(bronzeGlob: string): string {
  return `SELECT * FROM read_parquet(${quoteLiteral(bronzeGlob)}, hive_partitioning = true, union_by_name = true)
    QUALIFY row_number() OVER (PARTITION BY record_id ORDER BY ingested_at) = 1`;
}

/** Wide (one column per metric) to the metrics table's long shape, nulls dropped. */
function unpivotSql(pipelineId: DemoPipelineId, wideSql: string, metricNames: readonly string[]): string {
  return `SELECT ts::TIMESTAMPTZ AS time, ${quoteLiteral(pipelineId)}::VARCHAR AS pipeline_id,
      series_id::VARCHAR AS series_id, metric_name::VARCHAR AS metric_name, value::DOUBLE AS value
    FROM (${wideSql}) UNPIVOT (value FOR metric_name IN (${metricNames.join(', ')}))`;
}

const WIDE_SQL: Readonly<Record<DemoPipelineId, (records: string) => string>> = {
  energy_meters: (records) => `
    SELECT ts, series_id,
      value * multiplier / 1000 AS power_kw,
      CASE WHEN energy_kwh >= prev_energy_kwh AND ts > prev_ts
        THEN (energy_kwh - prev_energy_kwh) / ((epoch_us(ts) - epoch_us(prev_ts)) / 1e6) * 3600 END AS energy_rate
    FROM (
      SELECT *,
        lag(energy_kwh) OVER (PARTITION BY series_id ORDER BY ts) AS prev_energy_kwh,
        lag(ts) OVER (PARTITION BY series_id ORDER BY ts) AS prev_ts
      FROM (${records}) WHERE status = 'ok'
    )`,
  temperature_sensors: (records) => `
    SELECT ts, series_id,
      temperature_c::DOUBLE AS temperature_c,
      humidity::DOUBLE AS humidity_pct,
      battery_v::DOUBLE AS battery_v
    FROM (${records})`,
  payment_events: (records) => `
    SELECT ts, series_id,
      CASE WHEN status = 'ok' THEN amount END AS revenue,
      CASE WHEN status = 'refunded' THEN amount END AS refunds,
      CASE WHEN status = 'failed' THEN 1 ELSE 0 END::DOUBLE AS failed_payments
    FROM (${records})`,
};

/**
 * A SELECT of (time, pipeline_id, series_id, metric_name, value) computing the
 * demo pipeline's metrics from its Bronze files (`bronzeGlob`, e.g.
 * `<lake>/bronze/energy_meters/*\/*.parquet`), in no particular order.
 */
export function demoMetricsSql(pipelineId: string, bronzeGlob: string): string {
  if (!isDemoPipelineId(pipelineId)) throw new Error(`"${pipelineId}" is not a demo pipeline`);
  const pipeline = DEMO_PIPELINES.find((p) => p.id === pipelineId)!;
  const metricNames = pipeline.definition.metrics.map((m) => m.name);
  return unpivotSql(pipelineId, WIDE_SQL[pipelineId](recordsSql(bronzeGlob)), metricNames);
}
