/**
 * The Bronze record inspector: a record_id search across 30 days × every
 * pipeline of a demo-generated lake, against bare native DuckDB scanning the
 * same files with the same predicate; and the time to the first match, with
 * the files local (cached) and on an S3 API (uncached, range reads only).
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { generateDemoLake, isDemoLakeComplete } from '../../src/main/services/demo/DemoLake';
import { openDuckDB } from '../../src/main/services/demo/openDuckDB';
import { LocalFooters, searchBronze, type SearchWarehouse } from '../../src/main/services/inspector/BronzeSearch';
import { storeTarget } from '../../src/main/services/inspector/searchTargets';
import { FolderObjectStore } from '../../src/main/services/objectStore/FolderObjectStore';
import { S3ObjectStore } from '../../src/main/services/objectStore/S3ObjectStore';
import { Warehouse } from '../../src/main/services/warehouse/Warehouse';
import { InspectorCriteria } from '../../src/shared/api/inspector';
import { quoteLiteral } from '../../src/shared/sql';
import { s3rverCredentials, startS3rverChild } from '../../tests/integration/support/s3rverChild';
import { testS3Client } from '../../tests/setup/TestServers';
import { median, round, timeFigure, type BenchContext, type Figure } from '../harness';

const SIZE = 'demo';
const BUCKET = 'bench-inspector';
const REPEAT = 15;
/** Uncached searches timed (each also downloads every file). */
const UNCACHED_REPEAT = 5;
/** Searches run before the timed ones, as DuckDB's first scan is. */
const WARM_UP = 5;
/** A record in the middle of the month, so the first match is not simply the first file. */
const RECORD_ID = 'meter-0042-20261015T120000Z';

async function benchLake(ctx: BenchContext): Promise<string> {
  const dir = join(ctx.cacheDir, `inspector-lake-${SIZE}`);
  if (!isDemoLakeComplete(dir)) {
    ctx.log(`  generating the ${SIZE} demo lake (once)`);
    await generateDemoLake({ dir, size: SIZE });
  }
  return dir;
}

async function lakeFiles(dir: string): Promise<string[]> {
  const entries = await readdir(join(dir, 'bronze'), { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.parquet'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** One search to its end; the time of its first match and of its end, in ms. */
async function timedSearch(
  target: ReturnType<typeof storeTarget>,
  native?: { warehouse: SearchWarehouse; footers: LocalFooters },
): Promise<{ firstMs: number; totalMs: number; bytesRead: number }> {
  const started = performance.now();
  let first: number | null = null;
  let found = 0;
  const { stats } = await searchBronze({
    ...native,
    target,
    criteria: InspectorCriteria.parse({ recordId: RECORD_ID }),
    onMatch: () => {
      first ??= performance.now();
      found++;
    },
  });
  if (found === 0 || first === null) throw new Error(`${RECORD_ID} was not found`);
  return { firstMs: first - started, totalMs: performance.now() - started, bytesRead: stats.bytesRead };
}

/** Bare native DuckDB scanning the lake's files with the search's predicate: one scan, timed. */
async function duckdbScanner(dir: string) {
  const db = await openDuckDB();
  const glob = join(dir, 'bronze', '*', '*', '*.parquet');
  const sql = `SELECT * FROM read_parquet(${quoteLiteral(glob)}, union_by_name = true) WHERE record_id = ${quoteLiteral(RECORD_ID)}`;
  return {
    async scan(): Promise<{ ms: number; rows: number }> {
      const started = performance.now();
      const rows = (await db.con.runAndReadAll(sql)).getRows().length;
      return { ms: performance.now() - started, rows };
    },
    close: () => db.close(),
  };
}

async function ensureUploaded(s3: S3Client, dir: string, files: string[], log: (line: string) => void): Promise<void> {
  let uploaded = 0;
  for (const file of files) {
    const key = relative(dir, file);
    const body = await readFile(file);
    const present = await s3
      .send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }))
      .then((h) => h.ContentLength === body.byteLength)
      .catch(() => false);
    if (present) continue;
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
    uploaded++;
  }
  if (uploaded) log(`  uploaded ${uploaded} files`);
}

/** The local searches and DuckDB scans, timed once for the two local figures, which report different parts of them. */
let localRuns:
  | Promise<{
      dir: string;
      /** The first search, footers not yet kept. */
      cold: { firstMs: number; totalMs: number };
      /** The searches after it, not counted in the figure, in ms. */
      warming: number[];
      searches: { firstMs: number; totalMs: number }[];
      duck: { ms: number[]; rows: number };
    }>
  | undefined;

/**
 * Searches as the app runs them: local files scanned by the warehouse's native
 * DuckDB, footers kept between searches; each in turn with a bare DuckDB scan,
 * so both sides see the same machine.
 */
function measureLocal(ctx: BenchContext) {
  localRuns ??= (async () => {
    const dir = await benchLake(ctx);
    const target = storeTarget(new FolderObjectStore(dir), 'local');
    const warehouse = await Warehouse.open();
    const duckdb = await duckdbScanner(dir);
    try {
      const native = { warehouse, footers: new LocalFooters() };
      const cold = await timedSearch(target, native);
      const warming: number[] = [];
      // The search's JavaScript (footers, the matched rows' decoding) is compiled by V8 over its first runs.
      for (let run = 0; run < WARM_UP; run++) {
        warming.push((await timedSearch(target, native)).totalMs);
        await duckdb.scan();
      }
      const searches: { firstMs: number; totalMs: number }[] = [];
      const duck = { ms: [] as number[], rows: 0 };
      for (let run = 0; run < REPEAT; run++) {
        searches.push(await timedSearch(target, native));
        const scan = await duckdb.scan();
        duck.ms.push(scan.ms);
        duck.rows = scan.rows;
      }
      return { dir, cold, warming, searches, duck };
    } finally {
      duckdb.close();
      await warehouse.close();
    }
  })();
  return localRuns;
}

export const inspectorSearch: Figure = {
  id: 'inspector.search',
  description: `inspector record_id search to completion over 30 days × 3 pipelines ('${SIZE}'-size demo lake, local files) vs bare native DuckDB read_parquet with the same predicate`,
  async run(ctx) {
    const { dir, cold, warming, searches, duck } = await measureLocal(ctx);
    const files = await lakeFiles(dir);
    return timeFigure(
      this.id,
      median(searches.map((s) => s.totalMs)),
      'native DuckDB read_parquet … WHERE record_id = ?',
      median(duck.ms),
      `${files.length} files, ${duck.rows} matching row(s); the warehouse's native DuckDB with footers kept between searches (the first search, footers read: ${round(cold.totalMs)} ms; the ${WARM_UP} after it, not counted: ${warming.map((ms) => round(ms)).join(', ')} ms)`,
    );
  },
};

export const inspectorFirstMatchCached: Figure = {
  id: 'inspector.first_match.cached',
  description: `time to the first match of a record_id search, local files, vs native DuckDB's complete answer`,
  async run(ctx) {
    const { searches, duck } = await measureLocal(ctx);
    return timeFigure(
      this.id,
      median(searches.map((s) => s.firstMs)),
      'native DuckDB complete answer',
      median(duck.ms),
    );
  },
};

export const inspectorFirstMatchUncached: Figure = {
  id: 'inspector.first_match.uncached',
  description: `time to the first match of a record_id search on an S3 API (s3rver), nothing cached: footers and row groups by range reads, vs GetObject of every file (what downloading first would cost)`,
  async run(ctx) {
    const dir = await benchLake(ctx);
    const files = await lakeFiles(dir);
    const server = await startS3rverChild(join(ctx.cacheDir, 'inspector-s3rver'), BUCKET);
    const info = { endpoint: server.endpoint, bucket: BUCKET, region: 'auto', ...s3rverCredentials };
    const s3 = testS3Client(info);
    const store = new S3ObjectStore({ ...info, requestTimeoutMs: 60_000 });
    try {
      await ensureUploaded(s3, dir, files, ctx.log);
      let lakeBytes = 0;
      for (const f of files) lakeBytes += (await stat(f)).size;
      const target = storeTarget(store, 'store');
      const firsts: number[] = [];
      const totals: number[] = [];
      let bytesRead = 0;
      const downloads: number[] = [];
      for (let run = 0; run < 1 + UNCACHED_REPEAT; run++) {
        const t = await timedSearch(target);
        const started = performance.now();
        // Four at a time, like the search.
        const queue = files.map((f) => relative(dir, f));
        await Promise.all(
          Array.from({ length: 4 }, async () => {
            for (let key = queue.shift(); key; key = queue.shift()) {
              const got = await store.get(key);
              if (!got.notModified) for await (const part of got.body) void part;
            }
          }),
        );
        if (run === 0) continue;
        firsts.push(t.firstMs);
        totals.push(t.totalMs);
        bytesRead = t.bytesRead;
        downloads.push(performance.now() - started);
      }
      return timeFigure(
        this.id,
        median(firsts),
        'GetObject of every file',
        median(downloads),
        `search complete in ${round(median(totals))} ms; read ${round(bytesRead / 2 ** 20)} MB of ${round(lakeBytes / 2 ** 20)} MB in ${files.length} files`,
      );
    } finally {
      store.close();
      s3.destroy();
      await server.kill();
    }
  },
};
