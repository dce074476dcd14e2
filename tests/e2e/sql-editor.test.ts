import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { typeQuery, useWorkbench, withFailureShot } from '../support/browser';

/** The editor's text as Monaco renders it (it draws spaces as no-break spaces). */
async function editorText(page: Page): Promise<string> {
  const lines = await page.locator('.sql-editor .view-line').allTextContents();
  return lines.join('\n').replaceAll('\u00a0', ' ');
}

describe('the SQL editor in the browser shell', () => {
  const workbench = useWorkbench();

  it('underlines errors, runs the statement under the cursor, saves with Ctrl+S and reopens from history', async () => {
    const opened = await workbench.openPage({
      screenshotPrefix: 'sql-editor',
      // Chromium logs every non-2xx fetch; the failing query answers 422 on purpose.
      consoleErrors: { except: 'status of 422' },
    });
    const { page, problems, shot } = opened;
    await withFailureShot(opened, async () => {
      await expect.poll(() => page.getByTestId('saved-query').count()).toBe(0);

      // A typo: the error shows in place and the name is underlined where it is.
      await typeQuery(page, 'SELECT metric_name, valu\nFROM metrics');
      await page.keyboard.press('Control+Enter');
      await expect
        .poll(async () => page.getByTestId('result-error').textContent(), { timeout: 30_000 })
        .toContain('valu');
      const squiggle = page.locator('.sql-editor .squiggly-error');
      await squiggle.first().waitFor({ timeout: 10_000 });
      // On line 1, after "SELECT metric_name, ".
      const box = await squiggle.first().boundingBox();
      const lineBox = await page.locator('.sql-editor .view-line').first().boundingBox();
      expect(
        box && lineBox && Math.abs(box.y + box.height / 2 - (lineBox.y + lineBox.height / 2)) < lineBox.height,
      ).toBe(true);
      await shot('error');

      // The fix: a two-statement script; the cursor in the first runs only that one.
      await typeQuery(page, 'SELECT 41 + 1 AS answer;\n\nSELECT count(*)::INTEGER AS points FROM metrics;\n');
      await expect.poll(() => squiggle.count()).toBe(0);
      await page.keyboard.press('Control+Home');
      await page.keyboard.press('End');
      await page.keyboard.press('Control+Enter');
      await page.getByTestId('result-rowcount').waitFor({ timeout: 30_000 });
      const cell = page.locator('[data-testid="result-cell"][data-column="answer"]');
      await expect.poll(async () => (await cell.first().textContent())?.trim(), { timeout: 30_000 }).toBe('42');
      expect(await page.locator('[data-testid="result-cell"][data-column="points"]').count()).toBe(0);

      // Down into the second statement: Ctrl+Enter runs that one instead.
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('Control+Enter');
      await page.locator('[data-testid="result-cell"][data-column="points"]').first().waitFor({ timeout: 30_000 });

      // Ctrl+S asks for a name in place, writes queries/<name>.sql and lists it.
      await page.keyboard.press('Control+s');
      const nameInput = page.getByTestId('save-name');
      await nameInput.waitFor();
      await nameInput.fill('answer and points');
      await nameInput.press('Enter');
      const saved = page.locator('[data-testid="saved-query"][data-name="answer and points"]');
      await saved.waitFor({ timeout: 10_000 });
      await expect
        .poll(() => page.locator('[data-testid="tab"].active .tab-title').textContent())
        .toBe('answer and points');
      expect(await readFile(join(workbench.shell.workspaceDir, 'queries', 'answer and points.sql'), 'utf8')).toBe(
        'SELECT 41 + 1 AS answer;\n\nSELECT count(*)::INTEGER AS points FROM metrics;\n',
      );
      // An edit marks the tab dirty until the next Ctrl+S, which saves without asking.
      await page.getByTestId('sql-editor').click();
      await page.keyboard.press('Control+End');
      await page.keyboard.insertText('-- checked\n');
      await page.getByTestId('tab-dirty').waitFor();
      await page.keyboard.press('Control+s');
      await expect.poll(() => page.getByTestId('tab-dirty').count()).toBe(0);
      expect(await readFile(join(workbench.shell.workspaceDir, 'queries', 'answer and points.sql'), 'utf8')).toContain(
        '-- checked',
      );
      await shot('saved');

      // History: every run, newest first; the failed one opens in a new tab.
      const entries = page.getByTestId('history-entry');
      await expect.poll(() => entries.count(), { timeout: 10_000 }).toBe(3);
      expect(await Promise.all((await entries.all()).map((e) => e.getAttribute('data-status')))).toEqual([
        'ok',
        'ok',
        'error',
      ]);
      await page.locator('[data-testid="history-entry"][data-status="error"]').click();
      await expect.poll(() => page.locator('[data-testid="tab"].active .tab-title').textContent()).toBe('From history');
      await expect.poll(() => editorText(page)).toBe('SELECT metric_name, valu\nFROM metrics');

      // A saved query opens from the sidebar (switching to its tab).
      await saved.click();
      await expect
        .poll(() => page.locator('[data-testid="tab"].active .tab-title').textContent())
        .toBe('answer and points');
      await shot('history');

      expect(problems).toEqual([]);
    });
    await opened.close();
  });
});
