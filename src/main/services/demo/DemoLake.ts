/**
 * The demo Bronze lake: three pipelines' raw records as Parquet, laid out as
 * the contract says (bronze/<pipeline_id>/date=<YYYY-MM-DD>/<batch_id>.parquet),
 * with the awkward things real connectors produce (gaps, spikes, a counter
 * reset, late and duplicate records, a schema drift day, broken raw JSON).
 *
 * Deterministic: every "random" number is a hash of (seed, series, slot,
 * purpose), never random(), and every file is written with a total ORDER BY,
 * so the same seed gives the same files byte for byte on any machine and thread
 * count (with the same DuckDB version, whose hash() it relies on).
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteLiteral } from '../../../shared/sql';
import { addDays, DAY_MS, utcDayOf } from '../../../shared/utcDays';
import { writeFileAtomic } from '../jsonFile';
import { DEMO_PIPELINE_IDS, type DemoPipelineId } from './DemoPipelines';
import { openDuckDB } from './openDuckDB';

export type DemoSizeName = 'tiny' | 'small' | 'demo' | 'bench';

/** Series per pipeline, minutes between a meter's or sensor's readings, days of data. */
export interface DemoSizeSpec {
  series: number;
  intervalMinutes: number;
  days: number;
}

export const DEMO_SIZES: Readonly<Record<DemoSizeName, DemoSizeSpec>> = {
  // Fast enough for every test run.
  tiny: { series: 10, intervalMinutes: 60, days: 30 },
  small: { series: 30, intervalMinutes: 30, days: 30 },
  // What a new demo workspace gets: ~0.95M Bronze records.
  demo: { series: 120, intervalMinutes: 15, days: 30 },
  // For `npm run bench`: ~11.6M Bronze records.
  bench: { series: 1500, intervalMinutes: 15, days: 30 },
};

export interface DemoLakeOptions {
  dir: string;
  seed?: number;
  size?: DemoSizeName | DemoSizeSpec;
  /** First day of data (UTC), YYYY-MM-DD. */
  startDay?: string;
  /**
   * Files written (`done` of `total`); `share` is the part of the whole work
   * done (0..1), where computing a pipeline's records counts as much as writing its files.
   */
  onProgress?: (done: number, total: number, message: string, share: number) => void;
  signal?: AbortSignal;
  /** DuckDB threads; default all cores. The output does not depend on it. */
  threads?: number;
}

export interface DemoLakePipeline {
  pipelineId: DemoPipelineId;
  files: number;
  rows: number;
  bytes: number;
}

/** Written last: a lake without it is incomplete. */
export interface DemoLakeManifest {
  format: 1;
  seed: number;
  size: { name: DemoSizeName | 'custom' } & DemoSizeSpec;
  startDay: string;
  /** Last day of data, inclusive. */
  endDay: string;
  pipelines: DemoLakePipeline[];
  /** Where the deliberate oddities are, for docs, tests and curious users. */
  oddities: {
    /** temperature_sensors: humidity is DOUBLE in this day's files only; firmware appears from this day on. */
    schemaDriftDay: string;
    /** energy_meters: the one meter whose energy_kwh counter restarts from zero. */
    counterReset: { seriesId: string; at: string };
  };
}

export const DEMO_MANIFEST_FILE = 'demo-manifest.json';

const BATCHES_PER_DAY: Readonly<Record<DemoPipelineId, number>> = {
  energy_meters: 2,
  temperature_sensors: 1,
  payment_events: 4,
};

interface Plan {
  seed: number;
  spec: DemoSizeSpec;
  startDay: string;
  /** Days since startDay. */
  driftDayIndex: number;
  resetSeries: number;
  /** Minutes since startDay 00:00 UTC. */
  resetMinute: number;
}

// ---------------------------------------------------------------- small helpers

function dayTs(day: string): string {
  return `TIMESTAMPTZ '${day} 00:00:00+00'`;
}

export function resolveDemoSize(size: DemoSizeName | DemoSizeSpec): { name: DemoSizeName | 'custom' } & DemoSizeSpec {
  const spec = typeof size === 'string' ? DEMO_SIZES[size] : size;
  if (!spec) {
    throw new Error(
      `Unknown demo size "${String(size)}"; use tiny, small, demo, bench or {series, intervalMinutes, days}`,
    );
  }
  const { series, intervalMinutes, days } = spec;
  if (!Number.isInteger(series) || series < 1 || series > 100_000) {
    throw new Error('Demo size: series must be an integer from 1 to 100000');
  }
  if (!Number.isInteger(intervalMinutes) || intervalMinutes < 1 || 1440 % intervalMinutes !== 0) {
    throw new Error(
      'Demo size: intervalMinutes must be a whole number of minutes that divides a day (1, 5, 15, 60, ...)',
    );
  }
  if (!Number.isInteger(days) || days < 1 || days > 3660) {
    throw new Error('Demo size: days must be an integer from 1 to 3660');
  }
  return { name: typeof size === 'string' ? size : 'custom', series, intervalMinutes, days };
}

function validDay(day: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(day) && utcDayOf(Date.parse(`${day}T00:00:00Z`)) === day;
}

/**
 * The hash-derived numbers every generator uses. u(): uniform in [0, 1) from the
 * top 53 bits of the hash; nrm(): standard normal (Box-Muller). All arguments
 * are cast so that the same numbers hash the same whatever their SQL type.
 * DuckDB combines a multi-argument hash() so weakly that two salts give
 * strongly correlated values (r ~ 0.9); hashing the result again decorrelates them.
 */
async function createMacros(con: DuckDBConnection, seed: number): Promise<void> {
  await con.run(`
    CREATE OR REPLACE TEMP MACRO u(a, b, salt) AS
      (hash(hash(${seed}::BIGINT, a::BIGINT, b::BIGINT, salt::VARCHAR)) >> 11)::DOUBLE / 9007199254740992.0;
    CREATE OR REPLACE TEMP MACRO nrm(a, b, salt) AS
      sqrt(-2 * ln(1 - u(a, b, salt || '#1'))) * cos(2 * pi() * u(a, b, salt || '#2'));
    -- Energy used since the start of the lake by a meter drawing
    -- p0 * (0.65 + 0.35 cos(2 pi (h - peak) / 24)) watts: the closed form
    -- keeps the counter monotonic and computable for any slot on its own.
    CREATE OR REPLACE TEMP MACRO kwh_since_start(p0, peak_h, h) AS
      p0 * (0.65 * h + 0.35 * 24 / (2 * pi()) * (sin(2 * pi() * (h - peak_h) / 24) - sin(2 * pi() * (0 - peak_h) / 24))) / 1000;
  `);
}

// Timestamps are formatted as ts::TIMESTAMP: the session is in UTC, so the text is the same, and
// formatting a plain timestamp is about twice as fast as one with a time zone.

/** Arrival delay: seconds to minutes, or (rarely) one to three days. */
function ingestedAtSql(prefix: string, lateShare: number, keyA: string, keyB: string, hasCopies: boolean): string {
  const redelivery = `
      + CASE WHEN copy = 1
          THEN to_milliseconds((1000 * (600 + 21000 * u(${keyA}, ${keyB}, '${prefix}.dup_by')))::BIGINT)
          ELSE INTERVAL 0 SECOND END`;
  return `ts
      + to_milliseconds((1000 * CASE
          WHEN u(${keyA}, ${keyB}, '${prefix}.late') < ${lateShare}
            THEN 86400 * (1 + 1.99 * u(${keyA}, ${keyB}, '${prefix}.late_by'))
          ELSE 2 + 178 * u(${keyA}, ${keyB}, '${prefix}.delay') END)::BIGINT)${hasCopies ? redelivery : ''}`;
}

/** Broken payloads: a handful of raw values cut short, as a flaky gateway would. */
function rawSql(jsonSql: string, prefix: string, keyA: string, keyB: string): string {
  return `CASE WHEN u(${keyA}, ${keyB}, '${prefix}.bad_json') < 0.0012
      THEN left((${jsonSql})::VARCHAR, (length((${jsonSql})::VARCHAR) * 2) // 3)
      ELSE (${jsonSql})::VARCHAR END`;
}

interface LandingWindow {
  /** Slots (readings since startDay) whose records may land in the lake's days. */
  fromSlot: number;
  toSlot: number;
  lakeStart: string;
  lakeEnd: string;
}

/**
 * Every pipeline is computed in one statement over all its days (planning a
 * statement costs more than running it at demo sizes), then cut into files by
 * landing day and batch. Records land after their event (late ones up to
 * three days later), so every record landing in the lake's days is in these slots.
 */
function landingWindow(plan: Plan): LandingWindow {
  const slotsPerDay = 1440 / plan.spec.intervalMinutes;
  return {
    fromSlot: 0,
    toSlot: plan.spec.days * slotsPerDay,
    lakeStart: dayTs(plan.startDay),
    lakeEnd: dayTs(addDays(plan.startDay, plan.spec.days)),
  };
}

/** The landing day (days since startDay, UTC) and the batch within it. */
function landingSql(pipelineId: DemoPipelineId, plan: Plan): string {
  const batches = BATCHES_PER_DAY[pipelineId];
  const startDayNumber = Date.parse(`${plan.startDay}T00:00:00Z`) / DAY_MS;
  return `(epoch_ms(ingested_at) // 86400000 - ${startDayNumber})::INTEGER AS day,
      (1 + (epoch_ms(ingested_at) % 86400000) * ${batches} // 86400000)::INTEGER AS batch`;
}

/** Gaps: ~10% of series (always series 3) miss 3 to 10 hours on one day. */
function gapColumnsSql(prefix: string, days: number): string {
  return `(i = 3 OR u(i, 0, '${prefix}.gap') < 0.1) AS has_gap,
      (floor(u(i, 0, '${prefix}.gap_day') * ${days})::BIGINT * 1440
        + floor(u(i, 0, '${prefix}.gap_hour') * 17)::BIGINT * 60) AS gap_start,
      ((3 + floor(u(i, 0, '${prefix}.gap_len') * 8)::BIGINT) * 60) AS gap_len`;
}

function notInGapSql(minuteSql: string): string {
  return `NOT (has_gap AND ${minuteSql} >= gap_start AND ${minuteSql} < gap_start + gap_len)`;
}

// ---------------------------------------------------------------- the three connectors

/**
 * energy_meters: power readings (W, value × multiplier) with a daily cycle,
 * noise and rare spikes; a cumulative energy counter; some 'error' readings
 * without a value; at-least-once delivery (duplicates).
 */
function energySql(plan: Plan): string {
  const { spec, startDay } = plan;
  const I = spec.intervalMinutes;
  const w = landingWindow(plan);
  const json = `json_object('meter_id', series_id, 'timestamp', strftime(ts::TIMESTAMP, '%Y-%m-%dT%H:%M:%SZ'),
      'power', value, 'multiplier', multiplier, 'energy_kwh', energy_kwh, 'status', status)`;
  return `
    WITH series AS (
      SELECT i AS sidx, printf('meter-%04d', i) AS series_id,
        400 + 3600 * u(i, 0, 'energy.p0') AS p0,
        18 + 3 * (u(i, 0, 'energy.peak') - 0.5) AS peak_h,
        1000 + 40000 * u(i, 0, 'energy.e0') AS e0,
        CASE WHEN i = 2 OR (i <> 1 AND u(i, 0, 'energy.mult') < 0.25) THEN 10.0 ELSE 1.0 END AS multiplier,
        ${gapColumnsSql('energy', spec.days)}
      FROM range(1, ${spec.series + 1}) t(i)
    ),
    readings AS (
      SELECT s.*, slot, slot * ${I} AS minute, slot * ${I} / 60.0 AS h,
        ${dayTs(startDay)} + to_minutes(slot * ${I}) AS ts
      FROM series s CROSS JOIN range(${w.fromSlot}, ${w.toSlot}) r(slot)
      WHERE ${notInGapSql(`slot * ${I}`)}
    ),
    copies AS (
      SELECT r.*, c.copy, ${ingestedAtSql('energy', 0.004, 'sidx', 'slot', true)} AS ingested_at
      FROM readings r CROSS JOIN (VALUES (0), (1)) c(copy)
      WHERE c.copy = 0 OR u(sidx, slot, 'energy.dup') < 0.002
    ),
    landed AS (
      SELECT * FROM copies WHERE ingested_at >= ${w.lakeStart} AND ingested_at < ${w.lakeEnd}
    ),
    typed AS (
      SELECT *,
        CASE WHEN u(sidx, slot, 'energy.status') < 0.008 THEN 'error' ELSE 'ok' END AS status,
        CASE WHEN u(sidx, slot, 'energy.status') < 0.008 THEN NULL
          ELSE round(greatest(0,
              p0 * (0.65 + 0.35 * cos(2 * pi() * (h - peak_h) / 24))
                 * (1 + 0.04 * nrm(sidx, slot, 'energy.noise'))
                 * CASE WHEN u(sidx, slot, 'energy.spike') < 0.0008 THEN 4 + 4 * u(sidx, slot, 'energy.spike_by') ELSE 1 END
            ) / multiplier, 1) END AS value,
        round(CASE WHEN sidx = ${plan.resetSeries} AND minute >= ${plan.resetMinute}
            THEN kwh_since_start(p0, peak_h, h) - kwh_since_start(p0, peak_h, ${plan.resetMinute / 60})
            ELSE e0 + kwh_since_start(p0, peak_h, h) END, 3) AS energy_kwh
      FROM landed
    )
    SELECT
      printf('%s-%s', series_id, strftime(ts::TIMESTAMP, '%Y%m%dT%H%M%SZ'))::VARCHAR AS record_id,
      'energy_meters'::VARCHAR AS pipeline_id,
      series_id::VARCHAR AS series_id,
      ts::TIMESTAMPTZ AS ts,
      ingested_at::TIMESTAMPTZ AS ingested_at,
      ${rawSql(json, 'energy', 'sidx', 'slot')} AS raw,
      value::DOUBLE AS value,
      multiplier::DOUBLE AS multiplier,
      energy_kwh::DOUBLE AS energy_kwh,
      status::VARCHAR AS status,
      ${landingSql('energy_meters', plan)}
    FROM typed`;
}

/**
 * temperature_sensors: temperature with a daily and a weekly cycle, humidity
 * that moves against it, a slowly draining battery. The connector changed on
 * the drift day: that day's files store humidity as DOUBLE, and from that day
 * on files carry a firmware column.
 */
function temperatureSql(plan: Plan): string {
  const { spec, startDay } = plan;
  const I = spec.intervalMinutes;
  const w = landingWindow(plan);
  return `
    WITH series AS (
      SELECT i AS sidx, printf('sensor-%04d', i) AS series_id,
        12 + 12 * u(i, 0, 'temp.base') AS base_c,
        3 + 4 * u(i, 0, 'temp.amp') AS amp_c,
        2 * pi() * u(i, 0, 'temp.week_phase') AS week_phase,
        0.1 + 0.3 * u(i, 0, 'temp.drain') AS drain_v,
        CASE WHEN u(i, 0, 'temp.fw') < 0.5 THEN '2.5.0' ELSE '2.4.1' END AS firmware,
        ${gapColumnsSql('temp', spec.days)}
      FROM range(1, ${spec.series + 1}) t(i)
    ),
    readings AS (
      SELECT s.*, slot, slot * ${I} AS minute, slot * ${I} / 60.0 AS h,
        ${dayTs(startDay)} + to_minutes(slot * ${I}) AS ts
      FROM series s CROSS JOIN range(${w.fromSlot}, ${w.toSlot}) r(slot)
      WHERE ${notInGapSql(`slot * ${I}`)}
    ),
    landed AS (
      SELECT *, ${ingestedAtSql('temp', 0.003, 'sidx', 'slot', false)} AS ingested_at FROM readings
    ),
    shaped AS (
      SELECT *,
        amp_c * cos(2 * pi() * (h - 15) / 24) + 2 * sin(2 * pi() * h / 168 + week_phase) AS swing_c
      FROM landed WHERE ingested_at >= ${w.lakeStart} AND ingested_at < ${w.lakeEnd}
    ),
    typed AS (
      SELECT *,
        round(base_c + swing_c + 0.3 * nrm(sidx, slot, 'temp.noise'), 2) AS temperature_c,
        least(100, greatest(5, 60 - 2.5 * swing_c + 4 * nrm(sidx, slot, 'temp.rh_noise'))) AS humidity_raw,
        round(3.6 - drain_v * h / (24 * ${spec.days}) - 0.01 * abs(nrm(sidx, slot, 'temp.bat_noise')), 3) AS battery_v
      FROM shaped
    )
    SELECT
      printf('%s-%s', series_id, strftime(ts::TIMESTAMP, '%Y%m%dT%H%M%SZ'))::VARCHAR AS record_id,
      'temperature_sensors'::VARCHAR AS pipeline_id,
      series_id::VARCHAR AS series_id,
      ts::TIMESTAMPTZ AS ts,
      ingested_at::TIMESTAMPTZ AS ingested_at,
      sidx, slot,
      temperature_c::DOUBLE AS temperature_c,
      humidity_raw,
      battery_v::DOUBLE AS battery_v,
      firmware::VARCHAR AS firmware,
      ${landingSql('temperature_sensors', plan)}
    FROM typed`;
}

/**
 * One landing day's temperature file: the connector changed on the drift day,
 * so that day's files store humidity as DOUBLE, and from that day on files
 * carry a firmware column (in the raw payload too).
 */
function temperatureFileSql(plan: Plan, dayIndex: number, from: string): string {
  const humidityDouble = dayIndex === plan.driftDayIndex;
  const hasFirmware = dayIndex >= plan.driftDayIndex;
  const humidity = humidityDouble ? 'round(humidity_raw, 1)::DOUBLE' : 'round(humidity_raw)::INTEGER';
  const json = `json_object('sensor', series_id, 'ts', strftime(ts::TIMESTAMP, '%Y-%m-%dT%H:%M:%SZ'),
      'temp_c', temperature_c, 'rh', humidity, 'battery', battery_v${hasFirmware ? ", 'fw', firmware" : ''})`;
  return `SELECT record_id, pipeline_id, series_id, ts, ingested_at,
      ${rawSql(json, 'temp', 'sidx', 'slot')} AS raw,
      temperature_c, humidity, battery_v${hasFirmware ? ', firmware' : ''}
    FROM (SELECT *, ${humidity} AS humidity FROM ${from})`;
}

const MERCHANTS = [
  'Café Aurora',
  'Nordic Books',
  'Green Grocer',
  'Pixel Repair',
  'Harbour Fish & Co',
  'Lumen Pharmacy',
  'Atlas Hardware',
  'Bäckerei Sonne',
];

/**
 * payment_events: irregular card payments per terminal, busy at midday and in
 * the evening, almost none at night; mostly 'ok', some 'failed' or 'refunded'.
 */
function paymentsSql(plan: Plan): string {
  const { spec, startDay } = plan;
  const I = spec.intervalMinutes;
  const w = landingWindow(plan);
  // Up to four payments per quarter hour per terminal, whatever the slot length.
  const perSlot = Math.max(1, Math.ceil((4 * I) / 15));
  const merchants = `[${MERCHANTS.map(quoteLiteral).join(', ')}]`;
  const json = `json_object('terminal', series_id, 'merchant', merchant, 'amount', amount,
      'currency', currency, 'status', status, 'at', strftime(ts::TIMESTAMP, '%Y-%m-%dT%H:%M:%S.%gZ'))`;
  return `
    WITH series AS (
      SELECT i AS sidx, printf('pos-%04d', i) AS series_id,
        ${merchants}[1 + (i - 1) % ${MERCHANTS.length}] AS merchant,
        CASE WHEN u(i, 0, 'pay.cur') < 0.7 THEN 'EUR' WHEN u(i, 0, 'pay.cur') < 0.9 THEN 'GBP' ELSE 'USD' END AS currency,
        0.5 + 2.0 * u(i, 0, 'pay.activity') AS activity,
        ${gapColumnsSql('pay', spec.days)}
      FROM range(1, ${spec.series + 1}) t(i)
    ),
    slots AS (
      SELECT s.*, slot, slot * ${I} AS minute, ((slot * ${I}) % 1440) / 60.0 AS hour_of_day
      FROM series s CROSS JOIN range(${w.fromSlot}, ${w.toSlot}) r(slot)
      WHERE ${notInGapSql(`slot * ${I}`)}
    ),
    events AS (
      SELECT sl.*, slot * 64 + k AS ev,
        ${dayTs(startDay)} + to_minutes(slot * ${I})
          + to_milliseconds(floor((k + u(sidx, slot * 64 + k, 'pay.at')) * ${I * 60_000} / ${perSlot})::BIGINT) AS ts
      FROM slots sl CROSS JOIN range(0, ${perSlot}) kk(k)
      WHERE u(sidx, slot * 64 + k, 'pay.event') <
        activity * ${I / 15} / ${perSlot}
          * CASE WHEN hour_of_day >= 7 AND hour_of_day < 22
              THEN 0.15 + 0.85 * abs(sin(pi() * (hour_of_day - 7) / 7.5))
              ELSE 0.04 END
    ),
    copies AS (
      SELECT e.*, c.copy, ${ingestedAtSql('pay', 0.005, 'sidx', 'ev', true)} AS ingested_at
      FROM events e CROSS JOIN (VALUES (0), (1)) c(copy)
      WHERE c.copy = 0 OR u(sidx, ev, 'pay.dup') < 0.003
    ),
    typed AS (
      SELECT *,
        round(exp(3.2 + 0.9 * nrm(sidx, ev, 'pay.amount')), 2) AS amount,
        CASE WHEN u(sidx, ev, 'pay.status') < 0.92 THEN 'ok'
             WHEN u(sidx, ev, 'pay.status') < 0.97 THEN 'failed'
             ELSE 'refunded' END AS status
      FROM copies WHERE ingested_at >= ${w.lakeStart} AND ingested_at < ${w.lakeEnd}
    )
    SELECT
      printf('%s-%s', series_id, strftime(ts::TIMESTAMP, '%Y%m%dT%H%M%S.%gZ'))::VARCHAR AS record_id,
      'payment_events'::VARCHAR AS pipeline_id,
      series_id::VARCHAR AS series_id,
      ts::TIMESTAMPTZ AS ts,
      ingested_at::TIMESTAMPTZ AS ingested_at,
      ${rawSql(json, 'pay', 'sidx', 'ev')} AS raw,
      amount::DOUBLE AS amount,
      currency::VARCHAR AS currency,
      status::VARCHAR AS status,
      merchant::VARCHAR AS merchant,
      ${landingSql('payment_events', plan)}
    FROM typed`;
}

/** All of a pipeline's records, with the landing `day` and `batch` that pick their file. */
const LANDING_SQL: Readonly<Record<DemoPipelineId, (plan: Plan) => string>> = {
  energy_meters: energySql,
  temperature_sensors: temperatureSql,
  payment_events: paymentsSql,
};

/** One file's columns, from the rows of `from` that land in it. */
function fileSql(pipelineId: DemoPipelineId, plan: Plan, dayIndex: number, from: string): string {
  if (pipelineId === 'temperature_sensors') return temperatureFileSql(plan, dayIndex, from);
  return `SELECT * EXCLUDE (day, batch) FROM ${from}`;
}

// ---------------------------------------------------------------- the generator

function planFor(seed: number, spec: DemoSizeSpec, startDay: string): Plan {
  // One meter restarts its counter at 09:00 on the middle day.
  const resetSeries = 1 + (Math.abs(Math.imul(seed ^ 0x5bd1e995, 2654435761)) % spec.series);
  const resetMinute = Math.floor(spec.days / 2) * 1440 + 9 * 60;
  return {
    seed,
    spec,
    startDay,
    driftDayIndex: Math.floor(spec.days * 0.4),
    resetSeries,
    resetMinute: resetMinute - (resetMinute % spec.intervalMinutes),
  };
}

async function readManifest(dir: string): Promise<DemoLakeManifest | null> {
  try {
    return JSON.parse(await readFile(join(dir, DEMO_MANIFEST_FILE), 'utf8')) as DemoLakeManifest;
  } catch {
    return null;
  }
}

function sameLake(manifest: DemoLakeManifest, seed: number, spec: DemoSizeSpec, startDay: string): boolean {
  return (
    manifest.format === 1 &&
    manifest.seed === seed &&
    manifest.startDay === startDay &&
    manifest.size?.series === spec.series &&
    manifest.size?.intervalMinutes === spec.intervalMinutes &&
    manifest.size?.days === spec.days
  );
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  signal?.throwIfAborted();
}

/**
 * Writes the demo lake into `dir` (bronze/… and demo-manifest.json). A lake
 * already complete with the same parameters is kept as it is; anything else of
 * ours (an interrupted run, another seed) is replaced.
 */
export async function generateDemoLake(options: DemoLakeOptions): Promise<DemoLakeManifest> {
  const { dir, seed = 42, size = 'demo', startDay = '2026-10-01', onProgress, signal } = options;
  if (!Number.isSafeInteger(seed)) throw new Error('The demo seed must be an integer');
  if (!validDay(startDay)) throw new Error(`startDay must be a date like 2026-10-01, not "${startDay}"`);
  const resolved = resolveDemoSize(size);
  const spec: DemoSizeSpec = {
    series: resolved.series,
    intervalMinutes: resolved.intervalMinutes,
    days: resolved.days,
  };

  const existing = await readManifest(dir);
  if (existing && sameLake(existing, seed, spec, startDay)) return existing;

  // The manifest goes first and comes back last, so a stop in between leaves no
  // lake that claims to be complete.
  await rm(join(dir, DEMO_MANIFEST_FILE), { force: true });
  for (const pipelineId of DEMO_PIPELINE_IDS) {
    await rm(join(dir, 'bronze', pipelineId), { recursive: true, force: true });
  }

  const plan = planFor(seed, spec, startDay);
  const total = DEMO_PIPELINE_IDS.reduce((sum, id) => sum + spec.days * BATCHES_PER_DAY[id], 0);
  let done = 0;
  const pipelines: DemoLakePipeline[] = [];

  const db = await openDuckDB(signal, options.threads);
  try {
    await createMacros(db.con, seed);
    for (const pipelineId of DEMO_PIPELINE_IDS) {
      const summary: DemoLakePipeline = { pipelineId, files: 0, rows: 0, bytes: 0 };
      const pipelineIndex = DEMO_PIPELINE_IDS.indexOf(pipelineId);
      const pipelineFiles = spec.days * BATCHES_PER_DAY[pipelineId];
      const share = (filesOfPipeline: number): number =>
        (2 * pipelineIndex + 1 + filesOfPipeline / pipelineFiles) / (2 * DEMO_PIPELINE_IDS.length);
      onProgress?.(
        done,
        total,
        `Computing ${pipelineId} records`,
        (2 * pipelineIndex) / (2 * DEMO_PIPELINE_IDS.length),
      );
      throwIfAborted(signal);
      // Sorted by file, so that each file's rows are a narrow slice to scan.
      await db.con.run(
        `CREATE OR REPLACE TEMP TABLE landing AS SELECT * FROM (${LANDING_SQL[pipelineId](plan)}) ORDER BY day, batch`,
      );
      const counts = await db.con.runAndReadAll(
        'SELECT day, batch, count(*)::BIGINT AS n FROM landing GROUP BY day, batch',
      );
      const rowsByFile = new Map(
        counts.getRowObjects().map((row) => [`${Number(row.day)}/${Number(row.batch)}`, Number(row.n)]),
      );
      for (let dayIndex = 0; dayIndex < spec.days; dayIndex++) {
        throwIfAborted(signal);
        const day = addDays(startDay, dayIndex);
        const dayDir = join(dir, 'bronze', pipelineId, `date=${day}`);
        for (let batch = 1; batch <= BATCHES_PER_DAY[pipelineId]; batch++) {
          throwIfAborted(signal);
          const rows = rowsByFile.get(`${dayIndex}/${batch}`) ?? 0;
          if (rows > 0) {
            await mkdir(dayDir, { recursive: true });
            const batchId = `batch-${String(batch).padStart(4, '0')}`;
            const finalPath = join(dayDir, `${batchId}.parquet`);
            // Not *.parquet until complete: readers' globs never see a partial file.
            const tempPath = join(dayDir, `.${batchId}.parquet.tmp`);
            const rowsOfFile = `(SELECT * FROM landing WHERE day = ${dayIndex} AND batch = ${batch})`;
            await db.con.run(
              `COPY (${fileSql(pipelineId, plan, dayIndex, rowsOfFile)} ORDER BY ingested_at, record_id)
               TO ${quoteLiteral(tempPath)} (FORMAT parquet, COMPRESSION zstd)`,
            );
            await rename(tempPath, finalPath);
            summary.files += 1;
            summary.rows += rows;
            summary.bytes += (await stat(finalPath)).size;
          }
          done += 1;
          onProgress?.(done, total, `${pipelineId} ${day}`, share(dayIndex * BATCHES_PER_DAY[pipelineId] + batch));
        }
      }
      pipelines.push(summary);
    }
  } catch (err) {
    // An interrupted statement surfaces as a DuckDB error: report the cancel instead.
    throwIfAborted(signal);
    throw err;
  } finally {
    db.close();
  }

  const manifest: DemoLakeManifest = {
    format: 1,
    seed,
    size: resolved,
    startDay,
    endDay: addDays(startDay, spec.days - 1),
    pipelines,
    oddities: {
      schemaDriftDay: addDays(startDay, plan.driftDayIndex),
      counterReset: {
        seriesId: `meter-${String(plan.resetSeries).padStart(4, '0')}`,
        at: new Date(Date.parse(`${startDay}T00:00:00Z`) + plan.resetMinute * 60_000).toISOString(),
      },
    },
  };
  const manifestPath = join(dir, DEMO_MANIFEST_FILE);
  await writeFileAtomic(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/** True when `dir` holds a complete demo lake. */
export function isDemoLakeComplete(dir: string): boolean {
  return existsSync(join(dir, DEMO_MANIFEST_FILE));
}
