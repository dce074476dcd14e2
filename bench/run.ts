/**
 * `npm run bench [-- --only ID] [--json FILE] [--rows N]`: runs the benchmark
 * figures and prints a table of our figure, the baseline and their ratio.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { cacheDownload } from './figures/cache';
import { queryWarehouse, queryWasm } from './figures/query';
import { syncMetrics } from './figures/sync';
import { gridPageAtEnd } from './figures/grid';
import { queryLive } from './figures/live';
import { formulaPreview } from './figures/formulaPreview';
import { formulaCompile50 } from './figures/formula';
import { inspectorFirstMatchCached, inspectorFirstMatchUncached, inspectorSearch } from './figures/inspector';
import { chartPoints, chartZoom100m, chartZoom10m } from './figures/charts';
import { chartServerZoom } from './figures/serverCharts';
import { preview30dFigure, pushChanged1pctFigure, pushMetricsFigure } from './figures/push';
import { gridLoad10mBrowser } from './browser/grid';
import { queryWasmBrowser } from './browser/queryWasm';
import { previewKeystrokeBrowser } from './browser/preview';
import type { Figure, FigureResult } from './harness';

const figures: Figure[] = [
  queryWarehouse,
  queryWasm,
  cacheDownload,
  syncMetrics,
  gridPageAtEnd,
  queryLive,
  formulaPreview,
  formulaCompile50,
  inspectorSearch,
  inspectorFirstMatchCached,
  inspectorFirstMatchUncached,
  chartZoom10m,
  chartZoom100m,
  chartPoints,
  chartServerZoom,
  pushMetricsFigure,
  pushChanged1pctFigure,
  preview30dFigure,
  gridLoad10mBrowser,
  queryWasmBrowser,
  previewKeystrokeBrowser,
];

function table(results: FigureResult[]): string {
  const rows = [
    ['figure', 'ours', 'baseline', 'speed ratio'],
    ...results.map((r) => [
      r.id,
      `${r.ours.value} ${r.ours.unit}`,
      r.baseline ? `${r.baseline.value} ${r.baseline.unit} (${r.baseline.name})` : '—',
      r.speed_ratio === null ? '—' : r.speed_ratio.toFixed(3),
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ')).join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      only: { type: 'string' },
      json: { type: 'string' },
      rows: { type: 'string', default: '10000000' },
    },
  });
  const selected = values.only ? figures.filter((f) => f.id === values.only) : figures;
  if (selected.length === 0) {
    process.stderr.write(`No figure "${values.only}". Figures: ${figures.map((f) => f.id).join(', ')}\n`);
    process.exit(2);
  }
  const rows = Number(values.rows);
  if (!Number.isInteger(rows) || rows <= 0) throw new Error('--rows must be a positive whole number');
  const ctx = {
    cacheDir: join(process.cwd(), '.cache', 'bench'),
    rows,
    log: (line: string) => process.stderr.write(`${line}\n`),
  };
  const results: FigureResult[] = [];
  for (const figure of selected) {
    ctx.log(`${figure.id}: ${figure.description}`);
    results.push(await figure.run(ctx));
  }
  process.stdout.write(`${table(results)}\n`);
  for (const r of results) if (r.notes) process.stdout.write(`  ${r.id}: ${r.notes}\n`);
  if (values.json) await writeFile(values.json, `${JSON.stringify(results, null, 2)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
