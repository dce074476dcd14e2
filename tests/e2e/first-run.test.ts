/**
 * The first run, as a new user meets it: the default demo workspace starting in
 * the browser shell. One start-up progress that only goes forward, the lake and
 * the cached metrics open while PostgreSQL still loads, and Run pressed at once
 * waits for the warehouse instead of failing on a view that is not there yet.
 */
import { describe, expect, it } from 'vitest';
import { useWorkbench, withFailureShot } from '../support/browser';
import { queryCachedMetrics } from '../support/cachedMetrics';

/** Rows of the demo tab's query (one per pipeline and metric), counted in the cached Parquet files. */
async function metricsInCache(workspaceDir: string): Promise<number> {
  const [row] = await queryCachedMetrics(
    workspaceDir,
    (source) => `SELECT count(DISTINCT (pipeline_id, metric_name))::INTEGER AS n FROM ${source}`,
  );
  return Number(row!.n);
}

describe('the first run of the default demo workspace', () => {
  const workbench = useWorkbench({ demoSize: 'demo' });

  it('shows one start-up progress, opens the lake and cache before PostgreSQL, and runs the sample query pressed at once', async () => {
    const opened = await workbench.openPage({
      screenshotPrefix: 'first-run',
      waitForReady: false,
    });
    const { page, problems, shot } = opened;
    await withFailureShot(opened, async () => {
      const progress = page.getByTestId('startup-progress');
      await progress.waitFor({ timeout: 60_000 });
      // Every percent the bar shows, from now until it goes away.
      // (A script, not a function: this file is compiled without the DOM's types.)
      await page.evaluate(`(() => {
        const seen = [];
        window.startupPercents = seen;
        const timer = setInterval(() => {
          const bar = document.querySelector('[data-testid="startup-progress"]');
          if (!bar) return clearInterval(timer);
          const percent = Number(bar.getAttribute('data-percent'));
          if (seen.at(-1) !== percent) seen.push(percent);
        }, 50);
      })()`);
      await page.locator('[data-testid="sql-editor"] .monaco-editor').waitFor({ timeout: 60_000 });
      await shot(); // the first screen

      // Run at once: the tab says what it waits for, never "metrics does not exist".
      const warehouseGate = page.locator('[data-testid="phase-waiting"][data-phase="warehouse"]');
      expect(await warehouseGate.count(), 'the warehouse is still starting when Run is pressed').toBe(1);
      await page.getByTestId('run-query').click();
      const waiting = page.locator('[data-testid="query-progress"][data-phase="waiting"]');
      await expect.poll(() => waiting.textContent(), { timeout: 10_000 }).toContain('Waiting for the local warehouse');
      expect(await page.getByTestId('query-waiting').textContent()).toContain('runs as soon as the local warehouse');
      await shot('waiting');

      const rowCount = page.getByTestId('result-rowcount');
      await rowCount.waitFor({ timeout: 120_000 });
      expect(await page.getByTestId('result-error').count()).toBe(0);
      const expected = await metricsInCache(workbench.shell.workspaceDir);
      expect(expected).toBeGreaterThanOrEqual(3);
      await expect.poll(() => rowCount.getAttribute('data-count'), { timeout: 30_000 }).toBe(String(expected));

      // The lake and the cached metrics are open while the server still loads: only its sections wait.
      expect(await progress.count(), 'PostgreSQL is still loading').toBe(1);
      await expect.poll(() => page.getByTestId('lake-pipeline').count(), { timeout: 30_000 }).toBe(3);
      expect(await page.locator('[data-testid="sidebar-catalog"] [data-testid="phase-waiting"]').count()).toBe(0);
      expect(await page.locator('[data-testid="sidebar-pipelines"] [data-testid="phase-waiting"]').count()).toBe(1);
      await shot('lake-open');

      // Then everything is ready, and the bar goes away.
      await page
        .getByTestId('workspace-status')
        .and(page.locator('[data-state="ready"]'))
        .waitFor({ timeout: 150_000 });
      await progress.waitFor({ state: 'detached', timeout: 10_000 });
      await expect.poll(() => page.getByTestId('pipeline').count(), { timeout: 30_000 }).toBe(3);
      const percents = (await page.evaluate('window.startupPercents')) as number[];
      expect(percents.length).toBeGreaterThan(2);
      expect(percents).toEqual([...percents].sort((a, b) => a - b));
      expect(await page.getByTestId('result-error').count()).toBe(0);
      await shot('ready');
      expect(problems).toEqual([]);
    });
    await opened.close();
  });
});
