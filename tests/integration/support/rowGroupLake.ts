/**
 * A demo Bronze lake rewritten with small row groups ordered by series and
 * time, as a connector that sorts its batches would write them: min/max
 * statistics then narrow a record or a series to a few row groups.
 */
import { readdir, mkdir } from 'node:fs/promises';
import { join, relative, dirname } from 'node:path';
import { generateDemoLake, type DemoSizeSpec } from '../../../src/main/services/demo/DemoLake';
import { openDuckDB } from '../../../src/main/services/demo/openDuckDB';
import { quoteLiteral } from '../../../src/shared/sql';

async function parquetFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.parquet'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** Writes the lake to `<dir>/lake` (keys as in the bucket) and returns its folder. */
export async function writeRowGroupLake(dir: string, size: DemoSizeSpec): Promise<string> {
  const source = join(dir, 'source');
  const lake = join(dir, 'lake');
  await generateDemoLake({ dir: source, size });
  const db = await openDuckDB(undefined, 1);
  try {
    for (const file of await parquetFiles(source)) {
      const out = join(lake, relative(source, file));
      await mkdir(dirname(out), { recursive: true });
      await db.con.run(
        `COPY (SELECT * FROM read_parquet(${quoteLiteral(file)}) ORDER BY series_id, ts, record_id)
         TO ${quoteLiteral(out)} (FORMAT parquet, ROW_GROUP_SIZE 2048)`,
      );
    }
  } finally {
    db.close();
  }
  return lake;
}

export { parquetFiles };
