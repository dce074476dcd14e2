/**
 * The Bronze record inspector, through the UI: find a record by id, read its
 * fields and raw JSON, open its file, then trace a metric row of the result
 * grid back to its Bronze records.
 */
import { describe, expect, it } from 'vitest';
import { typeQuery, useWorkbench, withFailureShot, type WorkbenchPage } from '../support/browser';

const RECORD_ID = 'meter-0003-20261005T110000Z';
/** The workbench's one time format, in the demo's zone (UTC). */
const ONE_FORMAT = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?\+00$/;

describe('the Bronze record inspector', () => {
  const workbench = useWorkbench();

  it('finds a record by id, opens its JSON and file, and shows a metric point’s records', async () => {
    const opened = await workbench.openPage({
      screenshotPrefix: 'inspector',
      // A browser far from UTC: the "(UTC)" fields must still show and take UTC.
      context: { permissions: ['clipboard-read', 'clipboard-write'], timezoneId: 'America/New_York' },
    });
    await withFailureShot(opened, () => steps(opened));
    expect(opened.problems).toEqual([]);
    await opened.close();
  });

  async function steps({ page, shot }: WorkbenchPage): Promise<void> {
    await page.getByTestId('open-inspector').click();
    await page.getByTestId('inspector').waitFor();
    await page.getByTestId('insp-record-id').fill(RECORD_ID);
    await page.getByTestId('insp-record-id').press('Enter');
    const progress = page.getByTestId('insp-progress');
    await progress.and(page.locator('[data-state="succeeded"]')).waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('insp-count').textContent()).toMatch(/^[1-9]\d* records?$/);
    expect(await progress.textContent()).toMatch(/skipped by statistics/);
    // Every pipeline was searched for the id; the demo's humidity drift is not a problem of this search.
    expect(await page.getByTestId('insp-problems').count()).toBe(0);

    await page.getByTestId('insp-row').first().click();
    const record = page.getByTestId('insp-record');
    await record.getByTestId('insp-fields').waitFor();
    expect(await record.getByTestId('insp-fields').textContent()).toContain(RECORD_ID);
    expect(await record.getByTestId('insp-source').textContent()).toMatch(
      /bronze\/energy_meters\/date=2026-10-0\d\/batch-\d+\.parquet/,
    );
    const json = record.getByTestId('raw-json');
    await json.waitFor();
    const root = json.getByTestId('json-branch').first();
    expect(await root.getAttribute('aria-expanded')).toBe('true');
    expect(await record.getByTestId('insp-neighbours').getByTestId('insp-neighbour').count()).toBeGreaterThan(1);
    await shot('record');
    await root.click();
    expect(await root.getAttribute('aria-expanded')).toBe('false');
    await root.click();

    await record.getByTestId('insp-copy-json').click();
    const copied = await page.evaluate<string>('navigator.clipboard.readText()');
    expect(JSON.parse(copied)).toMatchObject({ record_id: RECORD_ID, series_id: 'meter-0003' });

    await record.getByTestId('insp-open-file').click();
    await page.getByRole('heading', { name: 'Key-value metadata' }).waitFor();
    await shot('file');
    await page.keyboard.press('Escape');
    await record.waitFor();

    // A metric row in the result grid leads to the Bronze records behind it.
    await page.getByTestId('tab').filter({ hasText: 'Query 1' }).click();
    await typeQuery(
      page,
      "SELECT time, pipeline_id, series_id, metric_name, value FROM metrics WHERE pipeline_id = 'energy_meters' AND series_id = 'meter-0003' AND metric_name = 'power_kw' ORDER BY time LIMIT 20",
    );
    await page.keyboard.press('Control+Enter');
    const cell = page.locator(
      '[data-testid="result-row"][data-index="5"] [data-testid="result-cell"][data-column="value"]',
    );
    await cell.waitFor({ timeout: 20_000 });
    // The grid shows the point's time in the workspace's zone (UTC for the demo), offset shown.
    const metricTime =
      (await page
        .locator('[data-testid="result-row"][data-index="5"] [data-testid="result-cell"][data-column="time"]')
        .textContent()) ?? '';
    expect(metricTime).toMatch(ONE_FORMAT);
    await cell.click({ button: 'right' });
    await page.getByTestId('menu-lineage').click();
    const lineage = page.getByTestId('insp-lineage');
    await lineage.getByTestId('insp-lineage-record').first().waitFor({ timeout: 20_000 });
    expect(await lineage.textContent()).toContain("status = 'ok'");
    expect(await lineage.getByTestId('insp-steps').first().getAttribute('data-outcome')).toBe('kept');
    // The list beside it searched the same series and second.
    await progress.and(page.locator('[data-state="succeeded"]')).waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('insp-row').count()).toBeGreaterThan(0);

    // One time format: the lineage says the grid's time; the records' times read the same way.
    expect(await lineage.locator('.insp-panel-title').textContent()).toContain(metricTime);
    expect(await page.getByTestId('insp-row').first().locator('.insp-ts').textContent()).toMatch(ONE_FORMAT);
    // The search's "(UTC)" field shows that second in UTC, in the same format, not the browser's.
    const from = page.getByLabel('ts from (UTC)', { exact: true });
    expect(await from.inputValue()).toBe(metricTime.replace(/\+00$/, ''));
    // It takes what is typed as UTC, and says when that is not a time.
    const to = page.getByLabel('to (UTC, excl.)', { exact: true });
    await to.fill('tomorrow');
    expect(await to.getAttribute('aria-invalid')).toBe('true');
    await to.fill('');
    await shot('lineage');
  }
});
