/**
 * Metric sync through the UI: open the dialog from the Pipelines section, see
 * the estimate, sync one pipeline, read what was fetched, and sync again.
 */
import { describe, expect, it } from 'vitest';
import { useWorkbench, withFailureShot } from '../support/browser';

describe('metric sync from the UI', () => {
  const workbench = useWorkbench();

  it('syncs a pipeline and says what it fetched', async () => {
    const opened = await workbench.openPage({ screenshotPrefix: 'sync' });
    const { page, shot } = opened;
    await withFailureShot(opened, async () => {
      await page.getByTestId('open-sync').click();
      const dialog = page.getByTestId('sync-dialog');
      await dialog.waitFor();
      // The first pipeline is picked, with all its metrics; the estimate follows.
      await expect.poll(() => page.getByTestId('sync-estimate').textContent(), { timeout: 30_000 }).toMatch(/rows/);
      await shot('dialog');

      await page.getByTestId('start-sync').click();
      const result = page.getByTestId('sync-result');
      await result.waitFor({ timeout: 120_000 });
      expect(await result.textContent()).toMatch(/^\d+ of \d+ days fetched: \d+ new; 0 unchanged/);
      await expect
        .poll(() => dialog.locator('.sync-cached').first().textContent(), { timeout: 10_000 })
        .toMatch(/days cached · .* rows synced/);
      await shot('done');

      // Nothing changed on the server: only the newest day is re-checked.
      await page.keyboard.press('Control+Enter');
      await expect
        .poll(() => page.getByTestId('sync-result').textContent(), { timeout: 120_000 })
        .toMatch(/^1 of \d+ days fetched: 1 latest re-checked; \d+ unchanged/);
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
    });
  });
});
