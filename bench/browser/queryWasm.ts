/**
 * query.wasm_browser: the working-set aggregation of query.wasm, in Chromium's
 * DuckDB-WASM. The app's engine is not reachable from outside the page, so the
 * bench builds a small page module from the same sources (WasmEngine.start with
 * its bundle choice, the API client, fetchChunks), serves it on the shell's
 * origin and runs it in the workbench page: the rows take the SQL tab's path
 * (warehouse → Arrow chunks → DuckDB-WASM), then the aggregation runs there.
 * The app's build (eh) runs; DASH_BENCH_WASM_BUILD=coi runs the threaded one.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'vite';
import { quoteLiteral } from '../../src/shared/sql';
import { hourlyAggregationSql, metricsParquet } from '../fixtures';
import { bareNativeMs } from '../figures/query';
import { round, timeFigure, type BenchContext, type Figure } from '../harness';
import { formatMemory, memoryNow, openBrowserBench } from './session';

const repoRoot = join(import.meta.dirname, '..', '..');
const PROBE_PATH = '/bench-probe/';

/** The page module: kept as text so the Node-typed bench never compiles DOM code. */
const PROBE_SOURCE = `
import { WasmEngine } from '${repoRoot}/src/renderer/engine/WasmEngine';
import { fetchChunks } from '${repoRoot}/src/renderer/engine/resultChunks';
import { workbench } from '${repoRoot}/src/renderer/state/workbench';

let engine = null;
window.benchProbe = {
  async start(only) {
    engine = await WasmEngine.start(only);
    return engine.build;
  },
  async load(sql) {
    const client = workbench();
    const started = performance.now();
    const meta = await client.call('query.run', { sql, queryId: 'bench-probe-' + Date.now() });
    await engine.loadResult('points', fetchChunks(client, meta));
    void client.call('results.release', { resultId: meta.resultId });
    return { ms: performance.now() - started, rows: await engine.rowCount('points') };
  },
  async query(sql) {
    // The answer stays in the engine, as native's stays in its result: no rows turned into JavaScript values.
    const started = performance.now();
    await engine.script(['CREATE OR REPLACE TABLE bench_answer AS ' + sql]);
    const ms = performance.now() - started;
    return { ms, rows: await engine.rowCount('bench_answer') };
  },
};
`;

/**
 * Builds the probe with Vite (it resolves the engine's ?url assets) beside the built UI, so the
 * shell serves it (and the workers it starts) like the app: same origin, token, CSP and isolation.
 * The next `npm run build` empties out/renderer, and the probe with it.
 */
async function buildProbe(cacheDir: string): Promise<void> {
  const dir = join(cacheDir, 'browser-probe');
  const outDir = join(repoRoot, 'out', 'renderer', PROBE_PATH);
  await mkdir(dir, { recursive: true });
  const entry = join(dir, 'probe.ts');
  await writeFile(entry, PROBE_SOURCE);
  await build({
    configFile: false,
    logLevel: 'warn',
    root: dir,
    base: PROBE_PATH,
    worker: { format: 'es' },
    build: {
      outDir,
      emptyOutDir: true,
      chunkSizeWarningLimit: 8000,
      rollupOptions: { input: { probe: entry }, output: { entryFileNames: '[name].js' } },
    },
  });
}

export const queryWasmBrowser: Figure = {
  id: 'query.wasm_browser',
  description:
    "query.wasm's aggregation over the same rows held in Chromium's DuckDB-WASM (loaded the SQL tab's way) vs bare native DuckDB on the file",
  async run(ctx: BenchContext) {
    const file = await metricsParquet(ctx.cacheDir, ctx.rows);
    const baseline = await bareNativeMs(file);
    const bench = await openBrowserBench('tiny', ctx.log);
    try {
      const { page } = bench;
      await buildProbe(ctx.cacheDir);
      await page.evaluate(`import('${PROBE_PATH}probe.js')`);
      const only = process.env.DASH_BENCH_WASM_BUILD;
      const build = await page.evaluate<string>(`window.benchProbe.start(${only ? JSON.stringify(only) : ''})`);
      const ready = await memoryNow(bench);
      ctx.log(`  loading ${ctx.rows} rows into Chromium's DuckDB-WASM (${build}) through the warehouse…`);
      const load = await page.evaluate<{ ms: number; rows: number }>(
        `window.benchProbe.load(${JSON.stringify(`SELECT * FROM read_parquet(${quoteLiteral(file)})`)})`,
      );
      if (load.rows !== ctx.rows) throw new Error(`the working set holds ${load.rows} rows, not ${ctx.rows}`);
      const loaded = await memoryNow(bench);
      const sql = hourlyAggregationSql('points');
      const times: number[] = [];
      for (let run = 0; run < 6; run++) {
        const answer = await page.evaluate<{ ms: number; rows: number }>(
          `window.benchProbe.query(${JSON.stringify(sql)})`,
        );
        if (answer.rows !== baseline.rows)
          throw new Error(`DuckDB-WASM returned ${answer.rows} rows, native ${baseline.rows}`);
        if (run > 0) times.push(answer.ms); // run 0 warms up, as medianMs does
      }
      const ours = [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
      const after = await memoryNow(bench);
      return timeFigure(
        this.id,
        ours,
        'bare native DuckDB, same file and query',
        baseline.ms,
        `DuckDB-WASM ${build} build in Chromium, ${ctx.rows} rows in, ${baseline.rows} rows out; runs ${times.map((t) => round(t, 0)).join(', ')} ms ` +
          `(the answer materialised in the engine, as native materialises its result); working set load (once, warehouse + chunks + insert): ${round(load.ms, 0)} ms; ` +
          `memory: ${formatMemory('engine up', ready)}; ${formatMemory('loaded', loaded)}; ${formatMemory('after the runs', after)} ` +
          `(the app's own idle engine is in the same renderer)`,
      );
    } finally {
      await bench.close();
    }
  },
};
