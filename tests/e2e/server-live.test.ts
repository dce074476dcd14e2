/**
 * The Server section and live queries in the browser shell: the mode badge, a
 * table opened as a live query whose rows land in the grid, a write refused in
 * place, and Escape cancelling a long live query on the server.
 */
import { describe, expect, it } from 'vitest';
import { typeQuery, useWorkbench, withFailureShot } from '../support/browser';

describe('the server schema browser and live queries', () => {
  const workbench = useWorkbench();

  it('browses the server, queries a table live, refuses a write and cancels on the server', async () => {
    const opened = await workbench.openPage({
      screenshotPrefix: 'server-live',
      // Refused and cancelled queries answer 422 on purpose.
      consoleErrors: { except: 'status of 422' },
    });
    const { page, problems, shot } = opened;
    await withFailureShot(opened, async () => {
      const server = page.getByTestId('sidebar-server');
      await expect
        .poll(() => server.getByTestId('server-mode').textContent(), { timeout: 30_000 })
        .toBe('plain PostgreSQL');
      const metrics = server.locator('[data-testid="server-relation"][data-name="dash.pipeline_metrics"]');
      await metrics.scrollIntoViewIfNeeded();
      await metrics.click();
      await expect.poll(() => server.locator('.tree-item.column').allTextContents()).toContain('timetimestamptz');
      await server.getByTestId('server-open-live').first().click();

      // The new tab runs on the server.
      await page.locator('[data-testid="query-target"] [data-target="server"][aria-checked="true"]').waitFor();
      await page.getByTestId('run-query').click();
      const rowCount = page.getByTestId('result-rowcount');
      await page
        .locator('[data-testid="result-rowcount"], [data-testid="result-error"]')
        .first()
        .waitFor({ timeout: 60_000 });
      if (await page.getByTestId('result-error').count()) {
        throw new Error(`the live query failed: ${await page.getByTestId('result-error').textContent()}`);
      }
      await expect.poll(() => rowCount.getAttribute('data-count'), { timeout: 60_000 }).toBe('1000');
      await page.getByTestId('result-row').first().waitFor();
      await shot();

      // A write is refused in place, never run.
      await typeQuery(page, 'DELETE FROM dash.pipeline_metrics');
      await page.getByTestId('run-query').click();
      await expect
        .poll(() => page.getByTestId('result-error').textContent(), { timeout: 30_000 })
        .toContain('Live queries are read-only');
      await shot('refused');

      // Escape cancels a long live query on the server.
      await typeQuery(page, 'SELECT pg_sleep(60)');
      await page.getByTestId('run-query').click();
      await page.locator('[data-testid="run-query"][data-state="running"]').waitFor();
      const active = async () => {
        const meta = await workbench.api<{ resultId: string; rowCount: number }>('live.run', {
          queryId: `probe-${Date.now()}`,
          sql: "SELECT pid FROM pg_stat_activity WHERE query LIKE 'FETCH FORWARD%' AND pid <> pg_backend_pid()",
        });
        return meta.rowCount;
      };
      await expect.poll(active, { timeout: 30_000 }).toBe(1);
      await page.keyboard.press('Escape');
      await page.locator('[data-testid="run-query"][data-state="idle"]').waitFor({ timeout: 30_000 });
      await expect.poll(() => page.locator('.query-notice').textContent()).toContain('cancelled');
      expect(await active()).toBe(0);

      // The switch takes the tab back to the local warehouse.
      await page.locator('[data-testid="query-target"] [data-target="warehouse"]').click();
      await typeQuery(page, 'SELECT count(*) AS n FROM metrics');
      await page.getByTestId('run-query').click();
      await expect.poll(() => rowCount.getAttribute('data-count'), { timeout: 60_000 }).toBe('1');

      expect(problems, problems.join('\n')).toEqual([]);
    });
    await opened.close();
  });
});
