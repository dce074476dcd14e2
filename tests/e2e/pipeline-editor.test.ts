import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { typeInto, useWorkbench, withFailureShot } from '../support/browser';

describe('the pipeline editor in the browser shell', () => {
  const workbench = useWorkbench();

  it('marks a typo with a suggestion, previews the fix over a Bronze sample, saves the draft and shows its diff', async () => {
    const opened = await workbench.openPage({
      screenshotPrefix: 'pipeline-editor',
      consoleErrors: { except: 'status of 4' },
    });
    const { page, problems, shot } = opened;
    await withFailureShot(opened, async () => {
      await page.locator('[data-testid="pipeline"][data-pipeline="energy_meters"]').click({ timeout: 60_000 });
      const editor = page.locator('[data-testid="pipeline-editor"][data-pipeline="energy_meters"]');
      await editor.waitFor({ timeout: 30_000 });
      await page.locator('[data-testid="metric"][data-metric="power_kw"]').waitFor({ timeout: 30_000 });

      // The sample: the default pick (a few series, the last days), loaded once into the in-app engine.
      const load = page.getByTestId('load-sample');
      await expect.poll(() => load.isEnabled(), { timeout: 30_000 }).toBe(true);
      await load.click();
      await page.getByTestId('sample-status').waitFor({ timeout: 60_000 });
      const preview = page.getByTestId('preview');
      await preview.waitFor({ timeout: 30_000 });
      // A large sample answers from a slice of it first; the whole sample's answer follows, and the screen says which.
      await expect
        .poll(() => page.getByTestId('preview-scope').textContent(), { timeout: 30_000 })
        .toMatch(/^all [\d,]+ records$/);
      const before = await preview.getAttribute('data-checksum');
      expect(before).toMatch(/power_kw=/);
      expect(await page.locator('[data-testid="preview-table"] tbody tr').count()).toBeGreaterThan(0);
      await page.getByTestId('preview-chart').locator('canvas').first().waitFor();
      await shot('preview');

      // A typo: underlined in place, and the message suggests the column meant.
      const formula = '[data-testid="metric"][data-metric="power_kw"] [data-testid="metric-formula"]';
      await typeInto(page, formula, 'value * multipler');
      await editor.locator('.squiggly-error').first().waitFor({ timeout: 10_000 });
      const problemsText = page.locator(
        '[data-testid="metric"][data-metric="power_kw"] [data-testid="formula-problems"]',
      );
      await expect.poll(async () => (await problemsText.textContent())?.toLowerCase() ?? '').toContain('did you mean');
      expect(await problemsText.textContent()).toContain('multiplier');
      // The preview keeps the last formulas that checked, and says so.
      await page.getByTestId('preview-error').waitFor();
      expect(await preview.getAttribute('data-checksum')).toBe(before);
      await shot('typo');

      // The fix: the marker goes and the preview (in W now, not kW) changes.
      await typeInto(page, formula, 'value * multiplier');
      await expect.poll(() => editor.locator('.squiggly-error').count()).toBe(0);
      await expect.poll(() => preview.getAttribute('data-checksum'), { timeout: 15_000 }).not.toBe(before);
      expect(await page.getByTestId('preview-error').count()).toBe(0);
      await expect.poll(() => page.getByTestId('preview-timing').textContent()).toMatch(/computed in [\d.]+ ms/);

      // Save the draft: a plain file with its base version, and the diff against the server.
      await page.getByTestId('draft-dirty').waitFor();
      await page.getByTestId('save-draft').click();
      await expect.poll(() => page.getByTestId('draft-dirty').count()).toBe(0);
      await page.getByTestId('draft-badge').waitFor();
      const change = page.locator('[data-testid="diff-entry"][data-kind="changed"][data-metric="power_kw"]');
      await change.waitFor();
      expect(await change.textContent()).toContain('value * multiplier / 1000');
      const file = JSON.parse(
        await readFile(join(workbench.shell.workspaceDir, 'pipelines', 'energy_meters.draft.json'), 'utf8'),
      ) as { baseVersion: number; metrics: { name: string; formula: string }[] };
      expect(file.metrics.find((m) => m.name === 'power_kw')?.formula).toBe('value * multiplier');
      expect(file.baseVersion).toBeGreaterThan(0);
      await shot('diff');

      // Discard: back to the server's version, file gone.
      await page.getByTestId('discard-draft').click();
      await page.getByTestId('confirm-discard').click();
      await page.getByTestId('draft-diff-none').waitFor();
      await expect.poll(() => preview.getAttribute('data-checksum'), { timeout: 15_000 }).toBe(before);

      // A new metric may use the ones above it; F12 on such a name goes to that metric's editor.
      await page.getByTestId('add-metric').click();
      const added = page.locator('[data-testid="metric"]').last();
      await expect.poll(() => added.getAttribute('data-metric')).toBe('metric_3');
      await expect
        .poll(() => page.locator('[data-testid="metric"]:focus-within').getAttribute('data-metric'))
        .toBe('metric_3');
      await page.keyboard.insertText('power_kw * 2');
      await expect
        .poll(() => page.locator('[data-testid="preview-metric"][data-metric="metric_3"]').count(), { timeout: 15_000 })
        .toBe(1);
      await page.keyboard.press('Home');
      await page.keyboard.press('F12');
      await expect
        .poll(() => page.locator('[data-testid="metric"]:focus-within').getAttribute('data-metric'))
        .toBe('power_kw');

      expect(problems).toEqual([]);
    });
    await opened.close();
  });
});
