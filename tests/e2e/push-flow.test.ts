/**
 * The reprocessing preview and push in the browser shell: edit a formula,
 * preview the diff against the server, review the push plan, push to the demo's
 * embedded server (after confirming its credentials), see the server's metrics
 * and the audit row change, and undo.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { typeInto, typeQuery, useWorkbench, withFailureShot, type Workbench } from '../support/browser';
import { listJobs } from '../support/workbenchState';

const count = (text: string | null) => Number((text ?? '').replace(/[^\d]/g, ''));

/**
 * Runs `SELECT <expr> AS <column> FROM metrics …` in the first SQL tab, as a
 * user would, and returns the one cell's text; `column` names the result so a
 * run is never mistaken for the one before it.
 */
async function cachedMetricsCell(page: Page, column: string, expr: string, where: string): Promise<string> {
  await page.locator('[data-testid="tab"][data-kind="sql"]').first().click();
  await typeQuery(page, `SELECT ${expr} AS ${column} FROM metrics WHERE ${where}`);
  await page.keyboard.press('Control+Enter');
  const cell = page.locator(`[data-testid="result-cell"][data-column="${column}"]`).first();
  await cell.waitFor({ timeout: 60_000 });
  return ((await cell.textContent()) ?? '').trim();
}

/** Waits until no metric sync runs (a push re-syncs the cached days it touched as one) and none failed. */
async function syncsSettled(workbench: Workbench): Promise<void> {
  await expect
    .poll(
      async () => {
        const jobs = await listJobs(workbench);
        return jobs.filter((j) => j.kind === 'sync.metrics').map((j) => (j.finishedAt === null ? 'running' : j.state));
      },
      { timeout: 60_000 },
    )
    .not.toContain('running');
  const jobs = await listJobs(workbench);
  expect(jobs.filter((j) => j.kind === 'sync.metrics' && j.state !== 'succeeded')).toEqual([]);
}

describe('reprocessing preview and push in the browser shell', () => {
  const workbench = useWorkbench();

  it('edits a formula, previews the diff, pushes it, sees the server change, and undoes it', async () => {
    const opened = await workbench.openPage({
      screenshotPrefix: 'push-flow',
      consoleErrors: { except: 'status of 4' },
    });
    const { page, problems, shot } = opened;
    await withFailureShot(opened, async () => {
      await page.locator('[data-testid="pipeline"][data-pipeline="temperature_sensors"]').click({ timeout: 60_000 });
      await page.locator('[data-testid="metric"][data-metric="temperature_c"]').waitFor({ timeout: 30_000 });
      const panel = page.getByTestId('reprocessing-panel');
      await panel.scrollIntoViewIfNeeded();
      await expect.poll(() => page.getByTestId('rp-start').inputValue(), { timeout: 30_000 }).toMatch(/^\d{4}-/);
      await page.getByTestId('push-history-empty').waitFor({ timeout: 30_000 });

      // What the local metrics cache holds for the range before anything is pushed.
      const startDay = await page.getByTestId('rp-start').inputValue();
      const endDay = await page.getByTestId('rp-end').inputValue();
      const inRange = `pipeline_id = 'temperature_sensors' AND metric_name = 'temperature_c'
        AND time >= TIMESTAMPTZ '${startDay} 00:00:00+00' AND time < TIMESTAMPTZ '${endDay} 00:00:00+00' + INTERVAL 1 DAY`;
      const average = (column: string) =>
        cachedMetricsCell(page, column, 'round(avg(value), 6)::VARCHAR', inRange).then(Number);
      const cachedBefore = await average('avg_before_push');
      expect(Number.isFinite(cachedBefore)).toBe(true);
      await page.locator('[data-testid="tab"][data-kind="pipeline"]').first().click();
      await panel.scrollIntoViewIfNeeded();

      // The unchanged draft previews as the server's metrics, exactly.
      await page.getByTestId('rp-preview').click();
      await page.getByTestId('rp-unchanged').waitFor({ timeout: 60_000 });

      // A changed formula: every temperature moves by one degree.
      const formula = '[data-testid="metric"][data-metric="temperature_c"] [data-testid="metric-formula"]';
      await typeInto(page, formula, 'temperature_c + 1');
      await expect.poll(() => page.locator('.squiggly-error').count()).toBe(0);
      await page.getByTestId('rp-preview').click();
      const changed = page.getByTestId('rp-total-changed');
      await changed.waitFor({ timeout: 60_000 });
      await expect.poll(async () => count(await changed.textContent()), { timeout: 30_000 }).toBeGreaterThan(0);
      const changedCount = count(await changed.textContent());
      await page.locator('[data-testid="rp-per-metric"] tbody tr').first().waitFor();
      await page.getByTestId('rp-overlay-chart').locator('canvas').first().waitFor({ timeout: 30_000 });
      await page.getByTestId('rp-summary').scrollIntoViewIfNeeded();
      await shot('diff');

      // The plan: the new version, rows per metric per day, plain PostgreSQL.
      await page.getByTestId('rp-review-push').click();
      const dialog = page.getByTestId('push-plan-dialog');
      await dialog.getByTestId('push-plan-summary').waitFor({ timeout: 30_000 });
      expect(await dialog.getByTestId('push-mode').textContent()).toBe('plain PostgreSQL');
      expect(await dialog.getByTestId('push-plan-summary').textContent()).toMatch(/version 1 → 2/);
      expect(await dialog.getByTestId('push-run').isDisabled()).toBe(true);
      // The plan says how many values change, and the push writes exactly those rows: every temperature moves.
      const planValues = dialog.getByTestId('push-plan-values');
      expect(count(await planValues.getByTestId('values-changed').textContent())).toBe(changedCount);
      expect(count(await planValues.getByTestId('values-unchanged').textContent())).toBeGreaterThan(0);
      expect(count(await dialog.getByTestId('push-plan-insert').textContent())).toBe(changedCount);
      expect(count(await dialog.getByTestId('push-plan-delete').textContent())).toBe(changedCount);
      await dialog.getByTestId('rp-embedded-confirm').check();
      await shot('plan');
      await dialog.getByTestId('push-run').click();
      const result = dialog.getByTestId('push-result');
      await result.waitFor({ timeout: 60_000 });
      expect(await result.textContent()).toMatch(/version 2/);
      expect(count(await result.getByTestId('push-result-values').getByTestId('values-changed').textContent())).toBe(
        changedCount,
      );
      await shot('pushed');
      await dialog.getByTestId('push-plan-close').click();

      // The audit row, and the server's metrics now equal the draft's: a new preview shows no change.
      const rows = page.getByTestId('push-history-row');
      await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(1);
      // The editor now starts from the pushed version.
      await expect
        .poll(async () => (await page.getByTestId('pipeline-editor').textContent()) ?? '', { timeout: 30_000 })
        .toContain('server v2');
      const history = await workbench.api<{
        pushes: { rowsInserted: number; pipelineVersion: number; values: { changed: number } | null }[];
      }>('push.history', {
        pipelineId: 'temperature_sensors',
      });
      expect(history.pushes[0]!.pipelineVersion).toBe(2);
      expect(history.pushes[0]!.rowsInserted).toBeGreaterThan(0);
      // The audit keeps the value counts, and the history shows them.
      expect(history.pushes[0]!.values?.changed).toBe(changedCount);
      expect(
        count(await rows.first().getByTestId('push-history-values').getByTestId('values-changed').textContent()),
      ).toBe(changedCount);

      // The local metrics cache follows the server: the push re-synced the cached days it touched.
      await syncsSettled(workbench);
      const cachedAfterPush = await average('avg_after_push');
      expect(cachedAfterPush).toBeCloseTo(cachedBefore + 1, 4);
      expect(await page.getByTestId('stale-metrics').count()).toBe(0);
      await page.locator('[data-testid="tab"][data-kind="pipeline"]').first().click();
      await panel.scrollIntoViewIfNeeded();
      await page.getByTestId('rp-preview').click();
      await page.getByTestId('rp-unchanged').waitFor({ timeout: 60_000 });
      await shot('after-push');

      // Undo (asks to confirm, with credentials): the server's metrics are back, so the draft differs again.
      await rows.first().getByTestId('push-undo').click();
      const undo = page.getByTestId('undo-dialog');
      await undo.getByTestId('rp-embedded-confirm').check();
      await shot('undo');
      await undo.getByTestId('undo-confirm').click();
      await expect.poll(() => rows.count(), { timeout: 60_000 }).toBe(2);
      // The undo restored version 1's definition as version 3: the open editor follows, as after a push.
      const editorPane = page.getByTestId('pipeline-editor');
      await expect.poll(async () => (await editorPane.textContent()) ?? '', { timeout: 30_000 }).toContain('server v3');
      await expect
        .poll(async () => (await page.getByTestId('draft-diff-none').textContent()) ?? '', { timeout: 30_000 })
        .toContain("server's version 3");
      await expect
        .poll(async () => (await page.locator(formula).textContent())?.replace(/\s+/g, ' ').trim(), { timeout: 30_000 })
        .toBe('temperature_c');
      expect(await page.getByTestId('draft-dirty').count()).toBe(0);
      await editorPane.evaluate((el) => el.scrollTo({ top: 0 }));
      await shot('editor-after-undo');
      // So a preview of what the editor now holds is the server's metrics again, exactly.
      await panel.scrollIntoViewIfNeeded();
      await page.getByTestId('rp-preview').click();
      await page.getByTestId('rp-unchanged').waitFor({ timeout: 60_000 });
      await shot('after-undo');

      // And the cache is back to what it held before the push.
      await syncsSettled(workbench);
      expect(await average('avg_after_undo')).toBeCloseTo(cachedBefore, 4);
      await page.locator('[data-testid="tab"][data-kind="pipeline"]').first().click();

      // A point of the overlay chart: the Bronze records behind it, in the inspector.
      const chart = page.getByTestId('rp-overlay-chart');
      await chart.locator('canvas').first().waitFor({ timeout: 30_000 });
      await chart.scrollIntoViewIfNeeded();
      await shot('chart');
      const box = (await chart.boundingBox())!;
      await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2 - 20);
      await page.getByTestId('insp-lineage-record').first().waitFor({ timeout: 30_000 });
      await shot('lineage');
      expect(problems).toEqual([]);
    });
    await opened.close();
  });

  it('shows cached days a push left stale where the metrics are shown, and re-syncs them in one click', async () => {
    // What a push leaves when re-syncing its days fails (the server went away: tests/integration/metricSync.test.ts
    // makes it happen for real): a stale mark on a cached day in the sync state.
    const stateFile = join(workbench.shell.workspaceDir, 'cache', 'metrics-sync.json');
    const state = JSON.parse(await readFile(stateFile, 'utf8')) as {
      pipelines: Record<string, { days: Record<string, unknown>; stale?: Record<string, unknown> }>;
    };
    const entry = state.pipelines['temperature_sensors']!;
    const day = Object.keys(entry.days).sort()[0]!;
    entry.stale = { [day]: { since: new Date().toISOString(), reason: 'push 0a1b2c3d changed it on the server' } };
    await writeFile(stateFile, JSON.stringify(state));

    const opened = await workbench.openPage({
      screenshotPrefix: 'stale-metrics',
      consoleErrors: { except: 'status of 4' },
    });
    const { page, problems, shot } = opened;
    await withFailureShot(opened, async () => {
      // In the sidebar, beside the pipelines…
      const sidebar = page.getByTestId('sidebar-pipelines').getByTestId('stale-metrics');
      await sidebar.waitFor({ timeout: 60_000 });
      expect(await sidebar.textContent()).toContain(`temperature_sensors ${day}`);
      // …and under a result over the cached metrics.
      const value = await cachedMetricsCell(
        page,
        'n',
        'count(*)::VARCHAR',
        `pipeline_id = 'temperature_sensors' AND time >= TIMESTAMPTZ '${day} 00:00:00+00' AND time < TIMESTAMPTZ '${day} 00:00:00+00' + INTERVAL 1 DAY`,
      );
      expect(Number(value)).toBeGreaterThan(0);
      const inResult = page.locator('.result-pane [data-testid="stale-metrics"]');
      await inResult.waitFor({ timeout: 30_000 });
      expect(await inResult.textContent()).toContain('push 0a1b2c3d changed it on the server');
      await page.keyboard.press('Escape');
      await shot();

      await inResult.getByTestId('resync-stale').click();
      await expect.poll(() => page.getByTestId('stale-metrics').count(), { timeout: 60_000 }).toBe(0);
      const after = JSON.parse(await readFile(stateFile, 'utf8')) as typeof state;
      expect(after.pipelines['temperature_sensors']!.stale ?? {}).toEqual({});
      expect(problems).toEqual([]);
    });
    await opened.close();
  });
});
