/**
 * The reprocessing preview and push in the browser shell: edit a formula,
 * preview the diff against the server, review the push plan, push to the demo's
 * embedded server (after confirming its credentials), see the server's metrics
 * and the audit row change, and undo.
 */
import { describe, expect, it } from 'vitest';
import { typeInto, useWorkbench, withFailureShot } from '../support/browser';

const count = (text: string | null) => Number((text ?? '').replace(/[^\d]/g, ''));

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
      await dialog.getByTestId('rp-embedded-confirm').check();
      await shot('plan');
      await dialog.getByTestId('push-run').click();
      const result = dialog.getByTestId('push-result');
      await result.waitFor({ timeout: 60_000 });
      expect(await result.textContent()).toMatch(/version 2/);
      await shot('pushed');
      await dialog.getByTestId('push-plan-close').click();

      // The audit row, and the server's metrics now equal the draft's: a new preview shows no change.
      const rows = page.getByTestId('push-history-row');
      await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(1);
      // The editor now starts from the pushed version.
      await expect
        .poll(async () => (await page.getByTestId('pipeline-editor').textContent()) ?? '', { timeout: 30_000 })
        .toContain('server v2');
      const history = await workbench.api<{ pushes: { rowsInserted: number; pipelineVersion: number }[] }>(
        'push.history',
        {
          pipelineId: 'temperature_sensors',
        },
      );
      expect(history.pushes[0]!.pipelineVersion).toBe(2);
      expect(history.pushes[0]!.rowsInserted).toBeGreaterThan(0);
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
      await page.getByTestId('rp-preview').click();
      await expect
        .poll(async () => count(await page.getByTestId('rp-total-changed').textContent()), { timeout: 60_000 })
        .toBe(changedCount);
      await shot('after-undo');

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
});
