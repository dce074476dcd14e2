import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { searchBronze } from '../../src/main/services/inspector/BronzeSearch';
import { storeTarget } from '../../src/main/services/inspector/searchTargets';
import { BronzeLake } from '../../src/main/services/lake/BronzeLake';
import { Warehouse } from '../../src/main/services/warehouse/Warehouse';
import { InspectorCriteria, type InspectorMatch } from '../../src/shared/api/inspector';
import { quoteLiteral } from '../../src/shared/sql';
import { failure } from '../support/failure';

/** A Bronze-like Parquet file of `rows` rows whose `raw` says where it came from. */
async function writeParquet(path: string, rows: number, raw: string): Promise<void> {
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  try {
    await con.run(
      `COPY (SELECT 'r' || i AS record_id, 's1' AS series_id, TIMESTAMPTZ '2026-01-01 00:00:00+00' + to_seconds(i) AS ts,
                    ${quoteLiteral(raw)} AS raw FROM range(${rows}) t(i))
       TO ${quoteLiteral(path)} (FORMAT parquet)`,
    );
  } finally {
    con.closeSync();
    db.closeSync();
  }
}

describe('a folder lake never follows a link out of its folder', () => {
  let root: string;
  let outside: string;
  let warehouse: Warehouse;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'dash-folder-lake-'));
    outside = await mkdtemp(join(tmpdir(), 'dash-outside-'));
    const pipeline = join(root, 'bronze', 'meters');
    await mkdir(join(pipeline, 'date=2026-01-01'), { recursive: true });
    await mkdir(join(pipeline, 'date=2026-01-03'), { recursive: true });
    await writeParquet(join(pipeline, 'date=2026-01-01', 'a.parquet'), 3, 'lake');
    // Outside the lake: a file linked in, and a folder linked in as a day.
    await writeParquet(join(outside, 'secret.parquet'), 5, 'SECRET');
    await mkdir(join(outside, 'day'));
    await writeParquet(join(outside, 'day', 'b.parquet'), 7, 'SECRET');
    await symlink(join(outside, 'secret.parquet'), join(pipeline, 'date=2026-01-01', 'leak.parquet'));
    await symlink(join(outside, 'day'), join(pipeline, 'date=2026-01-02'));
    // Inside the lake: a link to another of its files is fine.
    await symlink(join(pipeline, 'date=2026-01-01', 'a.parquet'), join(pipeline, 'date=2026-01-03', 'alias.parquet'));
    warehouse = await Warehouse.open();
  });
  afterAll(async () => {
    await warehouse?.close();
    await rm(root, { recursive: true, force: true });
    await rm(outside, { recursive: true, force: true });
  });

  it('does not count files a link leads out of the lake', async () => {
    const lake = BronzeLake.folder(root);
    expect((await lake.list()).pipelines).toEqual([
      expect.objectContaining({
        pipelineId: 'meters',
        days: 2,
        files: 2,
        firstDay: '2026-01-01',
        lastDay: '2026-01-03',
      }),
    ]);
  });

  it('refuses to read them by key, naming the path', async () => {
    const lake = BronzeLake.folder(root);
    for (const key of ['bronze/meters/date=2026-01-01/leak.parquet', 'bronze/meters/date=2026-01-02/b.parquet']) {
      const path = join(root, ...key.split('/'));
      for (const read of [
        () => lake.store.head(key),
        () => lake.store.get(key),
        () => lake.describeFile(key, 5),
        () => lake.store.localPath!(key),
      ]) {
        const err = await failure(read);
        expect(err.code).toBe('forbidden');
        expect(err.message).toBe(
          `${path} leads outside the lake folder: it is a symbolic link, or inside a linked folder, that points elsewhere`,
        );
      }
    }
    const alias = await lake.describeFile('bronze/meters/date=2026-01-03/alias.parquet', 5);
    expect(alias.rowCount).toBe(3);
  });

  it('answers many keys at once as it answers each (the record search asks for a batch)', async () => {
    const lake = BronzeLake.folder(root);
    const keys = [
      'bronze/meters/date=2026-01-01/a.parquet',
      'bronze/meters/date=2026-01-01/leak.parquet',
      'bronze/meters/date=2026-01-02/b.parquet',
      'bronze/meters/date=2026-01-03/alias.parquet',
      'bronze/meters/date=2026-01-04/not-there-yet.parquet',
      'bronze/../../etc/passwd',
    ];
    const each = await Promise.all(keys.map((key) => lake.store.localPath!(key).catch((err: unknown) => err as Error)));
    const batch = await lake.store.localPaths!(keys);
    const said = (answer: string | Error) =>
      typeof answer === 'string' ? answer : { error: answer.message, code: (answer as { code?: string }).code };
    expect(batch.map(said)).toEqual(each.map(said));
    expect(batch.map((answer) => (typeof answer === 'string' ? 'path' : (answer as { code?: string }).code))).toEqual([
      'path',
      'forbidden',
      'forbidden',
      'path',
      'path',
      'bad_request',
    ]);
    // The alias is its target's real path.
    expect(batch[3]).toBe(batch[0]);
  });

  it('lists only regular files, each with the real path localPath gives, also through a linked root', async () => {
    const linkedRoot = `${root}-link`;
    await symlink(root, linkedRoot);
    try {
      for (const lakeRoot of [root, linkedRoot]) {
        const store = BronzeLake.folder(lakeRoot).store;
        const page = await store.list({ prefix: 'bronze/' });
        // A link is not listed, even one that stays inside: it is read by its key only.
        expect(page.objects.map((o) => o.key)).toEqual(['bronze/meters/date=2026-01-01/a.parquet']);
        for (const object of page.objects) {
          expect(object.localPath).toBe(await BronzeLake.folder(root).store.localPath!(object.key));
        }
      }
    } finally {
      await rm(linkedRoot, { force: true });
    }
  });

  it('finds records only in the files inside, searched natively', async () => {
    const matches: InspectorMatch[] = [];
    await searchBronze({
      target: storeTarget(BronzeLake.folder(root).store, 'local'),
      warehouse,
      criteria: InspectorCriteria.parse({ recordId: 'r0' }),
      onMatch: (match) => matches.push(match),
    });
    expect(matches.map((m) => [m.key, m.fields.find((f) => f.name === 'raw')?.value])).toEqual([
      ['bronze/meters/date=2026-01-01/a.parquet', 'lake'],
    ]);
  });

  it("keeps them out of the warehouse's bronze view", async () => {
    const lake = BronzeLake.folder(root);
    await warehouse.mountParquetViews({ bronze: await lake.bronzeViews(), metricsGlob: null });
    const rows = await warehouse.rows('SELECT raw, count(*)::INTEGER AS n FROM bronze.meters GROUP BY raw');
    expect(rows).toEqual([{ raw: 'lake', n: 6 }]);
  });
});
