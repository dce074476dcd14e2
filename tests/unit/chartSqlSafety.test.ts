/**
 * Names from a saved chart or a request never become SQL of their own: the
 * "Open Bronze records" SQL is one statement whose only comment is fixed text,
 * the schemas refuse names with line breaks, and the warehouse refuses a second
 * statement where the chart's SQL must be one.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChartSeriesRequest, ChartSpec, SeriesListRequest } from '../../src/shared/api/charts';
import { PreviewSeriesRequest } from '../../src/shared/api/push';
import { bronzeRecordsSql, seriesOfKeys } from '../../src/shared/charts/bronzeSql';
import { splitStatements } from '../../src/shared/sqlText';
import { Warehouse } from '../../src/main/services/warehouse/Warehouse';

const RANGE = { fromMs: Date.UTC(2026, 9, 1), toMs: Date.UTC(2026, 9, 2) };
const COMMENT = "-- Bronze records behind the chart's selection: the series shown, over the selected range.";

describe('the "Open Bronze records" SQL', () => {
  let dir: string;
  let db: DuckDBInstance;
  let con: DuckDBConnection;
  let target: string;
  let crafted: string[];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dash-bronze-sql-'));
    target = join(dir, 'stolen.csv');
    // What a crafted chart file would put in a metric name, a pipeline id or a series id.
    crafted = [
      '\n DROP TABLE bronze.energy_meters; --',
      `\n COPY (SELECT 42 AS x) TO '${target}';\n--`,
      `x)\r COPY (SELECT 42 AS x) TO '${target}'; SELECT (1`,
      `x\u2028COPY (SELECT 42 AS x) TO '${target}';`,
      `'); COPY (SELECT 42 AS x) TO '${target}'; --`,
      `"; COPY (SELECT 42 AS x) TO '${target}'; --`,
      `*/ COPY (SELECT 42 AS x) TO '${target}'; /*`,
    ];
    db = await DuckDBInstance.create(':memory:');
    con = await db.connect();
    await con.run(`CREATE SCHEMA bronze;
      CREATE TABLE bronze.energy_meters AS
        SELECT 'meter-0001' AS series_id, TIMESTAMPTZ '2026-10-01 12:00:00+00' AS ts, 1.5 AS value;`);
  });
  afterAll(async () => {
    con?.closeSync();
    db?.closeSync();
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a normal selection: the shown series over the range', async () => {
    const sql = bronzeRecordsSql(
      { pipelineId: 'energy_meters', metrics: ['energy_rate'], seriesKeys: ['energy_rate · meter-0001'] },
      RANGE,
    );
    expect(sql.split('\n')[0]).toBe(COMMENT);
    expect(sql).toContain("series_id IN ('meter-0001')");
    const rows = (await con.runAndReadAll(sql)).getRowObjectsJson();
    expect(rows.map((r) => r.series_id)).toEqual(['meter-0001']);
  });

  it('stays one statement, with only its fixed comment, whatever the names hold', async () => {
    for (const name of crafted) {
      const selections = [
        // A crafted metric name: it is in the chart's keys, never in the SQL.
        { pipelineId: 'energy_meters', metrics: [name], seriesKeys: [`${name} · meter-0001`] },
        // A crafted series id and pipeline id: quoted, inside a literal or an identifier.
        { pipelineId: 'energy_meters', metrics: ['energy_rate'], seriesKeys: [`energy_rate · ${name}`] },
        { pipelineId: name, metrics: ['energy_rate'], seriesKeys: ['energy_rate · meter-0001'] },
      ];
      for (const selection of selections) {
        const sql = bronzeRecordsSql(selection, RANGE);
        const label = JSON.stringify(selection);
        // DuckDB's own parser sees exactly one statement.
        expect((await con.extractStatements(sql)).count, label).toBe(1);
        // And so does the editor's splitter, whose text before the statement is the fixed comment alone.
        const statements = splitStatements(sql);
        expect(statements, label).toHaveLength(1);
        expect(sql.slice(0, statements[0]!.codeStart).trim(), label).toBe(COMMENT);
        // Data never adds a line outside a quoted name or literal.
        expect(sql.startsWith(`${COMMENT}\nSELECT *\nFROM bronze."`), label).toBe(true);
        // Running it runs that one SELECT (which may find no such view): nothing written, nothing dropped.
        await con.run(sql).catch(() => undefined);
      }
      // The metric name is nowhere in the SQL at all.
      const sql = bronzeRecordsSql(
        { pipelineId: 'energy_meters', metrics: [name], seriesKeys: [`${name} · meter-0001`] },
        RANGE,
      );
      expect(sql).toBe(
        bronzeRecordsSql(
          { pipelineId: 'energy_meters', metrics: ['energy_rate'], seriesKeys: ['energy_rate · meter-0001'] },
          RANGE,
        ),
      );
    }
    expect(existsSync(target)).toBe(false);
    expect((await con.runAndReadAll('SELECT count(*) AS n FROM bronze.energy_meters')).getRowObjectsJson()).toEqual([
      { n: '1' },
    ]);
  });

  it('takes series ids from the keys of the chart’s own metrics, even when a name holds the separator', () => {
    expect(seriesOfKeys(['a · b · meter-1', 'a · meter-2', 'other · meter-3', 'a · meter-2'], ['a', 'a · b'])).toEqual([
      'meter-1',
      'meter-2',
    ]);
  });
});

describe('names in saved charts and chart requests', () => {
  const spec = (metrics: string[], pipelineId = 'energy_meters'): unknown => ({
    version: 1,
    source: { kind: 'metrics', pipelineId, metrics, seriesIds: [] },
    type: 'line',
    bucket: 'auto',
    compare: 'none',
    window: null,
  });
  const bad = [
    'energy\n DROP TABLE x',
    'energy\rx',
    'tab\there',
    'ls\u2028x',
    'nel\u0085x',
    'nul\0x',
    '',
    'x'.repeat(257),
  ];
  const good = ['energy_rate', 'Energy rate (kWh)', 'a.b-c · d', 'x'.repeat(256)];

  it('refuses metric and pipeline names with line breaks or other control characters, and says why', () => {
    for (const name of good) expect(ChartSpec.safeParse(spec([name])).success, name).toBe(true);
    for (const name of bad) {
      const parsed = ChartSpec.safeParse(spec([name]));
      expect(parsed.success, JSON.stringify(name)).toBe(false);
      expect(ChartSpec.safeParse(spec(['energy_rate'], name)).success, JSON.stringify(name)).toBe(false);
    }
    const parsed = ChartSpec.safeParse(spec(["energy\n COPY (SELECT 1) TO 'x'; --"]));
    expect(parsed.error?.issues[0]?.path).toEqual(['source', 'metrics', 0]);
    expect(parsed.error?.issues[0]?.message).toBe(
      'a metric name cannot contain line breaks or other control characters',
    );
  });

  it('validates the API inputs that carry metric names the same way', () => {
    const series = {
      requestId: 'r1',
      pipelineId: 'energy_meters',
      metrics: ['energy_rate'],
      seriesIds: [],
      fromMs: 0,
      toMs: 1,
      width: 100,
      timeZone: 'UTC',
    };
    expect(ChartSeriesRequest.safeParse(series).success).toBe(true);
    expect(SeriesListRequest.safeParse({ pipelineId: 'energy_meters', metrics: ['energy_rate'] }).success).toBe(true);
    expect(PreviewSeriesRequest.safeParse({ previewId: 'p', seriesId: 's', metricName: 'energy_rate' }).success).toBe(
      true,
    );
    for (const name of bad) {
      const label = JSON.stringify(name);
      expect(ChartSeriesRequest.safeParse({ ...series, metrics: [name] }).success, label).toBe(false);
      expect(ChartSeriesRequest.safeParse({ ...series, pipelineId: name }).success, label).toBe(false);
      expect(SeriesListRequest.safeParse({ pipelineId: 'p', metrics: [name] }).success, label).toBe(false);
      expect(PreviewSeriesRequest.safeParse({ previewId: 'p', seriesId: 's', metricName: name }).success, label).toBe(
        false,
      );
    }
    // Series ids and the search are free text the SQL holds as literals: only NUL (which no literal can hold) is refused.
    expect(ChartSeriesRequest.safeParse({ ...series, seriesIds: ['a\nb'] }).success).toBe(true);
    expect(ChartSeriesRequest.safeParse({ ...series, seriesIds: ['a\0b'] }).success).toBe(false);
    expect(SeriesListRequest.safeParse({ pipelineId: 'p', metrics: [], search: 'a\0' }).success).toBe(false);
  });
});

describe('SQL the warehouse must run as one statement', () => {
  let warehouse: Warehouse;
  beforeAll(async () => {
    warehouse = await Warehouse.open({ rowsPerChunk: 1000 });
  });
  afterAll(async () => {
    await warehouse?.close();
  });

  it('is refused whole when it holds a second statement: none of it runs', async () => {
    const twice = 'CREATE TABLE injected AS SELECT 1 AS x; SELECT 2 AS y';
    await expect(warehouse.rows(twice, { oneStatement: true })).rejects.toThrow(/one SQL statement, got 2/);
    await expect(warehouse.run('q-one', twice, undefined, { oneStatement: true })).rejects.toThrow(
      /one SQL statement, got 2/,
    );
    const tables = await warehouse.rows("SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = 'injected'");
    expect(Number(tables[0]!.n)).toBe(0);
    expect(await warehouse.rows('SELECT 2 AS y', { oneStatement: true })).toEqual([{ y: 2 }]);
    // Without the option a script still runs, as the SQL editor's "run all" needs.
    expect(await warehouse.rows(twice)).toEqual([{ y: 2 }]);
  });
});
