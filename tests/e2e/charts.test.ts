/**
 * The time-series explorer in the browser: open a chart of a demo metric, zoom
 * in with the mouse wheel and see it re-queried at a finer resolution (more
 * points in the visible window), select a range, export PNG, save and reopen,
 * and chart a SQL result.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../../src/shared/api/queries';
import { typeQuery, useWorkbench, withFailureShot } from '../support/browser';
import { drawnChart } from '../support/workbenchState';

/** The editor's text as Monaco renders it (it draws spaces as no-break spaces). */
async function editorText(page: Page): Promise<string> {
  const lines = await page.locator('.sql-editor .view-line').allTextContents();
  return lines.join('\n').replaceAll('\u00a0', ' ');
}

/** Resets the chart's zoom and waits until the dense day is drawn whole. */
async function resetZoom(page: Page, chart: Locator): Promise<void> {
  await page.getByTestId('chart-reset-zoom').click();
  await expect
    .poll(
      async () => {
        const d = await drawnChart(chart);
        return d.state === 'ready' && d.points > 0 && d.toMs - d.fromMs <= 86_400_001;
      },
      { timeout: 60_000 },
    )
    .toBe(true);
}

/**
 * The tiny demo's metrics are hourly: 720 points per series, fewer than the
 * chart's pixel columns, so M4 already draws every point and zooming cannot
 * show more. One day of 10-second points (8,640 per series) for the demo's
 * meters goes into the cache beside them, as a finer metric of the same pipeline.
 */
async function addDenseMetric(workspaceDir: string): Promise<void> {
  const dayDir = join(workspaceDir, 'cache', 'metrics', 'pipeline_id=energy_meters', 'date=2026-10-01');
  if (!existsSync(dayDir)) throw new Error(`${dayDir} is missing: the demo cache layout changed`);
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  const start = Date.UTC(2026, 9, 1) / 1000;
  await con.run(`COPY (
    SELECT to_timestamp(${start} + i * 10) AS time, 'energy_meters' AS pipeline_id, 'meter-000' || s AS series_id,
           'energy_rate_10s' AS metric_name,
           1 + sin(i / 400.0 + s) + (hash(i, s) % 1000) / 4000.0 + CASE WHEN i % 3001 = 0 THEN 3 ELSE 0 END AS value
    FROM range(1, 4) a(s), range(8640) b(i)
  ) TO '${join(dayDir, 'part-dense.parquet').replaceAll("'", "''")}' (FORMAT parquet)`);
  con.closeSync();
  db.closeSync();
}

describe('time-series explorer', () => {
  const workbench = useWorkbench();

  it('zooms into a demo metric at a finer resolution, selects a range and exports', async () => {
    const opened = await workbench.openPage({ screenshotPrefix: 'charts' });
    const { page, shot } = opened;
    await withFailureShot(opened, async () => {
      await addDenseMetric(workbench.shell.workspaceDir);
      await page.getByTestId('new-chart').click();
      await page.locator('[data-testid="chart-metric"][data-metric="energy_rate_10s"]').check();
      await page.locator('[data-testid="chart-metric"][data-metric="energy_rate"]').uncheck();
      const chart = page.getByTestId('metric-chart').getByTestId('ts-chart');
      await resetZoom(page, chart);
      const before = await drawnChart(chart);
      expect(before.mode).toBe('m4');
      expect(await page.getByTestId('chart-resolution').textContent()).toMatch(/^M4 · 1 px = /);
      await shot('overview');

      // Zoom in with the wheel over the middle of the plot.
      const box = (await chart.boundingBox())!;
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      for (let i = 0; i < 10; i++) await page.mouse.wheel(0, -400);
      await expect
        .poll(
          async () => {
            const d = await drawnChart(chart);
            return d.state === 'ready' && d.toMs - d.fromMs < (before.toMs - before.fromMs) / 2;
          },
          { timeout: 30_000 },
        )
        .toBe(true);
      const after = await drawnChart(chart);
      const shrink = (after.toMs - after.fromMs) / (before.toMs - before.fromMs);
      // Re-queried for the new window: finer pixel columns (or raw points), and more
      // points in the visible window than the overview had there.
      expect(after.mode === 'raw' || after.resolutionMs < before.resolutionMs).toBe(true);
      expect(after.points).toBeGreaterThan(before.points * shrink * 1.5);
      await shot('zoomed');

      // Brush a range: the range bar offers the Bronze records behind it.
      await page.getByTestId('chart-brush').click();
      await page.mouse.move(box.x + box.width * 0.35, box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2, { steps: 8 });
      await page.mouse.up();
      const range = page.getByTestId('chart-range');
      await range.waitFor({ timeout: 10_000 });
      const from = Number(await range.getAttribute('data-from'));
      const to = Number(await range.getAttribute('data-to'));
      expect(from).toBeGreaterThanOrEqual(after.fromMs - 1);
      expect(to).toBeLessThanOrEqual(after.toMs + 1);
      expect(to).toBeGreaterThan(from);
      await shot('brushed');

      // PNG export is a real PNG file.
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByTestId('chart-export-png').click(),
      ]);
      expect(download.suggestedFilename()).toMatch(/\.png$/);
      const png = await readFile((await download.path())!);
      expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
      expect(png.length).toBeGreaterThan(5000);

      const [svg] = await Promise.all([page.waitForEvent('download'), page.getByTestId('chart-export-svg').click()]);
      expect((await readFile((await svg.path())!, 'utf8')).slice(0, 200)).toMatch(/<svg/);

      // Open the Bronze records of the brushed range: their SQL goes into a new tab, for the user to run.
      await page.getByTestId('chart-open-bronze').click();
      await expect
        .poll(() => page.getByTestId('query-notice').textContent())
        .toBe('Generated SQL, not run yet: read it, then press Ctrl/Cmd+Enter or ▶ Run.');
      await expect
        .poll(() => editorText(page))
        .toMatch(
          /^-- Bronze records behind the chart's selection: the series shown, over the selected range\.\nSELECT \*\nFROM bronze\."energy_meters"\nWHERE series_id IN \('meter-000\d'/,
        );
      expect(await page.getByTestId('run-query').getAttribute('data-state')).toBe('idle');
      expect(await page.getByTestId('result-rowcount').count()).toBe(0);
      await shot('bronze-generated');
      await page.keyboard.press('Control+Enter');
      await expect
        .poll(() => page.getByTestId('result-rowcount').getAttribute('data-count'), { timeout: 60_000 })
        .toMatch(/^[1-9]\d*$/);
      expect(await page.getByTestId('query-notice').count()).toBe(0);
      // It ran once: when the user asked.
      const { entries } = await workbench.api<{ entries: HistoryEntry[] }>('history.list', { limit: 1000 });
      expect(entries.filter((e) => e.sql.includes('FROM bronze."energy_meters"'))).toHaveLength(1);
      await shot('bronze');

      // Save, then reopen from the sidebar.
      await page.getByTestId('tab').and(page.locator('[data-kind="chart"]')).first().click();
      await page.getByTestId('chart-save').click();
      await page.getByTestId('chart-save-name').fill('zoomed energy');
      await page.keyboard.press('Enter');
      const saved = page.getByTestId('saved-chart').and(page.locator('[data-name="zoomed energy"]'));
      await saved.waitFor({ timeout: 10_000 });
      await saved.click();
      await expect.poll(() => page.getByTestId('tab').and(page.locator('[data-kind="chart"]')).count()).toBe(2);
      // It reopens where it was zoomed.
      const reopened = page.getByTestId('metric-chart').getByTestId('ts-chart');
      await expect
        .poll(async () => Math.abs((await drawnChart(reopened)).fromMs - after.fromMs), { timeout: 30_000 })
        .toBeLessThan(1000);
      await shot('reopened');

      expect(opened.problems).toEqual([]);
    });
    await opened.close();
  });

  it('keeps zooming while the points of an earlier zoom step land', async () => {
    const opened = await workbench.openPage({ screenshotPrefix: 'charts-zoom-race' });
    const { page } = opened;
    await withFailureShot(opened, async () => {
      await addDenseMetric(workbench.shell.workspaceDir);
      await page.getByTestId('new-chart').click();
      await page.locator('[data-testid="chart-metric"][data-metric="energy_rate_10s"]').check();
      await page.locator('[data-testid="chart-metric"][data-metric="energy_rate"]').uncheck();
      const chart = page.getByTestId('metric-chart').getByTestId('ts-chart');
      const box = (await chart.boundingBox())!;
      /** Resets the zoom, wheels in `bursts` (pausing so a fetch starts between them), returns the settled window's span. */
      const zoomSpan = async (bursts: number[], pauseMs: number): Promise<number> => {
        await resetZoom(page, chart);
        await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
        for (const [i, ticks] of bursts.entries()) {
          if (i > 0) await page.waitForTimeout(pauseMs);
          for (let t = 0; t < ticks; t++) await page.mouse.wheel(0, -400);
        }
        // Settled: drawn, and the same window a moment later.
        let last = '';
        await expect
          .poll(
            async () => {
              const d = await drawnChart(chart);
              const now = `${d.state}|${d.fromMs}|${d.toMs}`;
              const settled = d.state === 'ready' && now === last;
              last = now;
              return settled;
            },
            { timeout: 30_000, interval: 500 },
          )
          .toBe(true);
        const d = await drawnChart(chart);
        return d.toMs - d.fromMs;
      };
      const atOnce = await zoomSpan([8], 0);
      // Each pause lets the step's fetch start (after the 150 ms debounce); its answer lands while
      // the next burst is under way. That answer is for a wider window: the chart must not jump back to it.
      const inSteps = await zoomSpan([2, 2, 2, 2], 220);
      expect(inSteps / atOnce).toBeLessThan(1.1);
      expect(opened.problems).toEqual([]);
    });
    await opened.close();
  });

  it('charts a SQL result with a time column, next to its grid', async () => {
    const opened = await workbench.openPage({ screenshotPrefix: 'charts-result' });
    const { page, shot } = opened;
    await withFailureShot(opened, async () => {
      await typeQuery(
        page,
        `WITH pick AS (SELECT DISTINCT pipeline_id, metric_name, series_id FROM metrics ORDER BY ALL LIMIT 2)
SELECT m.time, m.series_id, m.value FROM metrics m JOIN pick USING (pipeline_id, metric_name, series_id)
ORDER BY time`,
      );
      await page.keyboard.press('Control+Enter');
      await expect
        .poll(() => page.getByTestId('result-rowcount').getAttribute('data-count'), { timeout: 60_000 })
        .toMatch(/^[1-9]\d*$/);
      await page.getByTestId('result-chart-toggle').click();
      const chart = page.getByTestId('result-chart').getByTestId('ts-chart');
      await expect
        .poll(
          async () => {
            const d = await drawnChart(chart);
            return d.state === 'ready' && d.points > 0;
          },
          { timeout: 60_000 },
        )
        .toBe(true);
      await shot();

      // A brushed range filters the grid to the rows in it.
      const count = page.getByTestId('grid-count');
      const total = Number(await count.getAttribute('data-total'));
      const box = (await chart.boundingBox())!;
      await page.getByTestId('result-chart').getByTestId('chart-brush').click();
      await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2, { steps: 8 });
      await page.mouse.up();
      // The grid shows a part of the rows once the filtered view is ready (0 while it loads).
      await expect
        .poll(
          async () => {
            const shown = Number(await count.getAttribute('data-shown'));
            return shown > total * 0.1 && shown < total * 0.6;
          },
          { timeout: 20_000 },
        )
        .toBe(true);
      await shot('brushed');
      expect(opened.problems).toEqual([]);
    });
    await opened.close();
  });

  it('draws 120 series with the plot keeping its size and the legend clear of the caption', async () => {
    const opened = await workbench.openPage({ screenshotPrefix: 'charts-120-series' });
    const { page, shot } = opened;
    await withFailureShot(opened, async () => {
      // 120 series of 48 hourly points each, split by series_id (the chart's default split).
      await typeQuery(
        page,
        `SELECT TIMESTAMPTZ '2026-10-01 00:00:00+00' + to_hours(h) AS time, 'sensor-' || lpad(s::VARCHAR, 3, '0') AS series_id,
       sin(h / 6.0 + s) * 10 + s AS value
FROM range(120) a(s), range(48) b(h) ORDER BY 1, 2`,
      );
      await page.keyboard.press('Control+Enter');
      await expect
        .poll(() => page.getByTestId('result-rowcount').getAttribute('data-count'), { timeout: 60_000 })
        .toBe('5760');
      await page.getByTestId('result-chart-toggle').click();
      const panel = page.getByTestId('result-chart');
      const chart = panel.getByTestId('ts-chart');
      const drawnSeries = async () =>
        (await chart.getAttribute('data-state')) === 'ready' ? await chart.getAttribute('data-series') : null;
      await expect.poll(drawnSeries, { timeout: 60_000 }).toBe('120');
      await shot();
      const plot = async () => ({
        top: Number(await chart.getAttribute('data-plot-top')),
        height: Number(await chart.getAttribute('data-plot-height')),
      });
      const many = await plot();
      // The legend scrolls (or collapses) instead of taking the plot's room: at 1400 × 860 the
      // plot keeps well over the ~200 px it shrank to.
      expect(many.height).toBeGreaterThanOrEqual(220);

      // The caption (resolution, points) is not drawn over the legend, which sits above the plot.
      const box = (await chart.boundingBox())!;
      const legendBand = { x: box.x, y: box.y, width: box.width, height: many.top };
      const caption = (await panel.getByTestId('chart-resolution').boundingBox())!;
      expect(
        overlaps(caption, legendBand),
        `caption ${JSON.stringify(caption)}, legend ${JSON.stringify(legendBand)}`,
      ).toBe(false);

      // One series (no split): the plot has the same size as with 120.
      await panel.getByTestId('result-chart-split').selectOption('');
      await expect.poll(drawnSeries, { timeout: 60_000 }).toBe('1');
      expect(await plot()).toEqual(many);
      expect(opened.problems).toEqual([]);
    });
    await opened.close();
  });
});

function overlaps(
  a: { x: number; y: number; width: number; height: number },
  b: { x: number; y: number; width: number; height: number },
): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

describe('a crafted saved chart', () => {
  let dir: string | undefined;
  // Where the crafted metric name's COPY would write, were it ever run.
  const target = () => join(dir!, 'stolen.csv');
  const workbench = useWorkbench({
    workspace: async () => {
      dir = await mkdtemp(join(tmpdir(), 'dash-e2e-crafted-chart-'));
      await mkdir(join(dir, 'charts'));
      const spec = {
        version: 1,
        source: {
          kind: 'metrics',
          pipelineId: 'energy_meters',
          metrics: ['energy_rate', `energy_rate)\nCOPY (SELECT 42 AS x) TO '${target()}';\n--`],
          seriesIds: [],
        },
        type: 'line',
        bucket: 'auto',
        compare: 'none',
        window: null,
      };
      await writeFile(join(dir, 'charts', 'crafted.json'), JSON.stringify(spec, null, 2));
      return dir;
    },
  });
  it('is refused by name when opened, and nothing in it runs', async () => {
    const opened = await workbench.openPage({ screenshotPrefix: 'charts-crafted' });
    const { page, shot } = opened;
    await withFailureShot(opened, async () => {
      const saved = page.getByTestId('saved-chart').and(page.locator('[data-name="crafted"]'));
      await saved.click();
      const error = page.getByTestId('sidebar-charts').locator('.empty-state.error');
      await expect
        .poll(() => error.textContent(), { timeout: 10_000 })
        .toBe(
          'charts/crafted.json is not a valid saved chart: source.metrics.1: a metric name cannot contain line breaks or other control characters. Fix or remove the file.',
        );
      await error.scrollIntoViewIfNeeded();
      await shot();
      // No chart opened from it, no query ran, nothing was written.
      expect(await page.getByTestId('tab').and(page.locator('[data-kind="chart"]')).count()).toBe(0);
      const { entries } = await workbench.api<{ entries: HistoryEntry[] }>('history.list', { limit: 1000 });
      expect(entries).toEqual([]);
      expect(existsSync(target())).toBe(false);
      expect(opened.problems).toEqual([]);
    });
    await opened.close();
  });
});
