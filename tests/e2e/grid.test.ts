import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { typeQuery, useWorkbench, withFailureShot, type WorkbenchPage } from '../support/browser';

const ROWS = 1_000_000;

// A million rows: every number joined with a demo metric point, so values, text and times are realistic.
const SQL = `SELECT r.range AS n, m.series_id, m.metric_name, round(m.value * (1 + r.range % 7), 3) AS value,
       m.time + to_seconds(r.range) AS ts
FROM range(${ROWS}) r
JOIN (SELECT row_number() OVER (ORDER BY time, series_id, metric_name) - 1 AS k, * FROM metrics) m
  ON m.k = r.range % 500
ORDER BY n`;

const cell = (page: Page, row: number, column: string) =>
  page.locator(`[data-testid="result-row"][data-index="${row}"] [data-testid="result-cell"][data-column="${column}"]`);

describe('the result grid with a million rows', () => {
  const workbench = useWorkbench();

  it('scrolls to the end, sorts, filters, hides a column, copies and exports what it shows', async () => {
    const opened = await workbench.openPage({
      screenshotPrefix: 'grid',
      // Downloads for the export, the clipboard for the copy steps.
      context: { acceptDownloads: true, permissions: ['clipboard-read', 'clipboard-write'] },
    });
    await withFailureShot(opened, () => steps(opened));
    expect(opened.problems).toEqual([]);
    await opened.close();
  });

  async function steps({ page, shot }: WorkbenchPage): Promise<void> {
    await typeQuery(page, SQL);
    await page.keyboard.press('Control+Enter');
    const count = page.getByTestId('grid-count');
    await expect.poll(() => count.textContent(), { timeout: 20_000 }).toBe('1,000,000 rows');
    await cell(page, 0, 'n').waitFor();
    expect(await cell(page, 0, 'n').textContent()).toBe('0');

    // The last row, by keyboard (Ctrl+End) — the scrollbar's end is the result's end.
    const grid = page.getByTestId('result-grid');
    await grid.focus();
    await page.keyboard.press('Control+End');
    await cell(page, ROWS - 1, 'n').waitFor({ timeout: 30_000 });
    expect(await cell(page, ROWS - 1, 'n').textContent()).toBe(String(ROWS - 1));
    await page.keyboard.press('Control+Home');
    await cell(page, 0, 'n').waitFor();

    // Sort over the whole result: descending on n puts the last row first.
    const header = (name: string) => page.locator(`[role="columnheader"][data-column="${name}"]`);
    await header('n').click();
    await header('n').click();
    await expect.poll(() => header('n').getAttribute('aria-sort')).toBe('descending');
    await expect.poll(() => cell(page, 0, 'n').textContent(), { timeout: 30_000 }).toBe(String(ROWS - 1));

    // Filter the whole result from the column menu.
    await header('n').hover();
    await header('n').getByTestId('column-menu-button').click();
    await page.getByTestId('menu-filter').click();
    await page.getByTestId('filter-op').selectOption('lt');
    await page.getByTestId('filter-value').fill('12345');
    await page.getByTestId('filter-apply').click();
    await expect.poll(() => count.textContent(), { timeout: 30_000 }).toBe('12,345 of 1,000,000 rows');
    await expect.poll(() => cell(page, 0, 'n').textContent(), { timeout: 30_000 }).toBe('12344');

    // A value that is not a number is refused in place.
    await page.getByTestId('filter-chip').locator('button').first().click();
    await page.getByTestId('filter-value').fill('ten');
    await page.getByTestId('filter-apply').click();
    await expect.poll(() => page.getByTestId('filter-editor').textContent()).toContain('“ten” is not a number');
    await page.keyboard.press('Escape');

    // Hide a column from the Columns menu.
    await page.getByTestId('columns-button').click();
    await page.locator('[data-testid="column-toggle"][data-column="metric_name"]').uncheck();
    await page.keyboard.press('Escape');
    await expect.poll(() => header('metric_name').count()).toBe(0);
    expect(await page.getByTestId('columns-button').textContent()).toContain('1 hidden');

    // Copy a cell with Ctrl+C, and a row as JSON from the context menu.
    await cell(page, 0, 'series_id').click();
    await page.keyboard.press('Control+C');
    const seriesId = await cell(page, 0, 'series_id').textContent();
    await expect.poll(() => page.evaluate<string>('navigator.clipboard.readText()')).toBe(seriesId);
    await cell(page, 0, 'n').click({ button: 'right' });
    await page.getByTestId('menu-copy-json').click();
    await expect
      .poll(
        async () =>
          JSON.parse(await page.evaluate<string>('navigator.clipboard.readText()')) as Record<string, unknown>,
      )
      .toMatchObject({ n: 12344, series_id: seriesId });

    // The profile of a column over the filtered result.
    await header('value').hover();
    await header('value').getByTestId('column-menu-button').click();
    await page.getByTestId('menu-profile').click();
    await expect.poll(() => page.getByTestId('profile-stats').textContent(), { timeout: 30_000 }).toContain('12,345');

    // Times read the same everywhere: in the workspace's zone (UTC for the demo) with the offset shown.
    const shownTime = (await cell(page, 0, 'ts').textContent()) ?? '';
    expect(shownTime).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?\+00$/);

    // Export what the grid shows: every row of the view (not the loaded pages), sorted, filtered,
    // without the hidden column; the menu and the finished job say so.
    await page.getByTestId('export-button').click();
    expect(await page.getByTestId('export-menu-caption').textContent()).toBe(
      'As the grid shows it: sorted by n ↓, 1 filter, 4 of 5 columns',
    );
    await shot('export-menu');
    await page.getByTestId('export-csv').click();
    const status = page.getByTestId('export-status');
    await expect.poll(() => status.getAttribute('data-state'), { timeout: 120_000 }).toBe('succeeded');
    const statusText = (await status.textContent()) ?? '';
    expect(statusText).toContain('12,345 rows (sorted by n ↓, 1 filter, 4 of 5 columns)');
    const path = (await status.getAttribute('title')) ?? '';
    expect(path.startsWith(join(workbench.shell.workspaceDir, 'exports'))).toBe(true);
    const text = await readFile(path, 'utf8');
    const lines = text.trimEnd().split('\n');
    expect(lines.length).toBe(12_345 + 1);
    expect(lines[0]).toBe('n,series_id,value,ts');
    const first = lines[1]!.split(',');
    expect(first[0]).toBe('12344');
    expect(first[1]).toBe(seriesId);
    // The file's time is the grid's text, character for character.
    expect(first[3]).toBe(shownTime);
    expect(lines.at(-1)!.split(',')[0]).toBe('0');
    const download = page.waitForEvent('download');
    await page.getByTestId('export-download').click();
    const file = await (await download).path();
    expect((await readFile(file, 'utf8')).length).toBe(text.length);

    await shot();
  }
});
