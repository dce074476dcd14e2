import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { WorkbenchApp } from '../../src/main/services/WorkbenchApp';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { callApi, finishedJob, saveBucketConnection, startDemoApp, useDemoApp } from '../support/api';
import { testS3Client } from '../setup/TestServers';
import { startS3rverChild, type S3rverChild } from './support/s3rverChild';
import { quoteLiteral } from '../../src/shared/sql';

const call = callApi;

async function count(app: WorkbenchApp, sql: string): Promise<number> {
  const meta = await call(app, 'query.run', { sql, queryId: `q-${Math.random().toString(36).slice(2)}` });
  const { tableFromIPC } = await import('apache-arrow');
  const bytes = await call(app, 'results.chunk', { resultId: meta.resultId, chunk: 0 });
  return Number(tableFromIPC(bytes).get(0)!.toJSON().n);
}

describe('an S3/R2 lake: browse, cache a day, query it', () => {
  const servers = inject('servers');
  const demo = useDemoApp('dash-s3-lake-');

  it('switches the workspace to a bucket named by a connection profile', async () => {
    await saveBucketConnection(demo.app, 'bronze-bucket', 'Bronze bucket', servers.s3);
    const status = await call(demo.app, 'workspace.setLake', { driver: 's3', connectionId: 'bronze-bucket' });
    expect(status.lake).toMatchObject({
      driver: 's3',
      location: 's3://dash-bronze/bronze/',
      connectionId: 'bronze-bucket',
    });
    const lake = await call(demo.app, 'lake.list', {});
    expect(lake.pipelines.map((p) => [p.pipelineId, p.days])).toEqual([
      ['energy_meters', 30],
      ['payment_events', 30],
      ['temperature_sensors', 30],
    ]);
    // Nothing cached yet, so the warehouse has no Bronze views.
    const catalog = await call(demo.app, 'catalog.get', {});
    expect(catalog.relations.filter((r) => r.schema === 'bronze')).toEqual([]);
  });

  it('caches one day as a job and queries exactly its rows', async () => {
    const days = await call(demo.app, 'lake.browse', { prefix: 'bronze/energy_meters/', limit: 500 });
    const dayFolder = days.entries.find((e) => e.kind === 'folder' && e.partition?.value === '2026-10-05');
    expect(dayFolder).toMatchObject({ kind: 'folder', partition: { key: 'date', value: '2026-10-05' } });
    const files = await call(demo.app, 'lake.browse', { prefix: 'bronze/energy_meters/date=2026-10-05/', limit: 500 });
    const keys = files.entries.flatMap((e) => (e.kind === 'file' ? [e.key] : []));
    expect(keys.length).toBeGreaterThan(0);
    expect(files.entries.every((e) => e.kind === 'file' && e.cache === 'not-cached')).toBe(true);

    const { jobId } = await call(demo.app, 'cache.download', { keys });
    const job = await finishedJob(demo.app, jobId);
    expect(job).toMatchObject({ state: 'succeeded', kind: 'cache.download' });
    expect(job.progress.done).toBe(job.progress.total);

    const after = await call(demo.app, 'lake.browse', { prefix: 'bronze/energy_meters/date=2026-10-05/', limit: 500 });
    expect(after.entries.every((e) => e.kind === 'file' && e.cache === 'cached')).toBe(true);
    const listing = await call(demo.app, 'cache.list', {});
    expect(listing).toMatchObject({ enabled: true, usage: { files: keys.length } });

    // The expected rows, read straight from the generated lake folder.
    const db = await DuckDBInstance.create(':memory:');
    const con = await db.connect();
    const glob = join(servers.lakeDir, 'bronze', 'energy_meters', 'date=2026-10-05', '*.parquet');
    const expected = Number(
      (await con.runAndReadAll(`SELECT count(*) AS n FROM read_parquet(${quoteLiteral(glob)})`)).getRows()[0]![0],
    );
    con.closeSync();
    db.closeSync();

    await expect
      .poll(() => count(demo.app, 'SELECT count(*) AS n FROM bronze.energy_meters'), { timeout: 10_000 })
      .toBe(expected);
    expect(await count(demo.app, 'SELECT count(DISTINCT date) AS n FROM bronze.energy_meters')).toBe(1);
  });

  it('pins, verifies and evicts; the view goes with the last file', async () => {
    const listing = await call(demo.app, 'cache.list', {});
    const keys = listing.entries.map((e) => e.key);
    await call(demo.app, 'cache.pin', { keys: [keys[0]!] });
    expect((await call(demo.app, 'cache.list', {})).usage.pinnedBytes).toBeGreaterThan(0);
    expect(await call(demo.app, 'cache.verify', {})).toEqual({ ok: keys.length, corrupt: [] });
    expect((await call(demo.app, 'cache.revalidate', {})).fresh).toBe(keys.length);
    expect((await call(demo.app, 'workspace.status', {})).lake?.online).toBe(true);
    expect((await call(demo.app, 'cache.evict', { keys })).evicted.sort()).toEqual([...keys].sort());
    await expect
      .poll(async () => (await call(demo.app, 'catalog.get', {})).relations.some((r) => r.schema === 'bronze'), {
        timeout: 10_000,
      })
      .toBe(false);
  });

  it('keeps the workspace free of secrets', async () => {
    // s3rver's secret equals its access key id, so look for secret-bearing fields
    // (connections.test.ts checks for a distinct secret string everywhere).
    const names = await readdir(demo.dir);
    expect(names).toEqual(expect.arrayContaining(['workspace.json', 'connections.json']));
    for (const name of ['workspace.json', 'connections.json']) {
      const text = await readFile(join(demo.dir, name), 'utf8');
      expect(text).not.toMatch(/secret|password/i);
    }
  });

  it('refuses cache actions on a folder lake with a clear message', async () => {
    await call(demo.app, 'workspace.setLake', { driver: 'folder', path: 'lake' });
    const reply = await demo.app.api.dispatch('cache.download', { keys: ['bronze/energy_meters/x.parquet'] });
    expect(reply).toMatchObject({
      ok: false,
      error: { code: 'bad_request', message: expect.stringContaining('local folder') },
    });
    const browse = await call(demo.app, 'lake.browse', { prefix: 'bronze/energy_meters/date=2026-10-05/', limit: 10 });
    expect(browse.entries.every((e) => e.kind === 'file' && e.cache === 'local')).toBe(true);
  });
});

describe('offline: a cached lake keeps answering when the bucket is gone', () => {
  const servers = inject('servers');
  let dir: string;
  let app: WorkbenchApp;
  let server: S3rverChild;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dash-offline-'));
    server = await startS3rverChild(join(dir, 's3'), 'offline-bronze');
    const s3 = testS3Client({ ...servers.s3, endpoint: server.endpoint, bucket: server.bucket });
    const dayDir = join(servers.lakeDir, 'bronze', 'energy_meters', 'date=2026-10-07');
    for (const name of await readdir(dayDir)) {
      await s3.send(
        new PutObjectCommand({
          Bucket: server.bucket,
          Key: `bronze/energy_meters/date=2026-10-07/${name}`,
          Body: await readFile(join(dayDir, name)),
        }),
      );
    }
    s3.destroy();
    // The workspace in a folder of its own, beside the bucket's files.
    app = await startDemoApp(dir, { workspaceDir: join(dir, 'ws') });
    await saveBucketConnection(app, 'offline-bucket', 'Bucket that goes away', {
      ...servers.s3,
      endpoint: server.endpoint,
      bucket: server.bucket,
    });
    await call(app, 'workspace.setLake', { driver: 's3', connectionId: 'offline-bucket' });
  });
  afterAll(async () => {
    await app?.close();
    await server?.kill();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers queries from the cache, says it is offline and which files it could not check', async () => {
    const keys = (
      await call(app, 'lake.browse', { prefix: 'bronze/energy_meters/date=2026-10-07/', limit: 100 })
    ).entries.flatMap((e) => (e.kind === 'file' ? [e.key] : []));
    expect((await finishedJob(app, (await call(app, 'cache.download', { keys })).jobId)).state).toBe('succeeded');
    await expect
      .poll(() => count(app, 'SELECT count(*) AS n FROM bronze.energy_meters'), { timeout: 10_000 })
      .toBeGreaterThan(0);
    const before = await count(app, 'SELECT count(*) AS n FROM bronze.energy_meters');

    await server.kill();
    const started = Date.now();
    const revalidated = await call(app, 'cache.revalidate', {});
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(revalidated.notRevalidated.map((n) => n.key).sort()).toEqual([...keys].sort());
    const status = await call(app, 'workspace.status', {});
    expect(status.lake).toMatchObject({ online: false });
    expect(status.lake?.notRevalidated).toHaveLength(keys.length);

    // Still queryable, still listed as cached; browsing the bucket says why it cannot.
    expect(await count(app, 'SELECT count(*) AS n FROM bronze.energy_meters')).toBe(before);
    expect((await call(app, 'cache.list', {})).usage.files).toBe(keys.length);
    const browse = await app.api.dispatch('lake.browse', { prefix: 'bronze/', limit: 10 });
    expect(browse).toMatchObject({ ok: false, error: { code: 'offline' } });
  });
});

describe('a Parquet file looked at without downloading it', () => {
  const servers = inject('servers');
  const demo = useDemoApp('dash-parquet-view-');

  it('shows schema, row groups, statistics and first rows, reading byte ranges only', async () => {
    // The folder lake reads in place; the same file through the bucket is read by ranges.
    const day = await call(demo.app, 'lake.browse', { prefix: 'bronze/payment_events/date=2026-10-03/', limit: 10 });
    const file = day.entries.find((e) => e.kind === 'file');
    if (file?.kind !== 'file') throw new Error('no file in the demo day');
    const local = await call(demo.app, 'lake.file', { key: file.key, rows: 5 });
    expect(local).toMatchObject({ source: 'local', key: file.key, size: file.size });

    await saveBucketConnection(demo.app, 'bucket', 'Bucket', servers.s3);
    await call(demo.app, 'workspace.setLake', { driver: 's3', connectionId: 'bucket' });
    const remote = await call(demo.app, 'lake.file', { key: file.key, rows: 5 });
    expect(remote.source).toBe('store');
    expect(remote.schema.map((c) => c.name)).toEqual(
      expect.arrayContaining(['record_id', 'pipeline_id', 'series_id', 'ts', 'ingested_at', 'raw', 'amount', 'status']),
    );
    expect(remote.schema.find((c) => c.name === 'ts')?.logicalType).toMatch(/TIMESTAMP/);
    expect(remote.rowCount).toBe(local.rowCount);
    expect(remote.rowGroups.length).toBeGreaterThan(0);
    expect(remote.rowGroups.reduce((n, g) => n + g.rows, 0)).toBe(remote.rowCount);
    const status = remote.rowGroups[0]!.columns.find((c) => c.name === 'status')!;
    expect(status.compression).toBe('ZSTD');
    expect(status.min).not.toBeNull();
    expect(remote.firstRows.rows).toHaveLength(Math.min(5, remote.rowCount));
    expect(remote.firstRows.rows).toEqual(local.firstRows.rows);
    expect(remote.createdBy).toMatch(/DuckDB/i);
    // A small file is read once, whole.
    expect(remote.bytesRead).toBe(remote.size);
  });

  it('reads only the footer and the first row group of a large file', async () => {
    const big = join(demo.dir, 'big.parquet');
    const db = await DuckDBInstance.create(':memory:');
    const con = await db.connect();
    await con.run(
      `COPY (SELECT i AS id, md5(i::VARCHAR) AS payload, i / 7 AS value FROM range(400000) t(i))
       TO ${quoteLiteral(big)} (FORMAT parquet, ROW_GROUP_SIZE 50000)`,
    );
    con.closeSync();
    db.closeSync();
    const s3 = testS3Client(servers.s3);
    await s3.send(
      new PutObjectCommand({ Bucket: servers.s3.bucket, Key: 'scratch/big.parquet', Body: await readFile(big) }),
    );
    s3.destroy();
    const info = await call(demo.app, 'lake.file', { key: 'scratch/big.parquet', rows: 10 });
    expect(info.source).toBe('store');
    expect(info.rowCount).toBe(400000);
    expect(info.rowGroups).toHaveLength(8);
    expect(info.firstRows.rows.map((r) => r[0])).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(info.size).toBeGreaterThan(5_000_000);
    expect(info.bytesRead).toBeLessThan(info.size / 4);
    const footerOnly = await call(demo.app, 'lake.file', { key: 'scratch/big.parquet', rows: 0 });
    expect(footerOnly.bytesRead).toBeLessThan(70_000);
    expect(footerOnly.firstRows.rows).toEqual([]);
  });

  it('reports a file that is not Parquet by name', async () => {
    const reply = await demo.app.api.dispatch('lake.file', { key: 'bronze/payment_events/nope.parquet', rows: 1 });
    expect(reply).toMatchObject({ ok: false });
  });
});
