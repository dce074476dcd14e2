import { PutObjectCommand } from '@aws-sdk/client-s3';
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDuckDB } from '../../src/main/services/demo/openDuckDB';
import { searchBronze, type SearchWarehouse } from '../../src/main/services/inspector/BronzeSearch';
import { Warehouse } from '../../src/main/services/warehouse/Warehouse';
import { lakeTarget, storeTarget } from '../../src/main/services/inspector/searchTargets';
import { BronzeLake } from '../../src/main/services/lake/BronzeLake';
import { S3Profile } from '../../src/shared/api/connections';
import { FolderObjectStore } from '../../src/main/services/objectStore/FolderObjectStore';
import { S3ObjectStore } from '../../src/main/services/objectStore/S3ObjectStore';
import type { ObjectStore } from '../../src/main/services/objectStore/ObjectStore';
import {
  InspectorCriteria,
  type InspectorCriteriaInput,
  type InspectorMatch,
  type InspectorProblem,
  type InspectorStats,
} from '../../src/shared/api/inspector';
import { quoteLiteral } from '../../src/shared/sql';
import { callApi, useDemoApp } from '../support/api';
import { S3RVER_CREDENTIALS, testS3Client } from '../setup/TestServers';
import { startS3rverChild, type S3rverChild } from './support/s3rverChild';
import { storeWithGet } from './support/storeWith';
import { parquetFiles, writeRowGroupLake } from './support/rowGroupLake';

async function search(
  store: ObjectStore,
  source: 'local' | 'store',
  input: InspectorCriteriaInput,
  warehouse?: SearchWarehouse,
) {
  const matches: InspectorMatch[] = [];
  const problems: InspectorProblem[] = [];
  const result = await searchBronze({
    ...(warehouse ? { warehouse } : {}),
    target: storeTarget(store, source),
    criteria: InspectorCriteria.parse(input),
    onMatch: (m) => matches.push(m),
    onProblem: (p) => problems.push(p),
  });
  return { ...result, matches, problems };
}

/** Native DuckDB's answer over the same files, for comparison. */
async function duckCount(glob: string, where: string): Promise<number> {
  const db = await openDuckDB();
  try {
    const reader = await db.con.runAndReadAll(
      `SELECT count(*) FROM read_parquet(${quoteLiteral(glob)}, union_by_name = true) WHERE ${where}`,
    );
    return Number(reader.getRows()[0]![0]);
  } finally {
    db.close();
  }
}

describe('the Bronze record inspector over a lake with small row groups', () => {
  let dir: string;
  let lake: string;
  let files: string[];
  let totalRowGroups = 0;
  let warehouse: Warehouse;
  const wanted = 'meter-0030-20261002T120000Z';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dash-inspector-'));
    lake = await writeRowGroupLake(dir, { series: 60, intervalMinutes: 5, days: 3 });
    warehouse = await Warehouse.open();
    files = await parquetFiles(lake);
    const db = await openDuckDB();
    try {
      const reader = await db.con.runAndReadAll(
        `SELECT count(DISTINCT (file_name, row_group_id)) FROM parquet_metadata(${quoteLiteral(join(lake, 'bronze/*/*/*.parquet'))})`,
      );
      totalRowGroups = Number(reader.getRows()[0]![0]);
    } finally {
      db.close();
    }
  }, 120_000);

  afterAll(async () => {
    await warehouse?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** A copy of the lake, to damage. */
  async function copyLake(name: string): Promise<string> {
    const copy = join(dir, name);
    for (const file of files) {
      const out = join(copy, relative(lake, file));
      await mkdir(dirname(out), { recursive: true });
      await copyFile(file, out);
    }
    return copy;
  }

  it('finds a record by id reading only the row groups its statistics allow', async () => {
    const result = await search(new FolderObjectStore(lake), 'local', { recordId: wanted });
    const expected = await duckCount(join(lake, 'bronze/*/*/*.parquet'), `record_id = ${quoteLiteral(wanted)}`);
    expect(expected).toBeGreaterThan(0);
    expect(result.matches).toHaveLength(expected);
    expect(result.matches[0]).toMatchObject({ recordId: wanted, seriesId: 'meter-0030', pipelineId: 'energy_meters' });
    expect(result.matches[0]!.fields.find((f) => f.name === 'ts')).toMatchObject({
      type: 'TIMESTAMPTZ',
      value: '2026-10-02T12:00:00.000Z',
    });
    const { stats } = result;
    expect(stats.filesTotal).toBe(files.length);
    expect(stats.rowGroupsScanned + stats.rowGroupsSkipped).toBe(totalRowGroups);
    // Most row groups are ruled out by min/max(record_id) alone.
    expect(totalRowGroups).toBeGreaterThan(40);
    expect(stats.rowGroupsSkipped).toBeGreaterThan(totalRowGroups * 0.9);
    expect(stats.rowGroupsScanned).toBeLessThanOrEqual(files.length);
  });

  it('prunes landing days and row groups for a series and time range, and agrees with DuckDB', async () => {
    const from = '2026-10-02T10:00:00Z';
    const to = '2026-10-02T11:00:00Z';
    const result = await search(new FolderObjectStore(lake), 'local', {
      pipelines: ['energy_meters'],
      seriesId: 'meter-0007',
      from,
      to,
      predicates: [{ field: 'value', op: '>=', value: '0' }],
    });
    const expected = await duckCount(
      join(lake, 'bronze/energy_meters/*/*.parquet'),
      `series_id = 'meter-0007' AND ts >= TIMESTAMPTZ '${from}' AND ts < TIMESTAMPTZ '${to}' AND value >= 0`,
    );
    expect(expected).toBeGreaterThan(0);
    expect(result.matches).toHaveLength(expected);
    // The first day's files cannot hold records of the second (ingested_at >= ts).
    expect(result.stats.filesSkipped).toBeGreaterThan(0);
    expect(result.stats.rowGroupsSkipped).toBeGreaterThan(result.stats.rowGroupsScanned);
  });

  it.each(['hyparquet', 'native DuckDB'])('finds text anywhere in raw, and stops at the limit (%s)', async (engine) => {
    const native = engine === 'native DuckDB' ? warehouse : undefined;
    const result = await search(new FolderObjectStore(lake), 'local', { text: 'METER-0042', limit: 5 }, native);
    expect(result.matches).toHaveLength(5);
    expect(result.limited).toBe(true);
    for (const m of result.matches) {
      expect(String(m.fields.find((f) => f.name === 'raw')?.value).toLowerCase()).toContain('meter-0042');
    }
  });

  it('reports a truncated file and a file of garbage by name, and searches the others', async () => {
    const copy = await copyLake('damaged');
    const energy = files.filter((f) => f.includes('energy_meters'));
    const truncatedKey = relative(lake, energy[0]!);
    const garbageKey = relative(lake, energy[1]!);
    await truncate(join(copy, truncatedKey), Math.floor((await stat(energy[0]!)).size / 2));
    await writeFile(join(copy, garbageKey), Buffer.from('this is not parquet at all, just garbage bytes '.repeat(50)));

    const result = await search(new FolderObjectStore(copy), 'local', {
      pipelines: ['energy_meters'],
      seriesId: 'meter-0001',
    });
    expect(result.problems.map((p) => [p.key, p.kind]).sort()).toEqual(
      [
        [garbageKey, 'corrupt'],
        [truncatedKey, 'truncated'],
      ].sort(),
    );
    expect(result.problems.find((p) => p.kind === 'truncated')!.message).toMatch(/cut short/);
    // Every other file was searched: the answer is DuckDB's over the intact files.
    const intact = energy.slice(2).map((f) => quoteLiteral(f));
    const db = await openDuckDB();
    try {
      const reader = await db.con.runAndReadAll(
        `SELECT count(*) FROM read_parquet([${intact.join(', ')}], union_by_name = true) WHERE series_id = 'meter-0001'`,
      );
      expect(result.matches).toHaveLength(Number(reader.getRows()[0]![0]));
    } finally {
      db.close();
    }
    expect(result.stats.filesScanned).toBe(energy.length);
  });

  it('stops when cancelled, mid-way through the files', async () => {
    const controller = new AbortController();
    let gets = 0;
    const cancelling = storeWithGet(new FolderObjectStore(lake), (key, options, real) => {
      if (++gets === 5) controller.abort();
      return real.get(key, options);
    });
    await expect(
      searchBronze({
        target: storeTarget(cancelling, 'store'),
        criteria: InspectorCriteria.parse({ text: 'no such text' }),
        signal: controller.signal,
        concurrency: 1,
      }),
    ).rejects.toMatchObject({ code: 'cancelled' });
    expect(gets).toBeLessThan(10);
  });

  describe('natively, on the warehouse, for local files', () => {
    let scans: string[];
    /** The warehouse, noting each statement the search runs on it. */
    const native = (): SearchWarehouse => ({
      scan: (sql, signal) => {
        scans.push(sql);
        return warehouse.scan(sql, signal);
      },
    });
    const byPlace = (matches: InspectorMatch[]) =>
      [...matches].sort((a, b) => a.key.localeCompare(b.key) || a.row - b.row);
    const byKey = (problems: InspectorProblem[]) =>
      [...problems].sort((a, b) => a.key.localeCompare(b.key) || a.message.localeCompare(b.message));
    const countsOf = ({ bytesRead: _bytes, ...counts }: InspectorStats) => counts;

    beforeEach(() => {
      scans = [];
    });

    /** The same search by hyparquet alone and natively: the same matches, problems and counts. */
    async function bothWays(folder: string, input: InspectorCriteriaInput) {
      const store = new FolderObjectStore(folder);
      const decoded = await search(store, 'local', input);
      const scanned = await search(store, 'local', input, native());
      expect(byPlace(scanned.matches)).toEqual(byPlace(decoded.matches));
      expect(byKey(scanned.problems)).toEqual(byKey(decoded.problems));
      expect(countsOf(scanned.stats)).toEqual(countsOf(decoded.stats));
      expect(scanned.limited).toBe(decoded.limited);
      return scanned;
    }

    it.each<[string, InspectorCriteriaInput]>([
      ['a record id', { recordId: wanted }],
      [
        'a series, a time range and a number',
        {
          pipelines: ['energy_meters'],
          seriesId: 'meter-0007',
          from: '2026-10-02T10:00:00Z',
          to: '2026-10-02T11:00:00Z',
          predicates: [{ field: 'value', op: '>=', value: '0' }],
        },
      ],
      ['text in raw, any case', { text: 'METER-0042"', limit: 10_000 }],
      [
        'a drifting column, a text inequality and a column no file has',
        {
          pipelines: ['temperature_sensors'],
          from: '2026-10-02T06:00:00Z',
          to: '2026-10-02T07:00:00Z',
          predicates: [
            { field: 'humidity', op: '>', value: '50' },
            { field: 'series_id', op: '<', value: 'sensor-0010' },
            { field: 'no_such_column', op: 'is null', value: '' },
          ],
          limit: 10_000,
        },
      ],
      [
        'crafted values and names, which stay data',
        {
          recordId: "x' OR '1'='1",
          predicates: [{ field: 'a"b\'c', op: '=', value: "'); DROP TABLE t; --" }],
        },
      ],
      [
        'a value that is no number',
        { seriesId: 'meter-0003', predicates: [{ field: 'value', op: '>', value: 'abc' }] },
      ],
    ])('finds what hyparquet finds: %s', async (_name, input) => {
      const scanned = await bothWays(lake, input);
      if (scanned.matches.length) expect(scans.length).toBeGreaterThan(0);
      for (const sql of scans) expect(sql).not.toMatch(/DROP TABLE t; --'\)/);
    });

    it('names damaged files and files with a damaged row group, reads files with any name, and answers as hyparquet does', async () => {
      const copy = await copyLake('native-damaged');
      const energy = files.filter((f) => f.includes('energy_meters')).map((f) => relative(lake, f));
      const good = await readFile(join(lake, energy[0]!));
      // Cut short; random bytes; valid magic around a scrambled footer; a sound footer over scrambled data.
      await writeFile(join(copy, energy[0]!), good.subarray(0, Math.floor(good.length / 2)));
      await writeFile(
        join(copy, energy[1]!),
        Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7919 + 13) % 251)),
      );
      const footer = Buffer.from(await readFile(join(lake, energy[2]!)));
      const footerLength = footer.readUInt32LE(footer.length - 8);
      for (let i = footer.length - 8 - footerLength; i < footer.length - 8; i++) footer[i] = (i * 37) & 0xff;
      await writeFile(join(copy, energy[2]!), footer);
      const data = Buffer.from(await readFile(join(lake, energy[3]!)));
      for (let i = 4; i < Math.floor(data.length * 0.4); i++) data[i] = (i * 131) & 0xff;
      await writeFile(join(copy, energy[3]!), data);
      // Names that would be SQL, or a glob, if pasted into a query.
      const day = dirname(energy[4]!);
      const crafted = [`${day}/it's [odd]*.parquet`, `${day}/x'); DROP TABLE t; --.parquet`];
      for (const key of crafted) await copyFile(join(lake, energy[4]!), join(copy, key));

      const scanned = await bothWays(copy, { pipelines: ['energy_meters'], seriesId: 'meter-0001' });
      expect(scans.length).toBeGreaterThan(0);
      expect(new Set(scanned.problems.map((p) => p.key))).toEqual(new Set(energy.slice(0, 4)));
      for (const p of scanned.problems) expect(p.message.length).toBeGreaterThan(20);
      const keys = new Set(scanned.matches.map((m) => m.key));
      for (const key of crafted) expect(keys, key).toContain(key);

      // A batch whose query fails is read again by hyparquet: its schema problems are named once.
      const temperature = files.filter((f) => f.includes('temperature_sensors')).map((f) => relative(lake, f));
      const sensors = Buffer.from(await readFile(join(lake, temperature.at(-1)!)));
      for (let i = 4; i < Math.floor(sensors.length * 0.4); i++) sensors[i] = (i * 131) & 0xff;
      await writeFile(join(copy, temperature.at(-1)!), sensors);
      // (A row group the statistics of a pushed-down predicate rule out is not read natively, so not named either.)
      const drifting = await bothWays(copy, {
        pipelines: ['temperature_sensors'],
        seriesId: 'sensor-0001',
        predicates: [{ field: 'humidity', op: '!=', value: '-1' }],
      });
      expect(drifting.problems.some((p) => p.message.startsWith('Schema drift'))).toBe(true);
      expect(drifting.problems.map((p) => p.key)).toContain(temperature.at(-1)!);
    });

    it('stops when cancelled, mid-way through its queries', async () => {
      const controller = new AbortController();
      const cancelling: SearchWarehouse = {
        scan: (sql, signal) => {
          scans.push(sql);
          controller.abort();
          return warehouse.scan(sql, signal);
        },
      };
      await expect(
        searchBronze({
          target: storeTarget(new FolderObjectStore(lake), 'local'),
          criteria: InspectorCriteria.parse({ text: 'no such text' }),
          warehouse: cancelling,
          signal: controller.signal,
        }),
      ).rejects.toMatchObject({ code: 'cancelled' });
      expect(scans.length).toBeGreaterThan(0);
      expect(scans.length).toBeLessThanOrEqual(2);
    });
  });

  describe('on an S3 bucket, nothing cached', () => {
    let s3: S3rverChild;
    let store: S3ObjectStore;
    let lakeBytes = 0;

    beforeAll(async () => {
      s3 = await startS3rverChild(join(dir, 's3'), 'inspector-bronze');
      const client = testS3Client({ endpoint: s3.endpoint, bucket: s3.bucket, region: 'auto', ...S3RVER_CREDENTIALS });
      for (const file of files) {
        const body = await readFile(file);
        lakeBytes += body.byteLength;
        await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: relative(lake, file), Body: body }));
      }
      client.destroy();
      store = new S3ObjectStore({ endpoint: s3.endpoint, bucket: s3.bucket, ...S3RVER_CREDENTIALS });
    }, 60_000);

    afterAll(async () => {
      store?.close();
      await s3?.kill();
    });

    it('reads cached files natively and the others by ranges, and finds what hyparquet finds', async () => {
      const s3Lake = BronzeLake.s3({
        profile: S3Profile.parse({
          kind: 's3',
          id: 'inspector-s3',
          name: 'Inspector S3',
          endpoint: s3.endpoint,
          bucket: s3.bucket,
          accessKeyId: S3RVER_CREDENTIALS.accessKeyId,
        }),
        secret: S3RVER_CREDENTIALS.secretAccessKey,
        cacheDir: join(dir, 'inspector-cache'),
        quotaBytes: 2 ** 30,
      });
      try {
        const energy = files.filter((f) => f.includes('energy_meters')).map((f) => relative(lake, f));
        const cached = energy.slice(0, 3);
        await s3Lake.requireCache().download(cached);
        const scans: string[] = [];
        const native: SearchWarehouse = {
          scan: (sql, signal) => {
            scans.push(sql);
            return warehouse.scan(sql, signal);
          },
        };
        const criteria = InspectorCriteria.parse({ pipelines: ['energy_meters'], seriesId: 'meter-0030' });
        const run = async (engine?: SearchWarehouse) => {
          const matches: InspectorMatch[] = [];
          const { stats } = await searchBronze({
            ...(engine ? { warehouse: engine } : {}),
            target: lakeTarget(s3Lake),
            criteria,
            onMatch: (m) => matches.push(m),
          });
          return { stats, matches: matches.sort((a, b) => a.key.localeCompare(b.key) || a.row - b.row) };
        };
        const decoded = await run();
        const scanned = await run(native);
        expect(scanned.matches).toEqual(decoded.matches);
        expect(scanned.matches.length).toBeGreaterThan(0);
        expect(scanned.stats).toMatchObject({ localFiles: 3, remoteFiles: energy.length - 3 });
        // Only the cached copies went to DuckDB.
        const read = scans.join('\n');
        for (const key of energy) expect(read.includes(key), key).toBe(cached.includes(key));
      } finally {
        s3Lake.close();
      }
    });

    it('reads footers and the needed row groups by byte ranges, never whole files', async () => {
      const reads = new Map<string, number>();
      const counted = storeWithGet(store, async (key, options, real) => {
        const got = await real.get(key, options);
        if (!got.notModified) reads.set(key, (reads.get(key) ?? 0) + got.contentLength);
        return got;
      });
      const result = await search(counted, 'store', { recordId: wanted });
      expect(result.matches.map((m) => m.recordId)).toContain(wanted);
      expect(result.stats.remoteFiles).toBe(files.length);
      const read = [...reads.values()].reduce((a, b) => a + b, 0);
      expect(result.stats.bytesRead).toBe(read);
      // Footers plus one row group's few columns, not the lake.
      expect(read).toBeLessThan(lakeBytes * 0.25);
      for (const file of files) {
        const key = relative(lake, file);
        const size = (await stat(file)).size;
        // Files under the footer read (64 KiB) are read whole in one go; larger ones never.
        if (size > 64 * 1024) expect(reads.get(key) ?? 0, key).toBeLessThan(size * 0.6);
      }
    });
  });
});

describe('the inspector through the API, on the demo workspace', () => {
  const demo = useDemoApp('dash-inspector-api-');

  async function finished(searchId: string) {
    for (;;) {
      const page = await callApi(demo.app, 'inspector.matches', { searchId, offset: 0, limit: 1000 });
      if (page.state !== 'running') return page;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it("names a file's schema drift only where the search tests the drifting column", async () => {
    // The demo's temperature_sensors store humidity as DOUBLE on one day, INTEGER on the others.
    const byId = await finished(
      (await callApi(demo.app, 'inspector.search', { recordId: 'meter-0003-20261005T110000Z' })).searchId,
    );
    expect(byId).toMatchObject({ state: 'succeeded', total: 1, problems: [] });
    const byHumidity = await finished(
      (
        await callApi(demo.app, 'inspector.search', {
          pipelines: ['temperature_sensors'],
          // Matches nothing, so every file is read (a limit would stop before the drift day).
          predicates: [{ field: 'humidity', op: '>', value: '1000' }],
        })
      ).searchId,
    );
    expect(byHumidity.state).toBe('succeeded');
    expect(byHumidity.problems.length).toBeGreaterThan(0);
    for (const p of byHumidity.problems) {
      expect(p).toMatchObject({ kind: 'schema', message: expect.stringMatching(/^Schema drift: humidity is /) });
      expect(p.key).toMatch(/^bronze\/temperature_sensors\//);
    }
  });

  it('searches as a job, pages matches, opens a record with its neighbours and exports', async () => {
    const started = await callApi(demo.app, 'inspector.search', {
      pipelines: ['energy_meters'],
      seriesId: 'meter-0003',
      from: '2026-10-05T10:00:00Z',
      to: '2026-10-05T13:00:00Z',
    });
    const page = await finished(started.searchId);
    expect(page).toMatchObject({ state: 'succeeded', total: 3, problems: [] });
    expect(demo.app.jobs.get(started.jobId)).toMatchObject({ kind: 'inspector.search', state: 'succeeded' });
    const middle = page.matches.find((m) => m.ts === '2026-10-05T11:00:00.000Z')!;
    expect(middle).toBeDefined();

    const record = await callApi(demo.app, 'inspector.record', { key: middle.key, row: middle.row, neighbours: 2 });
    expect(record.record).toMatchObject({ recordId: middle.recordId, key: middle.key, row: middle.row });
    expect(record.source).toBe('local');
    expect(record.before.map((m) => m.ts)).toEqual(['2026-10-05T09:00:00.000Z', '2026-10-05T10:00:00.000Z']);
    expect(record.after.map((m) => m.ts)).toEqual(['2026-10-05T12:00:00.000Z', '2026-10-05T13:00:00.000Z']);

    for (const format of ['jsonl', 'csv', 'parquet'] as const) {
      const exported = await callApi(demo.app, 'inspector.export', { searchId: started.searchId, format });
      for (;;) {
        const job = demo.app.jobs.get(exported.jobId);
        if (job?.finishedAt) {
          expect(job.state, job.error ?? '').toBe('succeeded');
          break;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      expect((await stat(exported.path)).size).toBeGreaterThan(0);
      if (format === 'jsonl') {
        const lines = (await readFile(exported.path, 'utf8')).trim().split('\n');
        expect(lines).toHaveLength(3);
        expect(JSON.parse(lines[0]!)).toMatchObject({ series_id: 'meter-0003', _key: expect.any(String) });
      }
    }
  });

  it('shows a metric point’s Bronze records with the pipeline’s filter and formulas', async () => {
    const lineage = await callApi(demo.app, 'inspector.lineage', {
      pipelineId: 'energy_meters',
      seriesId: 'meter-0003',
      time: '2026-10-05T11:00:00Z',
    });
    expect(lineage.pipeline).toMatchObject({ id: 'energy_meters', filter: "status = 'ok'" });
    expect(lineage.pipeline!.metrics.map((m) => m.name)).toContain('power_kw');
    expect(lineage.records.length).toBeGreaterThan(0);
    expect(lineage.records.every((r) => r.ts === '2026-10-05T11:00:00.000Z')).toBe(true);
    expect(lineage.previous?.ts).toBe('2026-10-05T10:00:00.000Z');
    // Step by step: the filter, then each metric, per record.
    expect(lineage.evaluation.available).toBe(true);
    const record = lineage.records[0]!;
    const field = (name: string) => record.fields.find((f) => f.name === name)?.value;
    const step = lineage.evaluation.rows[0]!;
    expect(step.filter).toBe(field('status') === 'ok');
    if (field('status') === 'ok') {
      expect(step.outcome).toBe('kept');
      expect(step.values.power_kw).toBeCloseTo((Number(field('value')) * Number(field('multiplier'))) / 1000, 9);
    } else expect(step.outcome).toBe('filtered');
  });

  it('cancels a search', async () => {
    const started = await callApi(demo.app, 'inspector.search', { text: 'no such text anywhere' });
    await callApi(demo.app, 'jobs.cancel', { jobId: started.jobId });
    const page = await finished(started.searchId);
    expect(['cancelled', 'succeeded']).toContain(page.state);
  });
});
