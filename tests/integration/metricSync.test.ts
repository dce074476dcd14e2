/**
 * Metric sync against a real PostgreSQL and the real warehouse: exact copies per
 * day, incremental syncs, a server that goes away mid-sync, cancel, and a
 * crafted or damaged sync state that must never touch anything outside its folder.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { to as copyTo } from 'pg-copy-streams';
import { CopyBinaryDecoder, copyFloat8, copyTimestamptzMicros } from '../../src/main/services/postgres/copyCodec';
import { EmbeddedServer } from '../../src/main/services/postgres/EmbeddedServer';
import { DayChecksum, pgHashBytes } from '../../src/main/services/sync/dayChecksum';
import { METRIC_DAY_COLUMNS, METRIC_DAY_SELECT, MetricDayWriter } from '../../src/main/services/sync/metricDayWriter';
import { summarySql } from '../../src/main/services/sync/syncPlan';
import { SyncSelection } from '../../src/shared/api/sync';
import { quoteLiteral } from '../../src/shared/sql';
import { DAYS, harness, localDays, seed, serverDays, visibleFiles, type Harness } from '../support/metricSyncFixture';
import { createTestDatabase } from '../support/postgres';

describe('metric sync against the shared test server', () => {
  let pool: pg.Pool;
  let writer: pg.Client;
  let h: Harness;

  beforeAll(async () => {
    const servers = inject('servers');
    const config = await createTestDatabase(servers.postgres, 'sync');
    writer = new pg.Client(config);
    await writer.connect();
    await seed(writer);
    // Read-only, like the workspace's own pool.
    pool = new pg.Pool({ ...config, max: 4, options: '-c default_transaction_read_only=on' });
    h = await harness(() => pool);
  });
  afterAll(async () => {
    await h?.close();
    await pool?.end();
    await writer?.end();
  });

  it('offers pipelines, metrics and a series search', async () => {
    const options = await h.sync.options();
    expect(options.mode).toBe('plain');
    expect(options.pipelines.map((p) => [p.id, p.metrics])).toEqual([
      ['alpha', ['power', 'energy']],
      ['beta', ['power', 'energy']],
    ]);
    const found = await h.sync.series({ pipelines: ['alpha'], search: 'DEV-00', limit: 5 });
    expect(found).toEqual({ series: ['dev-001', 'dev-002', 'dev-003', 'dev-004', 'dev-005'], more: true });
    // LIKE's wildcards are searched for literally.
    expect(await h.sync.series({ pipelines: ['alpha'], search: '%', limit: 5 })).toEqual({ series: [], more: false });
    expect((await h.sync.series({ pipelines: ['alpha'], search: ',"', limit: 5 })).series).toEqual(['dev,"odd"']);
  });

  it('estimates a selection from the planner without counting it', async () => {
    const all = await h.sync.estimate(SyncSelection.parse({ pipelines: ['alpha', 'beta'] }));
    expect(all.method).toBe('planner');
    expect(all.rows).toBeGreaterThan(288_000 * 0.8);
    expect(all.rows).toBeLessThan(288_000 * 1.2);
    expect(all.bytes).toBeGreaterThan(all.rows * 10);
    const narrow = await h.sync.estimate(
      SyncSelection.parse({ pipelines: ['alpha'], metricNames: ['power'], from: '2026-01-02', to: '2026-01-04' }),
    );
    expect(narrow.rows).toBeGreaterThan(14_400 * 0.5);
    expect(narrow.rows).toBeLessThan(14_400 * 2);
  });

  it("decodes the server's own COPY binary exactly, and sums the checksum the server computes", async () => {
    // Both days with the awkward rows: NULL, NaN, ±Infinity, 5e-324, µs times, quotes and a newline in ids.
    const selection = SyncSelection.parse({ pipelines: ['alpha'], from: '2026-01-01', to: '2026-01-04' });
    const client = await pool.connect();
    const decoded: string[] = [];
    const perDay = new Map<string, DayChecksum>();
    try {
      const copy = client.query(
        copyTo(
          `COPY (SELECT ${METRIC_DAY_SELECT} FROM dash.pipeline_metrics WHERE pipeline_id = 'alpha' AND time < '2026-01-04 00:00+00') TO STDOUT (FORMAT binary)`,
        ),
      );
      const decoder = new CopyBinaryDecoder(METRIC_DAY_COLUMNS, ({ bytes, starts, lengths }) => {
        const us = copyTimestamptzMicros(bytes, starts[0]!);
        const series = bytes.toString('utf8', starts[1]!, starts[1]! + lengths[1]!);
        const metric = bytes.toString('utf8', starts[2]!, starts[2]! + lengths[2]!);
        const value = lengths[3]! < 0 ? null : copyFloat8(bytes, starts[3]!);
        decoded.push(`${us}|${JSON.stringify(series)}|${metric}|${value === null ? 'null' : String(value)}`);
        const day = new Date(us / 1000).toISOString().slice(0, 10);
        const pair = Buffer.from(`${series}\u001f${metric}`, 'utf8');
        if (!perDay.has(day)) perDay.set(day, new DayChecksum());
        perDay.get(day)!.add(us, pgHashBytes(pair, 0, pair.length), value);
      });
      for await (const chunk of copy as AsyncIterable<Buffer>) decoder.push(chunk);
      expect(decoder.end()).toBe(decoded.length);
    } finally {
      client.release();
    }
    const { rows: expected } = await pool.query<{ line: string }>(
      `SELECT ((extract(epoch FROM time) * 1000000)::bigint)::text || '|' || to_json(series_id)::text || '|' || metric_name
              || '|' || coalesce(CASE WHEN value = 'Infinity' THEN 'Infinity' WHEN value = '-Infinity' THEN '-Infinity'
                                      WHEN value = 'NaN' THEN 'NaN' ELSE value::text END, 'null') AS line
       FROM dash.pipeline_metrics WHERE pipeline_id = 'alpha' AND time < '2026-01-04 00:00+00'`,
    );
    // float8's text is shortest round-trip, like JavaScript's: the same digits for the same double.
    expect(decoded.sort()).toEqual(expected.map((r) => r.line).sort());
    expect(decoded.some((line) => line.includes('"line\\nbreak"'))).toBe(true);

    // The writer's summary of each day equals the server's own count, max(time) and checksum.
    const days = ['2026-01-01', '2026-01-02', '2026-01-03'].map((day) => ({ pipelineId: 'alpha', day }));
    const { rows: server } = await pool.query<{ day: string; rows: string; max_time: string; checksum: string }>(
      summarySql(selection, days),
    );
    expect(server).toHaveLength(3);
    for (const r of server) {
      expect(perDay.get(r.day)?.summary()).toEqual({ rows: Number(r.rows), maxTime: r.max_time, checksum: r.checksum });
    }
  });

  it('refuses a damaged COPY stream clearly, leaving no file and the writer usable', async () => {
    const scratch = await mkdtemp(join(tmpdir(), 'dash-sync-writer-'));
    const writer = await MetricDayWriter.open(scratch);
    try {
      const header = Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)]);
      // A row claiming 4 fields whose time is 7 bytes long.
      const bad = Buffer.concat([header, Buffer.from([0, 4, 0, 0, 0, 7, 1, 2, 3, 4, 5, 6, 7])]);
      // Refused whether the stream had ended when the thread noticed (the run's `written`) or not (the pipeline).
      const firstDay = (prefix: string) => ({ from: '2026-01-01', to: '2026-01-02', dir: scratch, prefix });
      const parquetFiles = async () => (await readdir(scratch)).filter((f) => f.endsWith('.parquet'));
      const refused = async (bytes: Buffer, prefix: string) => {
        const day = writer.days('alpha', firstDay(prefix), () => undefined);
        const streamed = await pipeline(Readable.from([bytes]), day).then(
          () => null,
          (err: Error) => err,
        );
        return (
          streamed ??
          (await day.written.then(
            () => null,
            (err: Error) => err,
          ))
        );
      };
      expect((await refused(bad, 'bad-'))?.message).toMatch(
        /^Malformed COPY binary data: field 1 \(timestamptz\) has length 7 \(at byte 21\)$/,
      );
      // Cut off before its trailer: also refused.
      expect((await refused(header, 'cut-'))?.message).toMatch(/without its trailer/);
      expect(await parquetFiles()).toEqual([]);
      // The thread still takes a good (empty) run afterwards: no rows, no file.
      const day = writer.days('alpha', firstDay('good-'), () => undefined);
      await pipeline(Readable.from([Buffer.concat([header, Buffer.from([0xff, 0xff])])]), day);
      expect(await day.written).toEqual([]);
      expect(await parquetFiles()).toEqual([]);
    } finally {
      await writer.close();
      await rm(scratch, { recursive: true, force: true });
    }
  });

  it('splits one COPY of several days into a file per day, each summed as the server sums it; a row of another day is refused', async () => {
    const scratch = await mkdtemp(join(tmpdir(), 'dash-sync-run-'));
    const writer = await MetricDayWriter.open(scratch);
    const copyDays = async (days: { from: string | null; to: string | null }, from: string, to: string) => {
      const client = await pool.connect();
      let streamed = 0;
      let failed: Error | null = null;
      try {
        const stream = writer.days('alpha', { ...days, dir: scratch, prefix: 'alpha-' }, (n) => (streamed += n));
        const copy = client.query(
          copyTo(
            `COPY (SELECT ${METRIC_DAY_SELECT} FROM dash.pipeline_metrics WHERE pipeline_id = 'alpha' AND time >= '${from} 00:00+00' AND time < '${to} 00:00+00') TO STDOUT (FORMAT binary)`,
          ),
        );
        failed = await pipeline(copy, stream).then(
          () => null,
          (err: Error) => err,
        );
        return { failed, written: failed ? null : await stream.written.catch((err: Error) => err), streamed };
      } finally {
        // A connection left mid-COPY is not reusable: a failed one is closed, not returned to the pool.
        client.release(failed ?? undefined);
      }
    };
    try {
      const days = ['2026-01-01', '2026-01-02', '2026-01-03'];
      const { written, streamed } = await copyDays(
        { from: '2026-01-01', to: '2026-01-04' },
        '2026-01-01',
        '2026-01-04',
      );
      const selection = SyncSelection.parse({ pipelines: ['alpha'], from: '2026-01-01', to: '2026-01-04' });
      const { rows: server } = await pool.query<{ day: string; rows: string; max_time: string; checksum: string }>(
        summarySql(
          selection,
          days.map((day) => ({ pipelineId: 'alpha', day })),
        ),
      );
      expect(written).toEqual(
        server
          .sort((a, b) => a.day.localeCompare(b.day))
          .map((r) => ({
            day: r.day,
            path: join(scratch, `alpha-${r.day}.parquet`),
            summary: { rows: Number(r.rows), maxTime: r.max_time, checksum: r.checksum },
          })),
      );
      expect(streamed).toBe(server.reduce((sum, r) => sum + Number(r.rows), 0));
      // Each file holds its own day's rows, exactly.
      const local = await h.warehouse.rows(
        `SELECT strftime(time AT TIME ZONE 'UTC', '%Y-%m-%d') AS day, parse_filename(filename) AS file, count(*)::INTEGER AS n
         FROM read_parquet(${quoteLiteral(join(scratch, '*.parquet'))}, filename = true) GROUP BY ALL ORDER BY day`,
      );
      expect(local.map((r) => [r.day, r.file, r.n])).toEqual(
        server.map((r) => [r.day, `alpha-${r.day}.parquet`, Number(r.rows)]),
      );
      // Open-ended, a run takes whatever days come.
      const open = await copyDays({ from: null, to: null }, '2026-01-01', '2026-01-04');
      expect(open.written).toEqual(written);
      await rm(scratch, { recursive: true, force: true });
      await mkdir(scratch);

      // The server sent a day that was not asked for: refused, no file of the run left.
      for (const range of [
        { from: '2026-01-01', to: '2026-01-03' },
        { from: '2026-01-02', to: null },
      ]) {
        const { failed, written: refused } = await copyDays(range, '2026-01-01', '2026-01-04');
        const error = failed ?? refused;
        expect(error instanceof Error ? error.message : null).toMatch(
          /^Malformed COPY binary data: a row of 2026-01-0[13], outside the days asked for$/,
        );
        expect(await readdir(scratch)).toEqual([]);
      }
    } finally {
      await writer.close();
      await rm(scratch, { recursive: true, force: true });
    }
  });

  it('syncs every row exactly, then only what changed', async () => {
    const selection = { pipelines: ['alpha', 'beta'] };
    const first = await h.run(selection);
    expect(first.counts).toMatchObject({ new: 2 * DAYS, changed: 0, unchanged: 0 });
    expect(first.fetched).toBe(2 * DAYS);
    expect(first.rowsFetched).toBe(288_005);
    expect(first.message).toMatch(/^20 of 20 days fetched: 20 new; 0 unchanged/);
    for (const p of ['alpha', 'beta']) {
      expect(await localDays(h.warehouse, p)).toEqual(await serverDays(pool, p));
    }
    // Per-pipeline views, and the days land in the demo's layout.
    const [alpha] = await h.warehouse.rows('SELECT count(*)::INTEGER AS n FROM metrics_alpha');
    expect(alpha?.n).toBe(144_005);
    expect(await visibleFiles(h.cacheDir)).toContain('pipeline_id=alpha/date=2026-01-01/part-0.parquet');
    const status = await h.sync.status();
    expect(status.pipelines.map((p) => [p.pipelineId, p.days, p.syncedDays, p.rows])).toEqual([
      ['alpha', DAYS, DAYS, 144_005],
      ['beta', DAYS, DAYS, 144_000],
    ]);

    // New rows arrive on one day of one pipeline; one value changes on another.
    await writer.query(`
      INSERT INTO dash.pipeline_metrics (time, pipeline_id, series_id, metric_name, value)
      SELECT TIMESTAMPTZ '2026-01-05 00:05:00+00' + s * INTERVAL '1 second', 'beta', 'late-' || s, 'power', s
      FROM generate_series(1, 100) AS s`);
    const second = await h.run(selection);
    // beta 01-05 is new rows; each pipeline's newest day is always re-checked.
    expect(second.outcomes.filter((o) => o.outcome !== 'unchanged')).toEqual([
      { pipelineId: 'alpha', day: '2026-01-10', outcome: 'latest' },
      { pipelineId: 'beta', day: '2026-01-05', outcome: 'changed' },
      { pipelineId: 'beta', day: '2026-01-10', outcome: 'latest' },
    ]);
    expect(second.message).toMatch(/^3 of 20 days fetched: 1 changed, 2 latest re-checked; 17 unchanged/);
    expect(await localDays(h.warehouse, 'beta')).toEqual(await serverDays(pool, 'beta'));

    // An edited value (same count, same max time) is caught by the checksum.
    await writer.query(
      "UPDATE dash.pipeline_metrics SET value = value + 1 WHERE pipeline_id = 'alpha' AND series_id = 'dev-007' AND metric_name = 'power' AND time = '2026-01-03 10:00:00+00'",
    );
    const third = await h.run(selection);
    expect(third.outcomes.filter((o) => o.outcome === 'changed')).toEqual([
      { pipelineId: 'alpha', day: '2026-01-03', outcome: 'changed' },
    ]);
    expect(await localDays(h.warehouse, 'alpha')).toEqual(await serverDays(pool, 'alpha'));
  });

  it('fetches a day again when the selection for it changes, and keeps the view exact', async () => {
    const report = await h.run({ pipelines: ['alpha'], metricNames: ['power'], from: '2026-01-02', to: '2026-01-04' });
    expect(report.counts).toMatchObject({ changed: 2, unchanged: 0 });
    const [row] = await h.warehouse.rows(
      "SELECT count(*)::INTEGER AS n, count(DISTINCT metric_name)::INTEGER AS metrics FROM metrics_alpha WHERE time >= '2026-01-02' AND time < '2026-01-04'",
    );
    const server = await pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM dash.pipeline_metrics WHERE pipeline_id = 'alpha' AND metric_name = 'power' AND time >= '2026-01-02 00:00+00' AND time < '2026-01-04 00:00+00'",
    );
    expect(row).toEqual({ n: server.rows[0]!.n, metrics: 1 });
  });

  it('leaves no partial day visible when cancelled', async () => {
    const beforeFiles = await visibleFiles(h.cacheDir);
    let cancelled = false;
    h.onRows = ({ rowsDone }) => {
      // Mid-COPY of the first day fetched.
      if (!cancelled && rowsDone > 1000) {
        cancelled = true;
        h.jobs.cancelAll();
      }
    };
    try {
      // A new selection makes every day "changed", so the sync has work to cancel.
      await expect(h.run({ pipelines: ['beta'], metricNames: ['energy'] })).rejects.toThrow(/cancelled/);
    } finally {
      h.onRows = null;
    }
    expect(cancelled).toBe(true);
    const after = await visibleFiles(h.cacheDir);
    expect(after.every((f) => f.endsWith('/part-0.parquet'))).toBe(true);
    expect(after).toEqual(beforeFiles);
    expect(existsSync(join(h.cacheDir, 'metrics-sync.tmp'))).toBe(false);
    const [job] = h.jobs.list().slice(-1);
    expect(job?.state).toBe('cancelled');
  });
  it('refuses a crafted sync state, naming the file, and deletes nothing outside the metrics folder', async () => {
    // A workspace with its cache inside, and folders a crafted day key could reach.
    const root = await mkdtemp(join(tmpdir(), 'dash-sync-crafted-'));
    const cacheDir = join(root, 'workspace', 'cache');
    const victims = {
      outside: join(root, 'outside'),
      workspace: join(root, 'workspace', 'queries'),
      cache: join(cacheDir, 'bronze'),
    };
    for (const dir of Object.values(victims)) {
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, 'keep.txt'), 'precious');
    }
    const cached = join(cacheDir, 'metrics', 'pipeline_id=alpha', 'date=2026-01-01', 'part-0.parquet');
    await mkdir(dirname(cached), { recursive: true });
    await writeFile(cached, 'cached day');
    const day = {
      selection: { metricNames: null, seriesIds: null },
      summary: { rows: 1, maxTime: '2026-01-01T00:00:00.000000Z', checksum: '1' },
      bytes: 10,
      syncedAt: '2026-01-01T00:00:00.000Z',
    };
    // The sync removes days it has that the server does not: each key is joined as
    // metrics/pipeline_id=alpha/date=<key>, and every `..` after `date=` climbs one folder.
    const crafted = {
      '/../../../../../outside': day,
      '/../../../../queries': day,
      '/../../../bronze': day,
      [`/${'../'.repeat(40)}${victims.outside.slice(1)}`]: day,
    };
    const stateFile = join(cacheDir, 'metrics-sync.json');
    const text = JSON.stringify({ version: 1, pipelines: { alpha: { lastSyncAt: null, days: crafted } } });
    await writeFile(stateFile, text);
    const sync = await harness(() => pool, { cacheDir });
    try {
      const failure = await sync.run({ pipelines: ['alpha'] }).then(
        () => null,
        (err: Error) => err,
      );
      expect(Object.values(victims).filter((dir) => !existsSync(join(dir, 'keep.txt')))).toEqual([]);
      expect(failure?.message).toContain(stateFile);
      expect(failure?.message).toMatch(
        /is not a valid metric sync state: pipelines\.alpha\.days: the key ".*\.\..*" must be a date/,
      );
      // The job's error, all the user sees, also says what to do.
      expect(sync.jobs.list().at(-1)?.error).toMatch(/Nothing in the cache was changed\. Move that file aside/);
      await expect(sync.sync.status()).rejects.toThrow(stateFile);
      expect(await readFile(cached, 'utf8')).toBe('cached day');
      expect(await readFile(stateFile, 'utf8')).toBe(text);

      // A damaged file is refused the same way; moved aside, the next sync starts afresh.
      await writeFile(stateFile, '{"version": 1, "pipelines": ');
      await expect(sync.run({ pipelines: ['alpha'] })).rejects.toThrow(`${stateFile} is not valid JSON`);
      await rename(stateFile, `${stateFile}.damaged`);
      const fresh = await sync.run({ pipelines: ['alpha'], from: '2026-01-01', to: '2026-01-02' });
      expect(fresh.outcomes).toEqual([{ pipelineId: 'alpha', day: '2026-01-01', outcome: 'new' }]);
      expect(await localDays(sync.warehouse, 'alpha')).toEqual(
        new Map([...(await serverDays(pool, 'alpha'))].filter(([d]) => d === '2026-01-01')),
      );
      for (const dir of Object.values(victims)) expect(await readdir(dir)).toEqual(['keep.txt']);
    } finally {
      await sync.close();
      await rm(root, { recursive: true, force: true });
    }
  });

  it('says which folder is in the way when the cache cannot be written, not that the server went away', async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), 'dash-sync-blocked-'));
    // A file where the metrics folder should be: a failure root hits too (unlike a chmod).
    await writeFile(join(cacheDir, 'metrics'), 'not a folder');
    const sync = await harness(() => pool, { cacheDir });
    try {
      const failure = await sync.run({ pipelines: ['alpha'], from: '2026-01-01', to: '2026-01-02' }).then(
        () => null,
        (err: Error) => err,
      );
      expect(failure).toMatchObject({ code: 'conflict' });
      expect(failure?.message).toMatch(/^Sync stopped while saving alpha 2026-01-01: A file is in the way: /);
      expect(failure?.message).toContain(join(cacheDir, 'metrics', 'pipeline_id=alpha'));
      expect(failure?.message).not.toMatch(/server/);
      expect(sync.jobs.list().at(-1)?.error).toMatch(/were saved\. Move or rename that file, then try again\.$/);
    } finally {
      await sync.close();
    }
  });

  it("fetches every day of a pipeline the cache holds nothing of, though its page sample saw none of them, then syncs it by the server's summary", async () => {
    // Three rows far apart: a 1 % page sample almost never sees them, so the first sync has no day to go by.
    await writer.query(`
      INSERT INTO dash.pipeline_metrics (time, pipeline_id, series_id, metric_name, value) VALUES
        ('2025-12-01 08:00:00+00', 'gamma', 'dev-1', 'power', 1),
        ('2026-01-05 23:59:59.999999+00', 'gamma', 'dev-1', 'power', 2),
        ('2026-03-01 00:00:00+00', 'gamma', 'dev-2', 'energy', 3)`);
    const sync = await harness(() => pool);
    try {
      // A range: only what is inside it, discovered.
      const first = await sync.run({ pipelines: ['gamma'], from: '2026-01-01', to: '2026-02-01' });
      expect(first.outcomes).toEqual([{ pipelineId: 'gamma', day: '2026-01-05', outcome: 'new' }]);
      expect(first.message).toMatch(/^1 of 1 day fetched: 1 new; 0 unchanged · 1 rows/);
      // Everything: the cache now holds a day of gamma, so the server's summary decides, and only the rest comes.
      const second = await sync.run({ pipelines: ['gamma'] });
      expect(second.outcomes).toEqual([
        { pipelineId: 'gamma', day: '2025-12-01', outcome: 'new' },
        { pipelineId: 'gamma', day: '2026-01-05', outcome: 'unchanged' },
        { pipelineId: 'gamma', day: '2026-03-01', outcome: 'new' },
      ]);
      expect(await localDays(sync.warehouse, 'gamma')).toEqual(await serverDays(pool, 'gamma'));
      expect(await visibleFiles(sync.cacheDir)).toEqual([
        'pipeline_id=gamma/date=2025-12-01/part-0.parquet',
        'pipeline_id=gamma/date=2026-01-05/part-0.parquet',
        'pipeline_id=gamma/date=2026-03-01/part-0.parquet',
      ]);
    } finally {
      await sync.close();
      await writer.query("DELETE FROM dash.pipeline_metrics WHERE pipeline_id = 'gamma'");
    }
  });
});

describe('metric sync when the server goes away mid-sync', () => {
  let root: string;
  let server: EmbeddedServer;
  let pool: pg.Pool;
  let h: Harness;

  const openPool = () => {
    pool = new pg.Pool({ ...server.connectionConfig(), max: 2 });
    // Connections dying with the server must not crash the test process.
    pool.on('error', () => undefined);
  };

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'dash-sync-pg-'));
    server = await EmbeddedServer.start({ dataDir: join(root, 'pg') });
    const client = new pg.Client(server.connectionConfig());
    await client.connect();
    try {
      await seed(client);
    } finally {
      await client.end();
    }
    openPool();
    h = await harness(() => pool);
  });
  afterAll(async () => {
    await h?.close();
    await pool?.end().catch(() => undefined);
    await server?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  /** The server comes back (on another port) with the same data. */
  const restartServer = async () => {
    await pool.end().catch(() => undefined);
    server = await EmbeddedServer.start({ dataDir: join(root, 'pg') });
    openPool();
  };

  it('keeps the finished days, hides the unfinished one, fails clearly, and resumes exactly', async () => {
    const selection = { pipelines: ['alpha', 'beta'] };
    let failure: Error | null = null;
    let savedWhenStopped = 0;
    // The stop lands mid-sync only while a run is still to be fetched. The runs follow a random
    // page sample, and when the server had sent every run already the sync rightly finishes:
    // then it starts over from an empty cache, stopping after fewer saved days.
    for (const afterDays of [3, 2, 1]) {
      let stopping: Promise<void> | null = null;
      h.onRows = ({ rowsDone, daysSaved }) => {
        // Part-way through a day, after `afterDays` were saved.
        if (!stopping && daysSaved >= afterDays && rowsDone % 14_400 > 1000) {
          savedWhenStopped = daysSaved;
          stopping = server.stop();
        }
      };
      failure = await h.run(selection).then(
        () => null,
        (err: Error) => err,
      );
      h.onRows = null;
      await stopping;
      if (failure) break;
      if (stopping) await restartServer();
      for (const entry of await readdir(h.cacheDir))
        await rm(join(h.cacheDir, entry), { recursive: true, force: true });
    }
    expect(failure?.message).toMatch(
      /Sync stopped while fetching (alpha|beta) (up to |from )?2026-01-\d\d( to 2026-01-\d\d)?: .*run the sync again/,
    );
    const job = h.jobs
      .list()
      .filter((j) => j.kind === 'sync.metrics')
      .at(-1);
    expect(job?.state).toBe('failed');

    const files = await visibleFiles(h.cacheDir);
    expect(files.length).toBeGreaterThanOrEqual(savedWhenStopped);
    expect(files.length).toBeLessThan(2 * DAYS);
    expect(files.every((f) => f.endsWith('/part-0.parquet'))).toBe(true);

    // The server comes back: the next sync fetches only what is missing.
    await restartServer();
    const resumed = await h.run(selection);
    expect(resumed.counts.new).toBe(2 * DAYS - files.length);
    expect(resumed.counts.unchanged + resumed.counts.latest).toBe(files.length);
    for (const p of ['alpha', 'beta']) {
      expect(await localDays(h.warehouse, p)).toEqual(await serverDays(pool, p));
    }
  });

  it('after a push re-syncs exactly the cached days it touched; with the server gone it marks them stale until "Re-sync"', async () => {
    await h.run({ pipelines: ['alpha', 'beta'] });
    const alphaDays = async () => (await h.sync.status()).pipelines.find((p) => p.pipelineId === 'alpha')!;
    // A push rewrote 2026-01-03 and 2026-01-04 of alpha on the server (values changed on the 3rd only).
    await pool.query(
      "UPDATE dash.pipeline_metrics SET value = value * 1000 WHERE pipeline_id = 'alpha' AND time >= '2026-01-03' AND time < '2026-01-04'",
    );
    const change = {
      pipelineId: 'alpha',
      range: { start: '2026-01-03T00:00:00.000Z', end: '2026-01-05T00:00:00.000Z' },
      what: 'push 1a2b3c4d',
    };
    const refreshed = await h.sync.refreshAfterServerChange(change);
    expect(refreshed.days).toEqual(['2026-01-03', '2026-01-04']);
    const report = await refreshed.job!.done;
    // Only those days were looked at: nothing else fetched, nothing else re-checked.
    expect(report.outcomes).toEqual([
      { pipelineId: 'alpha', day: '2026-01-03', outcome: 'changed' },
      { pipelineId: 'alpha', day: '2026-01-04', outcome: 'unchanged' },
    ]);
    expect(await localDays(h.warehouse, 'alpha')).toEqual(await serverDays(pool, 'alpha'));
    expect((await alphaDays()).stale).toEqual([]);

    // The next push lands, then the server goes away before the cache could follow: the days are marked stale.
    await pool.query(
      "UPDATE dash.pipeline_metrics SET value = value + 1 WHERE pipeline_id = 'alpha' AND time >= '2026-01-06' AND time < '2026-01-07'",
    );
    await server.stop();
    const failed = await h.sync.refreshAfterServerChange({
      ...change,
      range: { start: '2026-01-06T00:00:00.000Z', end: '2026-01-07T00:00:00.000Z' },
    });
    await expect(failed.job!.done).rejects.toThrow(/the server/);
    expect((await alphaDays()).stale).toEqual([
      { day: '2026-01-06', since: expect.any(String), reason: 'push 1a2b3c4d changed it on the server' },
    ]);
    expect((await h.sync.status()).pipelines.find((p) => p.pipelineId === 'beta')!.stale).toEqual([]);

    // Back again: one "Re-sync" fetches the stale day and clears the mark.
    await pool.end().catch(() => undefined);
    server = await EmbeddedServer.start({ dataDir: join(root, 'pg') });
    openPool();
    const resync = await h.sync.resyncStale('alpha');
    const again = await resync!.done;
    expect(again.outcomes).toEqual([{ pipelineId: 'alpha', day: '2026-01-06', outcome: 'changed' }]);
    expect((await alphaDays()).stale).toEqual([]);
    expect(await localDays(h.warehouse, 'alpha')).toEqual(await serverDays(pool, 'alpha'));
    expect(await h.sync.resyncStale(null)).toBeNull();
  });
});
