/**
 * A damaged Parquet file among a pipeline's Bronze in the browser shell: the
 * SQL result, the pipeline editor and its reprocessing preview all still
 * answer from the other files and say "1 file skipped: <file>: <why>".
 */
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { typeQuery, useWorkbench, withFailureShot } from '../support/browser';

describe('a damaged Bronze file in the browser shell', () => {
  const workbench = useWorkbench();

  it('is named in the SQL result, the pipeline editor and the reprocessing preview; the rest answers', async () => {
    const opened = await workbench.openPage({
      screenshotPrefix: 'damaged-parquet',
      consoleErrors: { except: 'status of 4' },
    });
    const { page, problems, shot } = opened;
    await withFailureShot(opened, async () => {
      // A truncated copy of a real file lands in the pipeline's last day after the views were made.
      const pipelineDir = join(workbench.shell.workspaceDir, 'lake', 'bronze', 'energy_meters');
      const lastDay = (await readdir(pipelineDir))
        .filter((d) => d.startsWith('date='))
        .sort()
        .at(-1)!;
      const dayDir = join(pipelineDir, lastDay);
      const good = await readFile(
        join(
          dayDir,
          (await readdir(dayDir)).find((f) => f.endsWith('.parquet'))!,
        ),
      );
      const damagedPath = join(dayDir, 'batch-9999.parquet');
      await writeFile(damagedPath, good.subarray(0, good.length - 200));
      const key = `bronze/energy_meters/${lastDay}/batch-9999.parquet`;

      // SQL over the pipeline's view: the good files' rows, and the notice above them.
      await typeQuery(page, 'SELECT count(*)::INTEGER AS records FROM bronze.energy_meters');
      await page.keyboard.press('Control+Enter');
      const notice = page.getByTestId('skipped-files');
      await notice.waitFor({ timeout: 60_000 });
      expect(await notice.textContent()).toContain(`1 file skipped: ${key}: `);
      expect(await notice.textContent()).toContain('No magic bytes');
      expect(await notice.textContent()).toContain(damagedPath);
      const cell = page.locator('[data-testid="result-cell"][data-column="records"]').first();
      await expect
        .poll(async () => Number((await cell.textContent())?.replace(/\D/g, '')), { timeout: 30_000 })
        .toBeGreaterThan(0);
      await page.screenshot({ path: '/tmp/parquet-sql.png' });
      await shot('sql');

      // The pipeline editor: the same file named above its live preview; a sample still loads.
      await page.locator('[data-testid="pipeline"][data-pipeline="energy_meters"]').click({ timeout: 60_000 });
      const editor = page.locator('[data-testid="pipeline-editor"][data-pipeline="energy_meters"]');
      await editor.waitFor({ timeout: 30_000 });
      const editorNotice = editor.locator('.pipeline-preview > [data-testid="skipped-files"]');
      await editorNotice.waitFor({ timeout: 30_000 });
      expect(await editorNotice.textContent()).toContain(`1 file skipped: ${key}: `);
      const load = page.getByTestId('load-sample');
      await expect.poll(() => load.isEnabled(), { timeout: 30_000 }).toBe(true);
      await load.click();
      await page.getByTestId('sample-status').waitFor({ timeout: 60_000 });
      await page.getByTestId('preview').waitFor({ timeout: 30_000 });
      await editorNotice.scrollIntoViewIfNeeded();
      await page.screenshot({ path: '/tmp/parquet-editor.png' });
      await shot('editor');

      // The reprocessing preview over the last week (the damaged day included): it runs and says what it left out.
      const panel = page.getByTestId('reprocessing-panel');
      await panel.scrollIntoViewIfNeeded();
      await expect.poll(() => page.getByTestId('rp-start').inputValue(), { timeout: 30_000 }).toMatch(/^\d{4}-/);
      await page.getByTestId('rp-preview').click();
      await page.getByTestId('rp-unchanged').waitFor({ timeout: 90_000 });
      const rpNotice = panel.getByTestId('skipped-files');
      await rpNotice.waitFor();
      expect(await rpNotice.textContent()).toContain(`1 file skipped: ${key}: `);
      expect(await rpNotice.textContent()).toContain('a push is refused');
      await rpNotice.scrollIntoViewIfNeeded();
      await page.screenshot({ path: '/tmp/parquet-reprocessing.png' });
      await shot('reprocessing');

      // The preview's tables do not join the user's cached data: folded away, at the end, not counted.
      const catalog = page.getByTestId('sidebar-catalog');
      await catalog.getByTitle('Refresh cached data').click();
      const previewsNode = catalog.locator('[data-testid="catalog-schema"][data-schema="previews"]');
      await previewsNode.waitFor({ timeout: 30_000 });
      expect(await previewsNode.getAttribute('data-open')).toBe('false');
      expect(await previewsNode.textContent()).toMatch(/^▸Reprocessing previews\d+$/);
      expect(await catalog.locator('[data-testid="catalog-relation"][data-name^="previews."]').count()).toBe(0);
      const schemas = await catalog
        .getByTestId('catalog-schema')
        .evaluateAll((els) => els.map((el) => el.getAttribute('data-schema')));
      expect(schemas.at(-1)).toBe('previews');
      const shown = await catalog.getByTestId('catalog-relation').count();
      expect(await catalog.locator('.section-count').first().textContent()).toBe(String(shown));
      await shot('catalog');

      // The inspector counts the damaged file for its pipeline only.
      await page.getByTestId('open-inspector').click();
      await page.getByTestId('inspector').waitFor();
      const inspectorProgress = page.getByTestId('insp-progress');
      const searchPipeline = async (pipeline: string) => {
        await page.getByTestId('insp-pipeline').selectOption(pipeline);
        await page.getByTestId('insp-series-id').fill('meter-0003');
        await page.getByTestId('insp-search').click();
        await inspectorProgress.and(page.locator('[data-state="succeeded"]')).waitFor({ timeout: 60_000 });
      };
      await searchPipeline('energy_meters');
      const inspectorProblems = page.getByTestId('insp-problems');
      await expect.poll(() => inspectorProblems.getAttribute('data-files')).toBe('1');
      expect(await inspectorProblems.textContent()).toMatch(/^1 file has problems/);
      await searchPipeline('payment_events');
      await expect.poll(() => inspectorProblems.count()).toBe(0);

      // The user's file is still there, as it was.
      expect((await readFile(damagedPath)).length).toBe(good.length - 200);
      expect(problems).toEqual([]);
    });
    await opened.close();
  });
});
