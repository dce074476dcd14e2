/**
 * Metric charts computed on the server equal the cached chart on the same rows:
 * M4, raw points and calendar buckets (DST days in Europe/Berlin), on both
 * cached engines (native warehouse, DuckDB-WASM) and both kinds of server
 * (plain PostgreSQL, Debian's TimescaleDB); a chart over partly cached days
 * reads them locally and the rest from the server, with one line; only the
 * statements that group rows run with the chart planner settings; a heavy read
 * answers with an estimate; cancel and timeout leave no backend running.
 */
import type { Table } from 'apache-arrow';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ChartSeriesResult } from '../../src/shared/api/charts';
import { ChartSeriesRequest } from '../../src/shared/api/charts';
import { chartData, type ChartData } from '../../src/shared/charts/chartQuery';
import { ChartService } from '../../src/main/services/charts/ChartService';
import { ServerCharts, type ServerChartsOptions } from '../../src/main/services/charts/ServerCharts';
import { applyMigrations } from '../../src/main/services/postgres/Migrations';
import { ReadOnlyStatements, type ReadOnlyRun } from '../../src/main/services/postgres/ReadOnlyStatements';
import { selectionWhereSql } from '../../src/shared/charts/serverChartSql';
import { pgLiteral } from '../../src/shared/serverSql';
import { harness, type Harness } from '../support/metricSyncFixture';
import { NodeWasmEngine } from '../support/NodeWasmEngine';
import { createTestDatabase } from '../support/postgres';
import { createTimescaleDatabase, describeTimescale } from '../support/timescale';

const FIRST = Date.parse('2026-03-26T00:00:00Z');
const DAYS = 6; // over the last Sunday of March: Europe/Berlin's 23-hour day
const END = FIRST + DAYS * 86_400_000;
const HOUR = 3_600_000;

/** 4 series × 2 metrics, a point a minute, with a spike, a two-hour gap and NULLs; no two values of a series tie. */
async function seedChartRows(client: pg.ClientBase): Promise<void> {
  await applyMigrations(client);
  await client.query(`
    INSERT INTO dash.pipelines (id, name, version, definition, updated_by)
    VALUES ('grid', 'Grid', 1, '{"source": "bronze/grid/", "filter": null, "metrics": [{"name": "power", "formula": "value", "unit": "kW"}, {"name": "energy", "formula": "value", "unit": "kWh"}]}', 'test')`);
  await client.query(`
    INSERT INTO dash.pipeline_metrics (time, pipeline_id, series_id, metric_name, value)
    SELECT TIMESTAMPTZ '2026-03-26 00:00:00+00' + i * INTERVAL '1 minute' + s * INTERVAL '7 seconds', 'grid',
           'dev-' || s, m,
           CASE WHEN i % 997 = 5 THEN NULL
                WHEN s = 2 AND i = 3000 THEN 1e6
                ELSE round((sin(i / 90.0 + s) * 100)::numeric, 4)::float8 + i * 1e-7 + s / 1000.0 END
    FROM generate_series(0, ${DAYS * 1440 - 1}) AS i, generate_series(1, 4) AS s, unnest(ARRAY['power', 'energy']) AS m
    WHERE NOT (s = 3 AND i BETWEEN 4000 AND 4120)`);
  await client.query('ANALYZE dash.pipeline_metrics');
}

interface PlannerSettings {
  sort: string;
  jit: string;
  workMem: string;
}
const PLANNER_SETTINGS_SQL = `SELECT current_setting('enable_sort') AS sort, current_setting('jit') AS jit,
  current_setting('work_mem') AS "workMem"`;

/** Read-only statements that note the planner settings each read ran under, on the server. */
class WatchedStatements extends ReadOnlyStatements {
  readonly seen: PlannerSettings[] = [];

  override read<T>(
    id: string,
    work: (client: pg.PoolClient, run: ReadOnlyRun) => Promise<T>,
    settings?: Readonly<Record<string, string>>,
  ): Promise<T> {
    return super.read(
      id,
      async (client, run) => {
        this.seen.push((await client.query<PlannerSettings>(PLANNER_SETTINGS_SQL)).rows[0]!);
        return work(client, run);
      },
      settings,
    );
  }
}

function rows(table: Table): Record<string, unknown>[] {
  return JSON.parse(
    JSON.stringify(
      table.toArray().map((r) => r.toJSON()),
      (_k, v) => (typeof v === 'bigint' ? Number(v) : v),
    ),
  ) as Record<string, unknown>[];
}

const BASE = {
  pipelineId: 'grid',
  metrics: ['power', 'energy'],
  seriesIds: ['dev-1', 'dev-2', 'dev-3'],
  timeZone: 'Europe/Berlin',
};

const VIEWS = [
  { name: 'every day at 300 px (M4)', fromMs: FIRST, toMs: END, width: 300, bucket: 'auto' as const },
  {
    name: 'the spike and the gap at 170 px (M4)',
    fromMs: FIRST + 45 * HOUR,
    toMs: FIRST + 75 * HOUR,
    width: 170,
    bucket: 'auto' as const,
  },
  {
    name: 'two hours at 2,000 px (raw)',
    fromMs: FIRST + 66 * HOUR + 1234,
    toMs: FIRST + 68 * HOUR,
    width: 2000,
    bucket: 'auto' as const,
  },
  { name: 'calendar days in Europe/Berlin over DST', fromMs: FIRST, toMs: END, width: 600, bucket: 'day' as const },
  {
    name: 'calendar hours over the DST change',
    fromMs: Date.parse('2026-03-28T20:00:00Z'),
    toMs: Date.parse('2026-03-29T06:00:00Z'),
    width: 600,
    bucket: 'hour' as const,
  },
];

function request(view: (typeof VIEWS)[number], id: string, extra: Record<string, unknown> = {}) {
  return ChartSeriesRequest.parse({ ...BASE, ...view, name: undefined, requestId: id, ...extra });
}

/** What must be equal: the mode, the points in the window, every series' times and values. */
function picture(data: ChartData) {
  return {
    mode: data.mode,
    rawPoints: data.rawPoints,
    series: data.series.map((s) => ({ key: s.key, t: s.t, v: s.v })),
  };
}

function expectSamePicture(actual: ChartData, expected: ChartData): void {
  if (expected.mode !== 'calendar') {
    expect(picture(actual)).toEqual(picture(expected));
    return;
  }
  // Averages are summed in a different order by each engine: equal to the last bits.
  expect({ ...picture(actual), series: actual.series.map((s) => ({ key: s.key, t: s.t })) }).toEqual({
    ...picture(expected),
    series: expected.series.map((s) => ({ key: s.key, t: s.t })),
  });
  actual.series.forEach((s, i) => s.v.forEach((v, j) => expect(v).toBeCloseTo(expected.series[i]!.v[j]!, 9)));
}

function serverChartSuite(connect: () => Promise<pg.ClientConfig>, mode: 'plain' | 'timescaledb'): void {
  let writer: pg.Client;
  let config: pg.ClientConfig;
  let pool: pg.Pool;
  let h: Harness;
  let wasm: NodeWasmEngine;
  let cached: ChartService;
  let timeoutMs = 30_000;
  /** Which days the server chart may read from the cache (none: every point from the server). */
  let cachedDays: string[] = [];
  let charts: ServerCharts;
  const options = (): ServerChartsOptions => ({
    statements: new ReadOnlyStatements({ pool: () => pool, statementTimeoutMs: () => timeoutMs }),
    pool: () => pool,
    cached,
    cachedDays: async () => cachedDays,
    estimate: (selection) => h.sync.estimate(selection),
  });

  beforeAll(async () => {
    config = await connect();
    writer = new pg.Client(config);
    await writer.connect();
    await seedChartRows(writer);
    pool = new pg.Pool({ ...config, max: 4, options: '-c default_transaction_read_only=on' });
    h = await harness(() => pool);
    const report = await h.run({ pipelines: ['grid'] });
    expect(report.fetched).toBe(DAYS);
    cached = new ChartService(() => h.warehouse);
    charts = new ServerCharts(options());
    wasm = await NodeWasmEngine.start();
    await wasm.loadFrom(h.warehouse, 'm', `SELECT * FROM main."metrics_grid"`);
  }, 120_000);
  afterAll(async () => {
    wasm?.close();
    await h?.close();
    await pool?.end();
    await writer?.end();
  });

  it(`detects the server as ${mode}`, async () => {
    expect((await h.sync.options()).mode).toBe(mode);
  });

  it.each(VIEWS.map((v) => [v.name, v] as const))(
    '%s: server = cache = DuckDB-WASM, and cache + server mixed',
    async (_name, view) => {
      cachedDays = [];
      const fromCache = await cached.series(request(view, 'c1'));
      const fromServer: ChartSeriesResult = await charts.series(request(view, 's1', { source: 'server' }));
      const source = (await cached.cachedSource(BASE)) as Parameters<typeof chartData>[1];
      const inWasm = await chartData(
        async (sql) => rows(wasm.query(sql)),
        { ...source, relation: 'm', pushdown: null },
        request(view, 'w1'),
      );
      expect(fromCache.rawPoints).toBeGreaterThan(0);
      expect(fromServer.parts.map((p) => p.from)).toEqual(['server']);
      expect(fromServer.serverRows).toBeGreaterThan(0);
      if (view.bucket === 'auto') {
        // M4 sends at most one row per pixel column and series; raw mode the points themselves.
        expect(fromServer.serverRows).toBeLessThanOrEqual(
          // Raw: the columns that counted the points, then the points.
          fromServer.mode === 'raw' ? 2 * fromServer.rawPoints : (view.width + 1) * fromServer.series.length,
        );
      }
      expectSamePicture(fromServer, fromCache);
      expectSamePicture(inWasm, fromCache);

      // Two days from the cache, the rest from the server: one line, the split reported.
      cachedDays = ['2026-03-27', '2026-03-29'];
      const mixed = await charts.series(request(view, 's2', { source: 'server' }));
      cachedDays = [];
      expectSamePicture(mixed, fromCache);
      const kinds = new Set(mixed.parts.map((p) => p.from));
      const window = { from: view.fromMs, to: view.toMs };
      const touchesCachedDay = [Date.parse('2026-03-27T00:00:00Z'), Date.parse('2026-03-29T00:00:00Z')].some(
        (d) => d < window.to && d + 86_400_000 > window.from,
      );
      expect(kinds.has('cache')).toBe(touchesCachedDay);
      // The parts tile the window.
      const sorted = [...mixed.parts].sort((a, b) => a.fromMs - b.fromMs);
      expect(sorted[0]!.fromMs).toBeCloseTo(view.fromMs, 0);
      expect(sorted[sorted.length - 1]!.toMs).toBeCloseTo(view.toMs, 0);
      for (let i = 1; i < sorted.length; i++) expect(sorted[i]!.fromMs).toBe(sorted[i - 1]!.toMs);
    },
  );

  it('groups rows with the chart planner settings, and reads extents and raw points with the server’s own', async () => {
    const statements = new WatchedStatements({ pool: () => pool, statementTimeoutMs: () => timeoutMs });
    const watched = new ServerCharts({ ...options(), statements });
    const settingsDuring = async (work: () => Promise<unknown>) => {
      statements.seen.length = 0;
      await work();
      return [...statements.seen];
    };
    const { rows: own } = await pool.query<PlannerSettings>(PLANNER_SETTINGS_SQL);
    const grouping = { sort: 'off', jit: 'off', workMem: '128MB' };
    expect(own[0]!.sort).toBe('on');
    cachedDays = [];
    const series = (view: (typeof VIEWS)[number], id: string) => () =>
      watched.series(request(view, id, { source: 'server' }));
    // M4 columns and calendar buckets group; the raw points (after the columns that counted them) do not.
    expect(await settingsDuring(series(VIEWS[0]!, 'set-m4'))).toEqual([grouping]);
    expect(await settingsDuring(series(VIEWS[2]!, 'set-raw'))).toEqual([grouping, own[0]]);
    expect(await settingsDuring(series(VIEWS[3]!, 'set-days'))).toEqual([grouping]);
    expect(await settingsDuring(() => watched.extent('grid', ['power']))).toEqual([own[0]]);
  });

  it('says how far the server holds the metrics', async () => {
    const extent = await charts.extent('grid', ['power']);
    expect(extent.fromMs).toBe(FIRST + 7_000);
    expect(extent.toMs).toBe(END - 60_000 + 28_000);
    expect(await charts.extent('grid', ['nothing'])).toEqual({ fromMs: null, toMs: null });
  });

  it('answers a view above the row limit with an estimate and the days to sync, reading nothing', async () => {
    const view = VIEWS[0]!;
    const heavy = await charts.series(request(view, 'h1', { source: 'server', maxServerRows: 1000 }));
    expect(heavy.series).toEqual([]);
    expect(heavy.serverRows).toBe(0);
    expect(heavy.heavy).toMatchObject({ fromDay: '2026-03-26', toDay: '2026-04-01' });
    expect(heavy.heavy!.rows).toBeGreaterThan(1000);
    expect(heavy.heavy!.note).toMatch(/estimate|planner|chunk/i);
    // Under the limit it is drawn.
    const drawn = await charts.series(request(view, 'h2', { source: 'server', maxServerRows: 100_000_000 }));
    expect(drawn.heavy).toBeNull();
    expect(drawn.series.length).toBe(6);
  });

  it('cancel stops the query on the server, and a timeout says what to do; no backend is left running', async () => {
    // A writer's lock makes the chart's read wait on the server, as a long scan would.
    // The watcher has a connection of its own: a transaction sees pg_stat_activity as it was when it began.
    const watcher = new pg.Client(config);
    await watcher.connect();
    await writer.query('BEGIN');
    await writer.query('LOCK TABLE dash.pipeline_metrics IN ACCESS EXCLUSIVE MODE');
    const activeCharts = async () => {
      const { rows: active } = await watcher.query<{ n: string }>(
        `SELECT count(*)::text AS n FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND state = 'active' AND query LIKE '%metric_name || %'`,
      );
      return Number(active[0]!.n);
    };
    try {
      const running = charts.series(request(VIEWS[0]!, 'cancel-me', { source: 'server' }));
      const outcome = running.then(
        () => 'finished',
        (err: { code?: string }) => err.code,
      );
      for (let i = 0; i < 100 && (await activeCharts()) === 0; i++) await new Promise((r) => setTimeout(r, 50));
      expect(await activeCharts()).toBe(1);
      expect(await charts.cancel('cancel-me')).toBe(true);
      expect(await outcome).toBe('cancelled');
      expect(await activeCharts()).toBe(0);

      timeoutMs = 300;
      const timedOut = await charts
        .series(request(VIEWS[0]!, 'time-out', { source: 'server' }))
        .catch((err: unknown) => err);
      expect(timedOut).toMatchObject({ code: 'timeout' });
      expect((timedOut as { hint?: string }).hint).toMatch(/sync these days/);
      expect(await activeCharts()).toBe(0);
    } finally {
      timeoutMs = 30_000;
      await writer.query('ROLLBACK');
      await watcher.end();
    }
    // The pool's connections are usable afterwards.
    expect((await charts.series(request(VIEWS[1]!, 'after', { source: 'server' }))).series.length).toBeGreaterThan(0);
  });
}

describe('server charts on plain PostgreSQL', () => {
  serverChartSuite(() => createTestDatabase(inject('servers').postgres, 'charts'), 'plain');
});

describeTimescale("server charts on Debian's TimescaleDB", () => {
  serverChartSuite(() => createTimescaleDatabase('charts'), 'timescaledb');
});

describe('read-only statements on plain PostgreSQL', () => {
  it('runs a read with its own settings for that transaction alone, and refuses a name that is not a setting', async () => {
    const pool = new pg.Pool({ ...inject('servers').postgres, database: 'postgres', max: 2 });
    try {
      const statements = new ReadOnlyStatements({ pool: () => pool, statementTimeoutMs: () => 12_000 });
      const show = (client: pg.ClientBase) =>
        client
          .query<{ jit: string; sort: string; timeout: string; ro: string }>(
            `SELECT current_setting('jit') AS jit, current_setting('enable_sort') AS sort,
                  current_setting('statement_timeout') AS timeout, current_setting('transaction_read_only') AS ro`,
          )
          .then((r) => r.rows[0]);
      expect(await statements.read('settings', show, { jit: 'off', enable_sort: 'off' })).toEqual({
        jit: 'off',
        sort: 'off',
        timeout: '12s',
        ro: 'on',
      });
      // The pooled connections keep their own settings afterwards.
      const after = await pool.query<{ sort: string }>(`SELECT current_setting('enable_sort') AS sort`);
      expect(after.rows[0]!.sort).toBe('on');
      await expect(statements.read('settings', show, { 'jit = on; SET x': 'off' })).rejects.toThrow(
        /Not a setting name/,
      );
    } finally {
      await pool.end();
    }
  });
});

describe('server SQL literals', () => {
  it('keep a backslash and a quote inside the literal, whatever standard_conforming_strings says', async () => {
    const config = inject('servers').postgres;
    const client = new pg.Client({ ...config, database: 'postgres' });
    await client.connect();
    try {
      const crafted = String.raw`dev\'); SELECT pg_sleep(60); --\\`;
      for (const setting of ['on', 'off']) {
        await client.query(`SET standard_conforming_strings = ${setting}`);
        await client.query('SET escape_string_warning = off');
        const { rows: found } = await client.query<{ v: string }>(`SELECT ${pgLiteral(crafted)} AS v`);
        expect(found).toEqual([{ v: crafted }]);
        const where = selectionWhereSql({ pipelineId: crafted, metrics: [crafted], seriesIds: [crafted] }, [
          { fromUs: 0, toUs: 1 },
        ]);
        const { rows: counted } = await client.query(
          `SELECT count(*)::int AS n FROM (SELECT ${pgLiteral(crafted)} AS pipeline_id, ${pgLiteral(crafted)} AS metric_name,
             ${pgLiteral(crafted)} AS series_id, TIMESTAMPTZ '1970-01-01 00:00:00+00' AS time, 1.0::float8 AS value) AS m WHERE ${where}`,
        );
        expect(counted).toEqual([{ n: 1 }]);
      }
    } finally {
      await client.end();
    }
  });
});
