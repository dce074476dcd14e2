/**
 * Server charts in the browser shell: a metric chart switched to "Server
 * (live)" over the demo's embedded PostgreSQL, with only the first days of the
 * pipeline synced into the local cache. It draws one line across the cached and
 * the server days (the strip under the plot shows both), and each of two zooms
 * into the server days re-queries the server for the narrower window.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { type Workbench, useWorkbench, withFailureShot } from '../support/browser';
import { type DrawnChart, drawnChart, listJobs } from '../support/workbenchState';

const PIPELINE = 'energy_meters';
/** Days of the pipeline synced into the cache; the chart reads the rest from the server. */
const CACHED_DAYS = 3;

/** What the chart asked the API for: the window of each `chart.series` request with source 'server'. */
function serverRequests(page: Page): { fromMs: number; toMs: number }[] {
  const seen: { fromMs: number; toMs: number }[] = [];
  page.on('request', (request) => {
    if (!request.url().endsWith('/api/chart.series')) return;
    const body = JSON.parse(request.postData() ?? '{}') as { source?: string; fromMs: number; toMs: number };
    if (body.source === 'server') seen.push({ fromMs: body.fromMs, toMs: body.toMs });
  });
  return seen;
}

/**
 * Syncs the first `keep` days of a pipeline from the server into the cache (the
 * demo's computed days are on disk too, but only synced days count as cached
 * for a server chart); returns the first day left to the server.
 */
async function syncFirstDays(workbench: Workbench, pipelineId: string, keep: number): Promise<string> {
  const dir = join(workbench.shell.workspaceDir, 'cache', 'metrics', `pipeline_id=${pipelineId}`);
  const days = (await readdir(dir)).filter((d) => d.startsWith('date=')).map((d) => d.slice('date='.length));
  days.sort();
  if (days.length <= keep + 2) throw new Error(`${dir} has only ${days.length} days: the demo cache layout changed`);
  const { jobId } = await workbench.api<{ jobId: string }>('sync.start', {
    pipelines: [pipelineId],
    from: days[0],
    to: days[keep],
  });
  await expect
    .poll(
      async () => {
        const job = (await listJobs(workbench)).find((j) => j.jobId === jobId);
        return job?.finishedAt ? job.state : 'running';
      },
      { timeout: 120_000 },
    )
    .toBe('succeeded');
  return days[keep]!;
}

/** Waits until the chart is drawn for a window and stays so (no fetch still to land). */
async function settled(chart: Locator): Promise<DrawnChart> {
  let last = '';
  await expect
    .poll(
      async () => {
        const d = await drawnChart(chart);
        const now = `${d.state}|${d.fromMs}|${d.toMs}|${d.points}`;
        const still = d.state === 'ready' && d.points > 0 && now === last;
        last = now;
        return still;
      },
      { timeout: 60_000, interval: 500 },
    )
    .toBe(true);
  return drawnChart(chart);
}

describe('server charts', () => {
  const workbench = useWorkbench();

  it('draws a chart live from the server across cached and server days, and re-queries the server on each zoom', async () => {
    const opened = await workbench.openPage({ screenshotPrefix: 'server-charts' });
    const { page, shot } = opened;
    const requests = serverRequests(page);
    await withFailureShot(opened, async () => {
      const firstServerDay = await syncFirstDays(workbench, PIPELINE, CACHED_DAYS);
      const splitMs = Date.parse(`${firstServerDay}T00:00:00Z`);

      await page.getByTestId('new-chart').click();
      const source = page.getByTestId('chart-source');
      await expect.poll(() => source.isEnabled(), { timeout: 30_000 }).toBe(true);
      await source.selectOption('server');
      await page.getByTestId('chart-pipeline').selectOption(PIPELINE);
      const chart = page.getByTestId('metric-chart').getByTestId('ts-chart');
      const status = page.getByTestId('chart-source-status');

      // The whole range: one line per series, its first days from the cache and the rest from the server.
      const overview = await settled(chart);
      expect(requests.length).toBeGreaterThan(0);
      expect(overview.fromMs).toBeLessThan(splitMs);
      expect(overview.toMs).toBeGreaterThan(splitMs);
      const parts = page.getByTestId('chart-part');
      await expect
        .poll(() => parts.evaluateAll((els) => els.map((e) => e.getAttribute('data-from'))))
        .toEqual(['cache', 'server']);
      expect(await status.textContent()).toMatch(/^Server \(live\) · cache \+ server · /);
      expect(Number(await status.getAttribute('data-server-rows'))).toBeGreaterThan(0);
      await shot('overview');

      // Zoom in twice with the wheel over the middle of the plot (server days): each zoom asks the
      // server again, for a window inside the last one, and the line is drawn again.
      const box = (await chart.boundingBox())!;
      let before = overview;
      for (const step of [1, 2]) {
        const asked = requests.length;
        await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2);
        for (let i = 0; i < 4; i++) await page.mouse.wheel(0, -400);
        await expect
          .poll(async () => (await drawnChart(chart)).toMs - (await drawnChart(chart)).fromMs, { timeout: 30_000 })
          .toBeLessThan((before.toMs - before.fromMs) * 0.8);
        const after = await settled(chart);
        expect(requests.length, `zoom ${step} asked the server`).toBeGreaterThan(asked);
        const last = requests[requests.length - 1]!;
        expect(Math.round(last.fromMs)).toBe(after.fromMs);
        expect(Math.round(last.toMs)).toBe(after.toMs);
        expect(after.fromMs).toBeGreaterThanOrEqual(before.fromMs);
        expect(after.toMs).toBeLessThanOrEqual(before.toMs);
        expect(after.fromMs).toBeGreaterThan(splitMs);
        expect(after.series).toBe(overview.series);
        // Only server days in view now: the strip says so, and rows came over the wire.
        await expect
          .poll(() => parts.evaluateAll((els) => els.map((e) => e.getAttribute('data-from'))))
          .toEqual(['server']);
        expect(await status.textContent()).toMatch(/^Server \(live\) · /);
        expect(Number(await status.getAttribute('data-server-rows'))).toBeGreaterThan(0);
        await shot(`zoom-${step}`);
        before = after;
      }
      expect(opened.problems).toEqual([]);
    });
    await opened.close();
  });
});
