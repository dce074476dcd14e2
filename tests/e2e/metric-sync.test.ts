/**
 * Metric sync through the UI: open the dialog from the Pipelines section, see
 * the estimate, sync one pipeline, read what was fetched, and sync again.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, startBrowserShell, type RunningShell } from '../support/browser';

const SCREENSHOTS = join(import.meta.dirname, '..', '..', 'test-results');

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOTS, `e2e-sync-${name}.png`) });
}

describe('metric sync from the UI', () => {
  let shell: RunningShell;
  let browser: Browser;

  beforeAll(async () => {
    await mkdir(SCREENSHOTS, { recursive: true });
    [shell, browser] = await Promise.all([startBrowserShell(), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    await shell?.stop();
  });

  it('syncs a pipeline and says what it fetched', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
    page.on('pageerror', (err) => console.error('page error:', err.message));
    try {
      await page.goto(shell.url);
      await page
        .getByTestId('workspace-status')
        .and(page.locator('[data-state="ready"]'))
        .waitFor({ timeout: 150_000 });
      await page.getByTestId('open-sync').click();
      const dialog = page.getByTestId('sync-dialog');
      await dialog.waitFor();
      // The first pipeline is picked, with all its metrics; the estimate follows.
      await expect.poll(() => page.getByTestId('sync-estimate').textContent(), { timeout: 30_000 }).toMatch(/rows/);
      await shot(page, 'dialog');

      await page.getByTestId('start-sync').click();
      const result = page.getByTestId('sync-result');
      await result.waitFor({ timeout: 120_000 });
      expect(await result.textContent()).toMatch(/^\d+ of \d+ days fetched: \d+ new; 0 unchanged/);
      await expect
        .poll(() => dialog.locator('.sync-cached').first().textContent(), { timeout: 10_000 })
        .toMatch(/days cached · .* rows synced/);
      await shot(page, 'done');

      // Nothing changed on the server: only the newest day is re-checked.
      await page.keyboard.press('Control+Enter');
      await expect
        .poll(() => page.getByTestId('sync-result').textContent(), { timeout: 120_000 })
        .toMatch(/^1 of \d+ days fetched: 1 latest re-checked; \d+ unchanged/);
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
    } catch (err) {
      await shot(page, 'failure');
      throw err;
    }
  });
});
