/**
 * The workbench on a real TimescaleDB: Debian's 2.19 (Apache edition), with the
 * extension in its own schema off the search_path, as the Dash cluster may have
 * it, and the roles docs/data-contract.md documents. Migrations, the catalog,
 * time_bucket, the sync estimate and the sync, the push plan, push (only the
 * changed keys) and undo.
 * (Compression and continuous aggregates: timescalePglite.test.ts.)
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { LiveQueries } from '../../src/main/services/postgres/LiveQuery';
import { readServerCatalog } from '../../src/main/services/postgres/ServerCatalog';
import { MetricPush, type PushRange } from '../../src/main/services/push/MetricPush';
import { planPush } from '../../src/main/services/push/PushPlanner';
import { formatFingerprint, rangeFingerprint } from '../../src/main/services/push/rangeFingerprint';
import { SyncSelection } from '../../src/shared/api/sync';
import { PLAIN_POSTGRES, bucketPreviewSql } from '../../src/shared/serverSql';
import { createDocumentedRoles, type RoleLogin } from '../support/contractRoles';
import { DAYS, harness, localDays, seed, serverDays, type Harness } from '../support/metricSyncFixture';
import { failure } from '../support/failure';
import { createTimescaleDatabase, describeTimescale } from '../support/timescale';

describeTimescale('the workbench on Debian TimescaleDB, extension in schema tsdb', () => {
  let config: pg.ClientConfig;
  let admin: pg.Client;
  let reader: RoleLogin;
  let pusher: RoleLogin;
  /** A role with the documented grants except USAGE on tsdb. */
  let bare: RoleLogin;
  let readerPool: pg.Pool;
  let h: Harness;
  let dir: string;

  const as = (login: RoleLogin) => ({ ...config, user: login.user, password: login.password });
  const connectAs = (login: RoleLogin) => async () => {
    const client = new pg.Client(as(login));
    await client.connect();
    return client;
  };
  async function count(where: string): Promise<number> {
    const { rows } = await admin.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM dash.pipeline_metrics WHERE ${where}`,
    );
    return Number(rows[0]!.n);
  }

  beforeAll(async () => {
    config = await createTimescaleDatabase('ts_debian', { extensionSchema: 'tsdb' });
    admin = new pg.Client(config);
    await admin.connect();
    await seed(admin);
    ({ reader, pusher } = await createDocumentedRoles(admin, 'tsdb'));
    ({ reader: bare } = await createDocumentedRoles(admin, null));
    readerPool = new pg.Pool({ ...as(reader), max: 4, options: '-c default_transaction_read_only=on' });
    h = await harness(() => readerPool);
    dir = await mkdtemp(join(tmpdir(), 'dash-ts-debian-'));
  });
  afterAll(async () => {
    await h?.close();
    await readerPool?.end();
    await admin?.end();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('makes dash.pipeline_metrics a hypertable through the migrations, finding the extension in tsdb', async () => {
    const { rows } = await admin.query(
      `SELECT hypertable_schema, hypertable_name, num_chunks > 1 AS chunked FROM timescaledb_information.hypertables`,
    );
    expect(rows).toEqual([{ hypertable_schema: 'dash', hypertable_name: 'pipeline_metrics', chunked: true }]);
  });

  it('shows the catalog with chunks and sizes, and names the grant a role lacks instead of failing', async () => {
    const pool = new pg.Pool(as(reader));
    try {
      const catalog = await readServerCatalog(pool);
      expect(catalog).toMatchObject({ mode: 'timescaledb', timescaleSchema: 'tsdb', notice: null });
      expect(catalog.modeLabel).toMatch(/^TimescaleDB 2\.\d+/);
      const hyper = catalog.hypertables.find((t) => t.name === 'pipeline_metrics')!;
      expect(hyper.chunks.length).toBe(hyper.chunkCount);
      expect(hyper.chunks.every((c) => c.compression === 'none' && (c.bytes ?? 0) > 0)).toBe(true);
      expect(hyper.bytes).toBeGreaterThan(0);
    } finally {
      await pool.end();
    }
    const without = new pg.Pool(as(bare));
    try {
      const catalog = await readServerCatalog(without);
      expect(catalog.notice).toContain(`GRANT USAGE ON SCHEMA tsdb TO ${bare.user};`);
      const hyper = catalog.hypertables.find((t) => t.name === 'pipeline_metrics')!;
      expect(hyper.chunks.length).toBeGreaterThan(1);
      expect(hyper.bytes).toBeNull();
    } finally {
      await without.end();
    }
  });

  it('buckets with tsdb.time_bucket exactly as date_bin does, though tsdb is off the search_path', async () => {
    const client = new pg.Client(as(reader));
    await client.connect();
    try {
      const kind = { mode: 'timescaledb', timescaleSchema: 'tsdb' } as const;
      const ts = await client.query(bucketPreviewSql(kind, 'dash', 'pipeline_metrics', 'time', '15 minutes'));
      const plain = await client.query(
        bucketPreviewSql(PLAIN_POSTGRES, 'dash', 'pipeline_metrics', 'time', '15 minutes'),
      );
      expect(ts.rows.length).toBe(DAYS * 96);
      expect(ts.rows).toEqual(plain.rows);
    } finally {
      await client.end();
    }
  });

  it('estimates selections within 25% of the true count without counting', async () => {
    const cases: [unknown, string][] = [
      [{ pipelines: ['alpha', 'beta'] }, 'true'],
      [{ pipelines: ['alpha'] }, "pipeline_id = 'alpha'"],
      [
        { pipelines: ['beta'], metricNames: ['energy'], from: '2026-01-03', to: '2026-01-09' },
        "pipeline_id = 'beta' AND metric_name = 'energy' AND time >= '2026-01-03Z' AND time < '2026-01-09Z'",
      ],
      [
        { pipelines: ['alpha'], seriesIds: ['dev-001', 'dev-002', 'dev-003'], from: '2026-01-02', to: '2026-01-03' },
        "pipeline_id = 'alpha' AND series_id IN ('dev-001', 'dev-002', 'dev-003') AND time >= '2026-01-02Z' AND time < '2026-01-03Z'",
      ],
    ];
    for (const [selection, where] of cases) {
      const truth = await count(where);
      const estimate = await h.sync.estimate(SyncSelection.parse(selection));
      expect(estimate.method, JSON.stringify(selection)).toBe('timescaledb-chunks');
      expect(estimate.note).toMatch(/uncompressed/);
      expect(
        Math.abs(estimate.rows - truth) / truth,
        `${JSON.stringify(selection)}: ${estimate.rows} vs ${truth}`,
      ).toBeLessThan(0.25);
    }
  });

  it('asks before a heavy live query from the planner’s chunk estimates, and lets a narrow one run', async () => {
    const live = new LiveQueries({ pool: () => readerPool, statementTimeoutMs: () => 60_000 });
    const total = await count('true');
    const oneDay = "time >= '2026-01-03Z' AND time < '2026-01-04Z'";
    const day = await count(oneDay);
    expect(day).toBeLessThan(total / 3);
    // Every chunk read end to end: refused, with the estimate within 25% of the rows there are.
    const err = await failure(
      live.run('ts-heavy', 'SELECT series_id, max(value) FROM dash.pipeline_metrics GROUP BY 1', day * 2),
    );
    expect(err.code).toBe('heavy_read');
    const estimated = Number(/about ([\d,]+) rows/.exec(err.message)![1]!.replace(/,/g, ''));
    expect(Math.abs(estimated - total) / total, `${estimated} vs ${total}`).toBeLessThan(0.25);
    // The same over one day: the other chunks are excluded, so it runs.
    const narrow = await live.run(
      'ts-narrow',
      `SELECT count(*) AS n FROM dash.pipeline_metrics WHERE ${oneDay}`,
      day * 2,
    );
    expect(narrow.rowCount).toBe(1);
  });

  it('syncs every row exactly as the documented reader', async () => {
    const report = await h.run({ pipelines: ['alpha', 'beta'] });
    expect(report.counts).toMatchObject({ new: 2 * DAYS, changed: 0 });
    for (const pipeline of ['alpha', 'beta']) {
      expect(await localDays(h.warehouse, pipeline)).toEqual(await serverDays(readerPool, pipeline));
    }
  });

  it('plans, pushes and undoes as the documented pusher, exactly, writing only the changed keys', async () => {
    const range: PushRange = { start: '2026-01-06T00:00:00.000Z', end: '2026-01-07T00:00:00.000Z' };
    // The preview's delta: a few values doubled (where that changes them: not 0, NaN or the infinities); null values go.
    const { rows: delta } = await admin.query<{ line: string; metric_name: string; removed: boolean }>(
      `SELECT to_char(time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') || chr(9) || series_id || chr(9)
              || metric_name || chr(9) || coalesce((value * 2)::text, '\\N') || chr(9) || coalesce(value::text, '\\N') || chr(9) || 't' AS line, metric_name, value IS NULL AS removed
       FROM dash.pipeline_metrics WHERE pipeline_id = 'alpha' AND time >= $1 AND time < $2
         AND (value IS NULL OR (value IS DISTINCT FROM value * 2 AND abs(hashtext(series_id || time::text)) % 20 = 0))`,
      [range.start, range.end],
    );
    const deltaFile = join(dir, 'delta.tsv');
    await writeFile(deltaFile, delta.map((r) => `${r.line}\n`).join(''));
    const removed = delta.filter((r) => r.removed).length;
    const changed = delta.length - removed;
    expect(changed).toBeGreaterThan(0);
    const inRange = `pipeline_id = 'alpha' AND time >= '2026-01-06Z' AND time < '2026-01-07Z'`;
    const rowsBefore = await count(inRange);
    const perMetric = new Map<string, { added: number; removed: number; changed: number; unchanged: number }>();
    for (const r of delta) {
      const c = perMetric.get(r.metric_name) ?? { added: 0, removed: 0, changed: 0, unchanged: 0 };
      if (r.removed) c.removed++;
      else c.changed++;
      perMetric.set(r.metric_name, c);
    }

    const plan = await planPush(connectAs(pusher), {
      pipelineId: 'alpha',
      definition: null,
      range,
      delta: {
        perDay: [...perMetric].map(([metricName, values]) => ({ day: '2026-01-06', metricName, values })),
        touched: [],
        outsideRange: 0,
      },
    });
    expect(plan).toMatchObject({
      mode: 'timescaledb',
      checkedAs: pusher.user,
      missingGrants: [],
      tuplesToDecompress: 0,
      continuousAggregates: [],
      warnings: [],
      rowsToDelete: delta.length,
      rowsToInsert: changed,
    });
    expect(plan.chunks.length).toBeGreaterThanOrEqual(1);
    expect(plan.chunks.every((c) => c.compression === 'none' && c.approximateRows > 0)).toBe(true);

    const fingerprint = async () => {
      const client = await connectAs(reader)();
      try {
        return formatFingerprint(await rangeFingerprint(client, 'alpha', range));
      } finally {
        await client.end();
      }
    };
    const tuples = async () => {
      const { rows } = await admin.query<{ k: string; t: string }>(
        `SELECT metric_name || '|' || series_id || '|' || time::text AS k, tableoid::text || ctid::text || xmin::text AS t
         FROM dash.pipeline_metrics WHERE ${inRange}`,
      );
      return new Map(rows.map((r) => [r.k, r.t]));
    };
    const before = await fingerprint();
    const tuplesBefore = await tuples();
    const push = new MetricPush(connectAs(pusher));
    const result = await push.push({
      pushId: randomUUID(),
      pipelineId: 'alpha',
      baseVersion: 1,
      definition: null,
      range,
      expectedChecksum: before,
      deltaFile,
      pushedBy: pusher.user,
      comment: 'timescale',
    });
    const values = { added: 0, removed, changed, unchanged: rowsBefore - delta.length };
    expect(result).toMatchObject({
      alreadyApplied: false,
      rowsReplaced: delta.length,
      rowsInserted: changed,
      values,
      aggregates: [],
    });
    expect(await fingerprint()).toBe(result.checksum);
    expect(await count(inRange)).toBe(rowsBefore - removed);
    // The rows the delta did not name are the very same tuples on the hypertable's chunks.
    const tuplesAfter = await tuples();
    expect(values.unchanged).toBeGreaterThan(0);
    const kept = [...tuplesBefore].filter(([k, t]) => tuplesAfter.get(k) === t).length;
    expect(kept).toBe(values.unchanged);

    const undone = await push.undo({
      pushId: randomUUID(),
      undoOf: result.pushId,
      pushedBy: pusher.user,
      comment: null,
    });
    expect(undone).toMatchObject({ rowsInserted: delta.length, rowsReplaced: changed, checksum: before });
    expect(undone.values).toEqual({ added: removed, removed: 0, changed, unchanged: values.unchanged });
    expect(await fingerprint()).toEqual(before);
  });
});
