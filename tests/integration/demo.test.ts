/**
 * The demo Bronze lake and its metrics cache, read back with native DuckDB:
 * deterministic, laid out as the contract says, with every oddity the docs
 * promise (drift day, counter reset, gaps, late and duplicate records, broken
 * raw JSON).
 */
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoLake, type DemoLakeManifest } from '../../src/main/services/demo/DemoLake';
import { demoBronzeGlob, writeDemoMetricsParquet } from '../../src/main/services/demo/DemoMetrics';
import { DEMO_PIPELINE_IDS, demoMetricsSql } from '../../src/main/services/demo/DemoPipelines';
import { openDuckDB, type LocalDuckDB } from '../../src/main/services/demo/openDuckDB';
import { quoteLiteral } from '../../src/shared/sql';
import { listFiles } from '../setup/TestServers';

type Row = Record<string, unknown>;

/** relative path -> sha256 of the bytes */
async function fingerprint(dir: string): Promise<Map<string, string>> {
  const files = (await listFiles(dir)).sort();
  const out = new Map<string, string>();
  for (const file of files) {
    out.set(
      relative(dir, file).split(sep).join('/'),
      createHash('sha256')
        .update(await readFile(file))
        .digest('hex'),
    );
  }
  return out;
}

const COMMON_COLUMNS = {
  record_id: 'VARCHAR',
  pipeline_id: 'VARCHAR',
  series_id: 'VARCHAR',
  ts: 'TIMESTAMP WITH TIME ZONE',
  ingested_at: 'TIMESTAMP WITH TIME ZONE',
  raw: 'VARCHAR',
};
const TYPED_COLUMNS: Record<string, Record<string, string>> = {
  energy_meters: { value: 'DOUBLE', multiplier: 'DOUBLE', energy_kwh: 'DOUBLE', status: 'VARCHAR' },
  temperature_sensors: { temperature_c: 'DOUBLE', battery_v: 'DOUBLE' },
  payment_events: { amount: 'DOUBLE', currency: 'VARCHAR', status: 'VARCHAR', merchant: 'VARCHAR' },
};

describe('demo Bronze lake', () => {
  let root: string;
  let lakeA: string;
  let lakeB: string;
  let manifest: DemoLakeManifest;
  let db: LocalDuckDB;

  async function rows(sql: string): Promise<Row[]> {
    return (await db.con.runAndReadAll(sql)).getRowObjectsJS() as Row[];
  }
  function bronze(pipelineId: string, lake = lakeA): string {
    return `read_parquet(${quoteLiteral(demoBronzeGlob(lake, pipelineId))}, hive_partitioning = true, union_by_name = true)`;
  }

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'dash-demo-test-'));
    lakeA = join(root, 'a');
    lakeB = join(root, 'b');
    // Different thread counts: the bytes must not depend on them.
    [manifest] = await Promise.all([
      generateDemoLake({ dir: lakeA, seed: 42, size: 'tiny', threads: 1 }),
      generateDemoLake({ dir: lakeB, seed: 42, size: 'tiny', threads: 2 }),
    ]);
    db = await openDuckDB();
  });

  afterAll(async () => {
    db?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('is byte-for-byte deterministic for a seed, and differs for another seed', async () => {
    const [a, b] = await Promise.all([fingerprint(lakeA), fingerprint(lakeB)]);
    expect(a.size).toBeGreaterThan(100);
    expect([...b.keys()]).toEqual([...a.keys()]);
    expect(b).toEqual(a);

    const small = { series: 3, intervalMinutes: 60, days: 2 };
    const [s42, s7] = await Promise.all([
      generateDemoLake({ dir: join(root, 'small-42'), seed: 42, size: small }),
      generateDemoLake({ dir: join(root, 'small-7'), seed: 7, size: small }),
    ]);
    expect(s7.pipelines.map((p) => p.rows)).not.toEqual(s42.pipelines.map((p) => p.rows));
  });

  it('lays files out as bronze/<pipeline>/date=<YYYY-MM-DD>/<batch_id>.parquet, manifest last', async () => {
    const files = (await listFiles(lakeA)).map((f) => relative(lakeA, f).split(sep).join('/'));
    const bronzeFiles = files.filter((f) => f.startsWith('bronze/'));
    expect(files.filter((f) => !f.startsWith('bronze/'))).toEqual(['demo-manifest.json']);
    for (const file of bronzeFiles) {
      expect(file).toMatch(
        /^bronze\/(energy_meters|temperature_sensors|payment_events)\/date=\d{4}-\d{2}-\d{2}\/batch-\d{4}\.parquet$/,
      );
    }
    for (const p of manifest.pipelines) {
      const own = bronzeFiles.filter((f) => f.startsWith(`bronze/${p.pipelineId}/`));
      expect(own.length).toBe(p.files);
      const days = new Set(own.map((f) => f.split('/')[2]));
      expect(days.size).toBe(30);
      expect([...days].sort()[0]).toBe('date=2026-10-01');
      expect([...days].sort().at(-1)).toBe('date=2026-10-30');
    }
    expect(manifest).toMatchObject({ seed: 42, size: { name: 'tiny', series: 10, intervalMinutes: 60, days: 30 } });
    expect(manifest.pipelines.map((p) => p.pipelineId)).toEqual([...DEMO_PIPELINE_IDS]);
  });

  it('has the contract columns, with their types, in every file', async () => {
    for (const pipelineId of DEMO_PIPELINE_IDS) {
      const schema = await rows(
        `SELECT file_name, name, duckdb_type FROM parquet_schema(${quoteLiteral(demoBronzeGlob(lakeA, pipelineId))}) WHERE name <> 'duckdb_schema'`,
      );
      const byFile = new Map<string, Record<string, string>>();
      for (const r of schema) {
        const cols = byFile.get(String(r.file_name)) ?? {};
        cols[String(r.name)] = String(r.duckdb_type);
        byFile.set(String(r.file_name), cols);
      }
      expect(byFile.size).toBe(manifest.pipelines.find((p) => p.pipelineId === pipelineId)!.files);
      for (const cols of byFile.values()) {
        expect(cols).toMatchObject({ ...COMMON_COLUMNS, ...TYPED_COLUMNS[pipelineId] });
      }
      const [ids] = await rows(`SELECT list(DISTINCT pipeline_id) AS ids, count(*) AS n FROM ${bronze(pipelineId)}`);
      expect(ids!.ids).toEqual([pipelineId]);
      expect(Number(ids!.n)).toBe(manifest.pipelines.find((p) => p.pipelineId === pipelineId)!.rows);
    }
  });

  it('partitions by landing date, with late records in later partitions', async () => {
    for (const pipelineId of DEMO_PIPELINE_IDS) {
      const [r] = await rows(`
        SELECT count(*) FILTER (WHERE date <> ingested_at::DATE) AS misplaced,
               count(*) FILTER (WHERE ingested_at - ts > INTERVAL 1 DAY AND date > ts::DATE) AS late,
               count(*) FILTER (WHERE ingested_at < ts) AS before_event
        FROM ${bronze(pipelineId)}`);
      expect(Number(r!.misplaced)).toBe(0);
      expect(Number(r!.before_event)).toBe(0);
      expect(Number(r!.late)).toBeGreaterThan(0);
    }
  });

  it('drifts temperature_sensors on one day: humidity DOUBLE that day, firmware from then on', async () => {
    const drift = manifest.oddities.schemaDriftDay;
    expect(drift).toBe('2026-10-13');
    const schema = await rows(`
      SELECT regexp_extract(file_name, 'date=([0-9-]+)', 1) AS day,
             max(duckdb_type) FILTER (WHERE name = 'humidity') AS humidity,
             bool_or(name = 'firmware') AS has_firmware
      FROM parquet_schema(${quoteLiteral(demoBronzeGlob(lakeA, 'temperature_sensors'))})
      GROUP BY ALL ORDER BY day`);
    expect(schema).toHaveLength(30);
    for (const r of schema) {
      expect(r.humidity).toBe(r.day === drift ? 'DOUBLE' : 'INTEGER');
      expect(r.has_firmware).toBe(String(r.day) >= drift);
    }
    // Read together, the column widens to DOUBLE and firmware is null before the drift.
    const described = await rows(`DESCRIBE SELECT humidity, firmware FROM ${bronze('temperature_sensors')}`);
    expect(described.map((r) => r.column_type)).toEqual(['DOUBLE', 'VARCHAR']);
    const [counts] = await rows(`
      SELECT count(firmware) FILTER (WHERE date < DATE '${drift}') AS before,
             count(*) FILTER (WHERE date >= DATE '${drift}' AND firmware IS NULL) AS missing_after,
             count(*) FILTER (WHERE date = DATE '${drift}' AND humidity <> round(humidity)) AS fractional_on_drift_day
      FROM ${bronze('temperature_sensors')}`);
    expect(counts).toMatchObject({ before: 0n, missing_after: 0n });
    expect(Number(counts!.fractional_on_drift_day)).toBeGreaterThan(0);
  });

  it('resets exactly one energy counter, where the manifest says', async () => {
    const resets = await rows(`
      SELECT series_id, strftime(ts, '%Y-%m-%dT%H:%M:%S.000Z') AS at FROM (
        SELECT series_id, ts, energy_kwh, lag(energy_kwh) OVER (PARTITION BY series_id ORDER BY ts, ingested_at) AS prev
        FROM ${bronze('energy_meters')})
      WHERE energy_kwh < prev`);
    expect(resets).toEqual([
      { series_id: manifest.oddities.counterReset.seriesId, at: manifest.oddities.counterReset.at },
    ]);
  });

  it('has gaps, spikes, errors, duplicates and a handful of broken raw payloads', async () => {
    const [energy] = await rows(`
      SELECT count(*) AS n, count(DISTINCT record_id) AS ids,
             count(*) FILTER (WHERE NOT json_valid(raw)) AS bad_json,
             count(*) FILTER (WHERE status = 'error') AS errors,
             count(*) FILTER (WHERE status = 'error' AND value IS NOT NULL) AS errors_with_value,
             count(DISTINCT multiplier) AS multipliers,
             max(value * multiplier) / median(value * multiplier) AS spike_ratio
      FROM ${bronze('energy_meters')}`);
    expect(Number(energy!.ids)).toBeLessThan(Number(energy!.n));
    expect(Number(energy!.bad_json)).toBeGreaterThan(0);
    expect(Number(energy!.bad_json)).toBeLessThan(Number(energy!.n) / 100);
    expect(Number(energy!.errors)).toBeGreaterThan(0);
    expect(Number(energy!.errors_with_value)).toBe(0);
    expect(Number(energy!.multipliers)).toBe(2);
    expect(Number(energy!.spike_ratio)).toBeGreaterThan(5);

    // Gaps: some meter misses several consecutive hours (tiny = hourly readings).
    const [gap] = await rows(`
      SELECT max(ts - prev) AS widest FROM (
        SELECT ts, lag(ts) OVER (PARTITION BY series_id ORDER BY ts) AS prev
        FROM (SELECT DISTINCT series_id, ts FROM ${bronze('energy_meters')}))`);
    expect(Number((gap!.widest as { micros: bigint }).micros) / 3.6e9).toBeGreaterThanOrEqual(4);

    const [payments] = await rows(`
      SELECT count(*) AS n, count(DISTINCT record_id) AS ids, list(DISTINCT status ORDER BY status) AS statuses
      FROM ${bronze('payment_events')}`);
    expect(Number(payments!.ids)).toBeLessThan(Number(payments!.n));
    expect(payments!.statuses).toEqual(['failed', 'ok', 'refunded']);
  });

  it('computes the demo metrics with duplicates removed and nulls dropped', async () => {
    const metrics = (id: string): string => `(${demoMetricsSql(id, demoBronzeGlob(lakeA, id))})`;
    const [temp] = await rows(`
      SELECT (SELECT count(*) FROM ${metrics('temperature_sensors')}) AS metric_rows,
             (SELECT count(DISTINCT record_id) FROM ${bronze('temperature_sensors')}) AS records`);
    expect(Number(temp!.metric_rows)).toBe(3 * Number(temp!.records));

    const [energy] = await rows(`
      SELECT count(*) FILTER (WHERE metric_name = 'power_kw') AS power,
             count(*) FILTER (WHERE metric_name = 'energy_rate') AS rate,
             count(*) FILTER (WHERE value IS NULL) AS nulls,
             count(*) - count(DISTINCT (metric_name, series_id, time)) AS key_duplicates
      FROM ${metrics('energy_meters')}`);
    const [ok] = await rows(
      `SELECT count(DISTINCT record_id) AS n FROM ${bronze('energy_meters')} WHERE status = 'ok'`,
    );
    expect(Number(energy!.power)).toBe(Number(ok!.n));
    // No rate for each meter's first reading nor across the counter reset.
    expect(Number(energy!.rate)).toBe(Number(ok!.n) - 10 - 1);
    expect(energy).toMatchObject({ nulls: 0n, key_duplicates: 0n });
  });

  it('writes the metrics cache as metrics/pipeline_id=<id>/date=<day>/part-0.parquet', async () => {
    const outDir = join(root, 'cache');
    const summary = await writeDemoMetricsParquet({ lakeDir: lakeA, outDir });
    const files = (await listFiles(outDir)).map((f) => relative(outDir, f).split(sep).join('/'));
    expect(files.length).toBe(90);
    for (const f of files) {
      expect(f).toMatch(
        /^metrics\/pipeline_id=(energy_meters|temperature_sensors|payment_events)\/date=2026-10-\d{2}\/part-0\.parquet$/,
      );
    }
    const cached = await rows(`
      SELECT pipeline_id, count(*) AS n, count(*) FILTER (WHERE date <> time::DATE) AS misplaced
      FROM read_parquet(${quoteLiteral(join(outDir, 'metrics', '*', '*', '*.parquet'))}, hive_partitioning = true)
      GROUP BY ALL ORDER BY pipeline_id`);
    const computed = await Promise.all(
      [...DEMO_PIPELINE_IDS].sort().map(async (id) => {
        const [r] = await rows(`SELECT count(*) AS n FROM (${demoMetricsSql(id, demoBronzeGlob(lakeA, id))})`);
        return { pipeline_id: id, n: r!.n, misplaced: 0n };
      }),
    );
    expect(cached).toEqual(computed);
    expect(summary.pipelines.map((p) => p.rows).reduce((a, b) => a + b)).toBe(
      computed.reduce((a, c) => a + Number(c.n), 0),
    );
    const [schema] = await rows(`
      SELECT list(name ORDER BY column_id) AS names FROM parquet_schema(${quoteLiteral(files.map((f) => join(outDir, f))[0]!)})
      WHERE name <> 'duckdb_schema'`);
    expect(schema!.names).toEqual(['time', 'pipeline_id', 'series_id', 'metric_name', 'value']);
  });

  it('keeps a complete lake, and a cancelled run leaves no manifest behind', async () => {
    const manifestPath = join(lakeA, 'demo-manifest.json');
    const before = statSync(manifestPath).mtimeMs;
    const again = await generateDemoLake({ dir: lakeA, seed: 42, size: 'tiny' });
    expect(again).toEqual(manifest);
    expect(statSync(manifestPath).mtimeMs).toBe(before);

    const dir = join(root, 'cancelled');
    const controller = new AbortController();
    await expect(
      generateDemoLake({
        dir,
        size: 'tiny',
        signal: controller.signal,
        onProgress: (done) => {
          if (done === 3) controller.abort(new Error('stop here'));
        },
      }),
    ).rejects.toThrow('stop here');
    expect(existsSync(join(dir, 'demo-manifest.json'))).toBe(false);
    expect((await listFiles(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
