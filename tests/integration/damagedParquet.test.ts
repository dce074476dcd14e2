/**
 * One damaged Parquet file among a pipeline's Bronze: the warehouse names it,
 * leaves it out of `bronze.<pipeline>` (the file stays on disk) and the other
 * files stay queryable — whether the footer check finds it when the views are
 * mounted, or DuckDB trips over it at query time (a file that arrived since).
 */
import { mkdir, mkdtemp, readFile, rm, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BronzeLake } from '../../src/main/services/lake/BronzeLake';
import { ParquetFooterChecks, parquetFooterProblem } from '../../src/main/services/parquet/ParquetFile';
import { Warehouse } from '../../src/main/services/warehouse/Warehouse';
import { describeSkippedFiles } from '../../src/shared/api/lake';

const DAY = 'date=2026-10-01';

/** Ways a file named .parquet can be damaged, each with what the notice says about it. */
const DAMAGE: { name: string; make: (good: Buffer) => Buffer; reason: RegExp }[] = [
  {
    name: 'truncated',
    make: (good) => good.subarray(0, Math.floor(good.length / 2)),
    reason: /does not end with the Parquet marker PAR1/,
  },
  {
    name: 'random bytes',
    make: () => Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7919 + 13) % 251)),
    reason: /does not end with the Parquet marker PAR1/,
  },
  {
    name: 'valid magic, corrupt footer',
    make: (good) => {
      const bad = Buffer.from(good);
      const length = bad.readUInt32LE(bad.length - 8);
      for (let i = bad.length - 8 - length; i < bad.length - 8; i++) bad[i] = (i * 37) & 0xff;
      return bad;
    },
    reason: /metadata cannot be read|points outside the file|lists no columns/,
  },
];

describe('a damaged Parquet file in a pipeline’s Bronze', () => {
  let warehouse: Warehouse;
  let root: string;
  let lakeDir: string;
  let dayDir: string;
  let good: Buffer;

  beforeAll(async () => {
    warehouse = await Warehouse.open();
    root = await mkdtemp(join(tmpdir(), 'dash-damaged-'));
  });
  afterAll(async () => {
    await warehouse.close();
    await rm(root, { recursive: true, force: true });
  });

  /** A fresh lake with two good files of pipeline `meters`: a.parquet (v 0..999) and b.parquet (v 1000..1499). */
  async function twoGoodFiles(name: string): Promise<void> {
    lakeDir = join(root, name.replace(/\W+/g, '-'));
    dayDir = join(lakeDir, 'bronze', 'meters', DAY);
    await mkdir(dayDir, { recursive: true });
    await warehouse.run(
      'write-a',
      `COPY (SELECT 'r' || i AS record_id, 's1' AS series_id, i::DOUBLE AS v FROM range(1000) t(i)) TO '${join(dayDir, 'a.parquet')}' (FORMAT parquet)`,
    );
    await warehouse.run(
      'write-b',
      `COPY (SELECT 'r' || i AS record_id, 's2' AS series_id, i::DOUBLE AS v FROM range(1000, 1500) t(i)) TO '${join(dayDir, 'b.parquet')}' (FORMAT parquet)`,
    );
    good = await readFile(join(dayDir, 'a.parquet'));
  }

  async function mount(): Promise<void> {
    await warehouse.mountParquetViews({ bronze: await BronzeLake.folder(lakeDir).bronzeViews(), metricsGlob: null });
  }

  async function countAndSum(queryId: string, sql = 'SELECT count(*) AS n, sum(v) AS total FROM bronze.meters') {
    const meta = await warehouse.query(queryId, sql);
    const row = tableFromIPC(warehouse.resultChunk(meta.resultId, 0)).get(0)!.toJSON();
    warehouse.releaseResult(meta.resultId);
    return { n: Number(row.n), total: Number(row.total), skipped: meta.skippedFiles ?? [] };
  }

  const allRows = { n: 1500, total: (1499 * 1500) / 2 };

  afterEach(async () => {
    // The next case mounts another lake: this one's view goes.
    await warehouse.mountParquetViews({ bronze: [], metricsGlob: null });
  });

  it.each(DAMAGE)(
    'found by the footer check when mounted ($name): the good files answer, the damaged one is named with why',
    async ({ name, make, reason }) => {
      await twoGoodFiles(`mount-${name}`);
      const badPath = join(dayDir, 'broken.parquet');
      await writeFile(badPath, make(good));
      await mount();

      const answer = await countAndSum(`mount-${name}`);
      expect({ n: answer.n, total: answer.total }).toEqual(allRows);
      expect(answer.skipped).toEqual([
        { key: `bronze/meters/${DAY}/broken.parquet`, path: badPath, reason: expect.stringMatching(reason) },
      ]);
      expect(describeSkippedFiles(answer.skipped)).toMatch(
        new RegExp(`^1 file skipped: bronze/meters/${DAY}/broken\\.parquet: `),
      );
      // Queries that do not read the pipeline say nothing; the file is still on disk.
      expect((await warehouse.query(`other-${name}`, 'SELECT 1 AS one')).skippedFiles).toBeUndefined();
      expect(existsSync(badPath)).toBe(true);
      expect(warehouse.skippedFiles('meters').map((f) => f.key)).toEqual([`bronze/meters/${DAY}/broken.parquet`]);
    },
  );

  it('found at query time (a file that arrived after the views were made): set aside, view rebuilt, query retried', async () => {
    await twoGoodFiles('query-time');
    await mount();
    expect(await countAndSum('before')).toEqual({ ...allRows, skipped: [] });

    const badPath = join(dayDir, 'late.parquet');
    await writeFile(badPath, good.subarray(0, good.length - 100));
    const answer = await countAndSum('after', 'SELECT count(*) AS n, sum(v) AS total FROM BRONZE."meters"');
    expect({ n: answer.n, total: answer.total }).toEqual(allRows);
    expect(answer.skipped).toEqual([
      {
        key: `bronze/meters/${DAY}/late.parquet`,
        path: badPath,
        reason: expect.stringMatching(/could not read it .*No magic bytes/),
      },
    ]);
    // The verdict is kept: a remount leaves it out without DuckDB tripping again, other statements work.
    await mount();
    expect(await countAndSum('remounted')).toEqual({ ...allRows, skipped: answer.skipped });
    expect(await warehouse.rows('SELECT count(*)::INTEGER AS n FROM bronze.meters')).toEqual([{ n: 1500 }]);
    expect(existsSync(badPath)).toBe(true);
  });

  it('a damaged file met after other statements ran is set aside, and the error says to run the query again', async () => {
    await twoGoodFiles('second-statement');
    await mount();
    await writeFile(join(dayDir, 'late.parquet'), Buffer.from('not parquet at all'));
    const sql = 'CREATE OR REPLACE TEMP TABLE ran_once AS SELECT 1 AS x; SELECT count(*) AS n FROM bronze.meters';
    await expect(warehouse.query('twice-1', sql)).rejects.toMatchObject({
      code: 'query_failed',
      hint: expect.stringMatching(new RegExp(`bronze/meters/${DAY}/late\\.parquet is damaged .* run the query again`)),
    });
    const again = await warehouse.query('twice-2', sql);
    expect(again.skippedFiles?.map((f) => f.key)).toEqual([`bronze/meters/${DAY}/late.parquet`]);
    expect(tableFromIPC(warehouse.resultChunk(again.resultId, 0)).get(0)!.toJSON().n).toBe(1500n);
  });

  it('when every file is damaged the view goes, and the skipped files still say why', async () => {
    lakeDir = join(root, 'all-bad');
    dayDir = join(lakeDir, 'bronze', 'meters', DAY);
    await mkdir(dayDir, { recursive: true });
    await writeFile(join(dayDir, 'x.parquet'), Buffer.from('PAR1 nope'));
    await mount();
    expect((await warehouse.catalog()).relations.some((r) => r.schema === 'bronze' && r.name === 'meters')).toBe(false);
    expect(warehouse.skippedFiles('meters')).toEqual([
      expect.objectContaining({ key: `bronze/meters/${DAY}/x.parquet`, reason: expect.stringMatching(/too few/) }),
    ]);
  });

  it('reads a footer once per path, size and modification time', async () => {
    await twoGoodFiles('verdicts');
    const path = join(dayDir, 'a.parquet');
    expect(await parquetFooterProblem(path)).toBeNull();
    const checks = new ParquetFooterChecks();
    const first = await stat(path);
    expect(await checks.problemOf(path, first)).toBeNull();
    // Gone from disk, yet the same size and time: the remembered verdict answers without reading.
    await unlink(path);
    expect(await checks.problemOf(path, first)).toBeNull();
    // Changed (another time): read again.
    await writeFile(path, good.subarray(0, 100));
    await utimes(path, new Date(), new Date(Date.now() + 5000));
    const changed = await stat(path);
    expect(await checks.problemOf(path, changed)).toMatch(/does not end with the Parquet marker/);
  });
});
