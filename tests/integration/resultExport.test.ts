import { mkdir, mkdtemp, readdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportsDir } from '../../src/main/services/export/ResultExport';
import { startWebShell, type WebShell } from '../../src/main/web/WebShell';
import { quoteLiteral } from '../../src/shared/sql';
import { callApi, finishedJob, queryRows, useDemoApp } from '../support/api';

async function countRows(sql: string): Promise<number> {
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  try {
    const reader = await con.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM ${sql}`);
    return Number(reader.getRowObjectsJson()[0]!.n);
  } finally {
    con.closeSync();
    db.closeSync();
  }
}

describe('results.export: the full result of a query to CSV and Parquet, as a job', () => {
  let shell: WebShell;
  const staticDir = join(tmpdir(), 'dash-export-static');
  const demo = useDemoApp('dash-export-');

  beforeAll(async () => {
    shell = await startWebShell({
      port: 0,
      staticDir,
      api: demo.app.api,
      subscribe: demo.app.subscribe,
      exportsDir: exportsDir(demo.dir),
    });
  });
  afterAll(async () => {
    await shell?.close();
  });

  const SQL = `-- every metric point, joined with its pipeline's point count
SELECT m.*, c.points FROM metrics m JOIN (SELECT pipeline_id, count(*) AS points FROM metrics GROUP BY 1) c USING (pipeline_id)
ORDER BY time, series_id, metric_name; -- trailing comment`;

  it('writes every row of the query to CSV with a header, and to Parquet', async () => {
    // The whole result's count: a result this big answers at its first chunk and grows.
    const meta = await queryRows(demo.app, SQL, 'export-count');
    expect(meta.rowCount).toBeGreaterThan(10_000);
    expect(meta.rows).toHaveLength(meta.rowCount);

    const csv = await callApi(demo.app, 'results.export', { sql: SQL, format: 'csv', fileName: 'metric points' });
    expect(csv.fileName).toBe('metric points.csv');
    const csvJob = await finishedJob(demo.app, csv.jobId);
    expect(csvJob.error).toBeNull();
    expect(csvJob.state).toBe('succeeded');
    const text = await readFile(csv.path, 'utf8');
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('time,pipeline_id,series_id,metric_name,value,points');
    expect(lines.length).toBe(meta.rowCount + 1);
    // Timestamps in the workspace's time zone (UTC for the demo).
    expect(lines[1]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?\+00,/);

    const parquet = await callApi(demo.app, 'results.export', {
      sql: SQL,
      format: 'parquet',
      fileName: 'metric points',
    });
    const job = await finishedJob(demo.app, parquet.jobId);
    expect(job.state).toBe('succeeded');
    expect(job.progress.done).toBe(meta.rowCount);
    expect(await countRows(`read_parquet(${quoteLiteral(parquet.path)})`)).toBe(meta.rowCount);

    // The same name again gets a free one instead of overwriting.
    const again = await callApi(demo.app, 'results.export', { sql: SQL, format: 'csv', fileName: 'metric points' });
    expect(again.fileName).toBe('metric points (2).csv');
    expect((await finishedJob(demo.app, again.jobId)).state).toBe('succeeded');
  });

  it('exports the grid’s view — sort, filters, visible columns — and says so in the job', async () => {
    const sql = `SELECT time, series_id, metric_name, value FROM metrics WHERE pipeline_id = 'energy_meters'`;
    const view = {
      sort: [
        { column: 'value', desc: true },
        { column: 'time', desc: false },
      ],
      filters: [
        { column: 'metric_name', kind: 'text' as const, op: 'eq' as const, value: 'power_kw' },
        // Read in the workspace's zone (UTC for the demo), as the grid reads it.
        { column: 'time', kind: 'timestamp' as const, op: 'lt' as const, value: '2026-10-03' },
      ],
      columns: ['value', 'time', 'series_id'],
    };
    const started = await callApi(demo.app, 'results.export', { sql, format: 'csv', fileName: 'grid view', view });
    const job = await finishedJob(demo.app, started.jobId);
    expect(job.error).toBeNull();
    expect(job.message).toContain('(sorted by value ↓, time ↑, 2 filters, 3 of 4 columns)');
    const lines = (await readFile(started.path, 'utf8')).trimEnd().split('\n');
    expect(lines[0]).toBe('value,time,series_id');
    const rows = lines.slice(1).map((l) => l.split(','));
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.length).toBe(
      await countRows(`read_csv(${quoteLiteral(started.path)}) WHERE "time" < TIMESTAMPTZ '2026-10-03 00:00:00+00'`),
    );
    const values = rows.map((r) => Number(r[0]));
    expect(values).toEqual([...values].sort((a, b) => b - a));
    for (const r of rows) expect(r[1]! < '2026-10-03').toBe(true);
  });

  it('builds the view from the query’s own column names only, and refuses values that do not fit', async () => {
    const sql = 'SELECT series_id, value FROM metrics';
    const refused = async (view: unknown, sqlText = sql) => {
      const reply = await demo.app.api.dispatch('results.export', { sql: sqlText, format: 'csv', view });
      expect(reply.ok).toBe(false);
      return reply.ok ? '' : `${reply.error.code}: ${reply.error.message}`;
    };
    const columns = ['series_id', 'value'];
    // A name that is not a column of the result never reaches SQL, however it is quoted.
    expect(
      await refused({
        sort: [{ column: 'value" FROM metrics; DROP VIEW metrics; --', desc: false }],
        filters: [],
        columns,
      }),
    ).toMatch(/^bad_request: The result has no column/);
    expect(await refused({ sort: [], filters: [], columns: ['series_id', 'nope'] })).toMatch(/no column “nope”/);
    // Values are validated for the column's kind.
    expect(
      await refused({
        sort: [],
        filters: [{ column: 'value', kind: 'float', op: 'gt', value: '1; DROP VIEW metrics' }],
        columns,
      }),
    ).toMatch(/^bad_request: .*is not a number/);
    // A repeated name cannot be told apart: said, with what to do.
    expect(await refused({ sort: [], filters: [], columns: ['a'] }, 'SELECT 1 AS a, 2 AS a')).toMatch(
      /2 columns named “a”/,
    );
    // Malformed views are refused by the contract.
    expect(await refused({ sort: [], filters: [], columns: [] })).toMatch(/^bad_request/);
    expect(
      await refused({ sort: [], filters: [{ column: 'value', kind: 'float', op: 'like', value: 'x' }], columns }),
    ).toMatch(/^bad_request/);

    // A text value with quotes is a literal, not SQL; the warehouse is untouched.
    const quoted = await callApi(demo.app, 'results.export', {
      sql,
      format: 'csv',
      view: { sort: [], filters: [{ column: 'series_id', kind: 'text', op: 'eq', value: "x' OR '1'='1" }], columns },
    });
    expect((await finishedJob(demo.app, quoted.jobId)).state).toBe('succeeded');
    expect((await readFile(quoted.path, 'utf8')).trimEnd()).toBe('series_id,value');
    const meta = await callApi(demo.app, 'query.run', { sql: 'SELECT count(*) FROM metrics', queryId: 'still-there' });
    expect(meta.rowCount).toBe(1);
  });

  it('cancel interrupts DuckDB and leaves no file named like a finished one', async () => {
    const slow = 'SELECT range AS i, md5(range::VARCHAR) AS h, sin(range) AS s FROM range(400000000)';
    const started = await callApi(demo.app, 'results.export', { sql: slow, format: 'parquet', fileName: 'too big' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await callApi(demo.app, 'jobs.cancel', { jobId: started.jobId })).cancelled).toBe(true);
    const job = await finishedJob(demo.app, started.jobId);
    expect(job.state).toBe('cancelled');
    const files = await readdir(exportsDir(demo.dir));
    expect(files.filter((f) => f.startsWith('too big'))).toEqual([]);
  });

  it('a query that fails says so and what to do', async () => {
    const started = await callApi(demo.app, 'results.export', { sql: 'SELECT * FROM no_such_table', format: 'csv' });
    const job = await finishedJob(demo.app, started.jobId);
    expect(job.state).toBe('failed');
    expect(job.error).toMatch(/Could not export the result: .*no_such_table/s);
  });

  it('refuses file names that are paths', async () => {
    for (const fileName of ['../escape', 'a/b', '.hidden']) {
      const reply = await demo.app.api.dispatch('results.export', { sql: 'SELECT 1', format: 'csv', fileName });
      expect(reply.ok).toBe(false);
    }
  });

  it('the browser shell serves exports with the token only, and nothing outside exports/', async () => {
    await writeFile(join(demo.dir, 'secret.csv'), 'not for you\n');
    const base = `http://127.0.0.1:${shell.port}`;
    const name = encodeURIComponent('metric points.csv');
    expect((await fetch(`${base}/exports/${name}`)).status).toBe(401);
    const ok = await fetch(`${base}/exports/${name}?token=${shell.token}`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-disposition')).toContain('attachment');
    expect((await ok.text()).split('\n')[0]).toBe('time,pipeline_id,series_id,metric_name,value,points');
    for (const escape of ['..%2Fsecret.csv', '%2E%2E%2Fsecret.csv', '..%5Csecret.csv', 'metric%20points.csv.part']) {
      const res = await fetch(`${base}/exports/${escape}?token=${shell.token}`);
      expect(res.status, escape).toBe(404);
    }
  });

  it('never follows a link out of the workspace: not served, not written through', async () => {
    const outside = await mkdtemp(join(tmpdir(), 'dash-outside-'));
    const SECRET = 'card,4111111111111111\n';
    const dir = exportsDir(demo.dir);
    const base = `http://127.0.0.1:${shell.port}`;
    try {
      await writeFile(join(outside, 'secret.csv'), SECRET);
      // An export that is a link to a file outside: 403, never its bytes.
      await symlink(join(outside, 'secret.csv'), join(dir, 'leak.csv'));
      await symlink('/etc/passwd', join(dir, 'passwd.csv'));
      for (const name of ['leak.csv', 'passwd.csv']) {
        const res = await fetch(`${base}/exports/${name}?token=${shell.token}`);
        const text = await res.text();
        expect(res.status, name).toBe(403);
        expect(text).not.toContain('4111');
        expect(text).not.toContain('root:');
        expect(JSON.parse(text)).toMatchObject({ error: { code: 'forbidden' } });
        expect(JSON.parse(text).error.message).toContain(`${join(dir, name)} leads outside the workspace`);
      }
      // A link that stays in the workspace is served.
      await writeFile(join(demo.dir, 'inside.csv'), 'a\n1\n');
      await symlink(join(demo.dir, 'inside.csv'), join(dir, 'alias.csv'));
      const alias = await fetch(`${base}/exports/alias.csv?token=${shell.token}`);
      expect(alias.status).toBe(200);
      expect(await alias.text()).toBe('a\n1\n');

      // A link planted under the part name the old code wrote to is never written through.
      await writeFile(join(outside, 'target.txt'), 'untouched\n');
      await symlink(join(outside, 'target.txt'), join(dir, 'planted.csv.part'));
      const planted = await callApi(demo.app, 'results.export', {
        sql: 'SELECT 1 AS x',
        format: 'csv',
        fileName: 'planted',
      });
      expect((await finishedJob(demo.app, planted.jobId)).state).toBe('succeeded');
      expect(await readFile(join(outside, 'target.txt'), 'utf8')).toBe('untouched\n');
      expect(await readFile(planted.path, 'utf8')).toBe('x\n1\n');

      // The exports folder linked outside: the export is refused before anything is written.
      const elsewhere = join(outside, 'exports');
      await mkdir(elsewhere);
      await rename(dir, `${dir}.bak`);
      await symlink(elsewhere, dir);
      try {
        const reply = await demo.app.api.dispatch('results.export', { sql: 'SELECT 1', format: 'csv', fileName: 'x' });
        expect(reply).toMatchObject({ ok: false, error: { code: 'forbidden' } });
        if (!reply.ok) expect(reply.error.message).toContain(`${dir} leads outside the workspace`);
        expect(await readdir(elsewhere)).toEqual([]);
      } finally {
        await rm(dir);
        await rename(`${dir}.bak`, dir);
      }
      expect(await readFile(join(outside, 'secret.csv'), 'utf8')).toBe(SECRET);
      expect((await readdir(outside)).sort()).toEqual(['exports', 'secret.csv', 'target.txt']);
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });
});
