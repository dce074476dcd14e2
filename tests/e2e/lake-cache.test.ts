/**
 * The Bronze lake in S3, through the UI only: add an S3 connection, test and
 * save it, make it the workspace's lake, browse a pipeline's day, cache it,
 * and query it — the row count must match the generated Bronze of that day.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoLake } from '../../src/main/services/demo/DemoLake';
import { startS3rverChild, s3rverCredentials, type S3rverChild } from '../integration/support/s3rverChild';
import { uploadBronze } from '../setup/TestServers';
import { typeQuery, useWorkbench, withFailureShot, type WorkbenchPage } from '../support/browser';

const BUCKET = 'dash-bronze';
const PIPELINE = 'energy_meters';

/** Rows of the Parquet files a glob matches, counted by native DuckDB. */
async function countRows(glob: string): Promise<number> {
  const db = await DuckDBInstance.create(':memory:', {
    autoload_known_extensions: 'false',
    autoinstall_known_extensions: 'false',
  });
  const con = await db.connect();
  try {
    const reader = await con.runAndReadAll(
      `SELECT count(*)::INTEGER AS n FROM read_parquet('${glob.replaceAll("'", "''")}', union_by_name = true)`,
    );
    return Number(reader.getRowObjects()[0]!.n);
  } finally {
    con.closeSync();
    db.closeSync();
  }
}

function bronzeRowsOfDay(lakeDir: string, day: string): Promise<number> {
  return countRows(join(lakeDir, 'bronze', PIPELINE, `date=${day}`, '*.parquet'));
}

/** The lake in the bucket is the generated folder, key for key. */
function bronzeRowsOfFile(lakeDir: string, key: string): Promise<number> {
  return countRows(join(lakeDir, ...key.split('/')));
}

describe('the Bronze lake in S3, cached and queried from the UI', () => {
  let root: string;
  let lakeDir: string;
  let s3: S3rverChild;
  const workbench = useWorkbench();

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'dash-e2e-lake-'));
    lakeDir = join(root, 'lake');
    const [, server] = await Promise.all([
      generateDemoLake({ dir: lakeDir, seed: 42, size: 'tiny' }),
      startS3rverChild(join(root, 's3'), BUCKET),
    ]);
    s3 = server;
    await uploadBronze({ endpoint: s3.endpoint, bucket: BUCKET, region: 'auto', ...s3rverCredentials }, lakeDir);
  });

  afterAll(async () => {
    await s3?.kill();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('connects, browses, caches a day and queries it', async () => {
    const opened = await workbench.openPage({ screenshotPrefix: 'lake' });
    await withFailureShot(opened, () => flow(opened));
  });

  async function flow({ page, shot }: WorkbenchPage): Promise<void> {
    // Connections → add an S3 bucket.
    await page.getByTestId('manage-connections').click();
    const dialog = page.getByTestId('connection-dialog');
    await dialog.waitFor();
    await page.getByTestId('add-s3').click();
    // Saving an empty form shows the contract's messages under the fields.
    await page.getByTestId('save-connection').click();
    await page.getByTestId('error-endpoint').waitFor();
    await page.getByTestId('field-name').fill('Test bucket');
    await page.getByTestId('field-endpoint').fill(s3.endpoint);
    await page.getByTestId('field-bucket').fill(BUCKET);
    await page.getByTestId('field-prefix').fill('bronze/');
    await page.getByTestId('field-accessKeyId').fill(s3rverCredentials.accessKeyId);
    await page.getByTestId('field-secret').fill(s3rverCredentials.secretAccessKey);
    await page.getByTestId('test-connection').click();
    const result = page.getByTestId('test-result');
    await result.waitFor({ timeout: 30_000 });
    await shot('1-connection-tested');
    expect(await result.getAttribute('data-ok'), (await result.textContent()) ?? '').toBe('true');

    await page.getByTestId('save-connection').click();
    const row = page.locator('[data-testid="connection-row"][data-id="test-bucket"]');
    await row.waitFor();
    await row.getByTestId('secret-stored').waitFor();
    await expect
      .poll(() => page.getByTestId('field-secret').getAttribute('placeholder'))
      .toBe('stored — leave empty to keep');

    await page.getByTestId('use-as-lake').click();
    await expect
      .poll(() => page.getByTestId('workspace-status').textContent(), { timeout: 30_000 })
      .toContain(`s3://${BUCKET}/bronze/`);
    await shot('2-connection-saved');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });

    // Browse the pipeline, open one day.
    await page.getByTestId('browse-lake').click();
    const browser_ = page.getByTestId('lake-browser');
    await browser_.waitFor();
    const pipeline = page.locator(`[data-testid="lake-entry"][data-prefix="bronze/${PIPELINE}/"]`);
    await pipeline.waitFor({ timeout: 30_000 });
    expect(await pipeline.getAttribute('data-kind')).toBe('pipeline');
    await pipeline.locator('button.lake-name').click();
    const days = page.locator('[data-testid="lake-entry"][data-kind="day"]');
    await days.first().waitFor({ timeout: 30_000 });
    await shot('3-pipeline-days');
    const dayPrefix = (await days.nth(1).getAttribute('data-prefix'))!;
    const day = /date=(\d{4}-\d{2}-\d{2})\/$/.exec(dayPrefix)![1]!;
    await days.nth(1).locator('button.lake-name').click();
    await expect.poll(() => page.getByTestId('lake-breadcrumb').textContent()).toContain(day);
    const files = page.locator('[data-testid="lake-entry"][data-kind="file"]');
    await files.first().waitFor({ timeout: 30_000 });
    expect(await files.first().getAttribute('data-cache')).toBe('not-cached');

    // Open a file that is not cached: its footer and first rows come by range reads on the store.
    const fileKey = (await files.first().getAttribute('data-key'))!;
    await files.first().getByTestId('open-file').click();
    const fileView = page.locator(`[data-testid="parquet-file"][data-key="${fileKey}"]`);
    await fileView.waitFor();
    const fileRows = fileView.getByTestId('file-rows');
    await fileRows.waitFor({ timeout: 30_000 });
    expect(await fileRows.getAttribute('data-count')).toBe(String(await bronzeRowsOfFile(lakeDir, fileKey)));
    const columns = await fileView
      .getByTestId('schema-column')
      .evaluateAll((els) => els.map((el) => el.getAttribute('data-name')));
    expect(columns).toEqual(expect.arrayContaining(['record_id', 'raw']));
    expect(await fileView.getByTestId('file-source').getAttribute('data-source')).toBe('store');
    await fileView.getByTestId('file-first-rows').waitFor();
    await shot('3b-file-view');
    await fileView.getByTestId('close-file').click();
    await fileView.waitFor({ state: 'detached' });
    // Enter on a file's name opens it too, and Escape closes it.
    await files.first().getByTestId('open-file').focus();
    await page.keyboard.press('Enter');
    await fileView.waitFor();
    await page.keyboard.press('Escape');
    await fileView.waitFor({ state: 'detached' });

    // Cache the day; the badges follow.
    await page.getByTestId('cache-day').click();
    await expect
      .poll(
        async () => {
          const states = await files.evaluateAll((els) => els.map((el) => el.getAttribute('data-cache')));
          return states.length > 0 && states.every((s) => s === 'cached');
        },
        { timeout: 60_000 },
      )
      .toBe(true);
    await shot('4-day-cached');

    // Open in query and run it: the whole day's Bronze rows are there.
    const expected = await bronzeRowsOfDay(lakeDir, day);
    expect(expected).toBeGreaterThan(0);
    await page.getByTestId('open-in-query').click();
    await page.getByTestId('sql-editor').click();
    await page.keyboard.press('Control+Enter');
    const rowCount = page.getByTestId('result-rowcount');
    await expect
      .poll(() => rowCount.getAttribute('data-count'), { timeout: 60_000 })
      .toBe(String(Math.min(100, expected)));
    // Without the LIMIT: every Bronze row of that day.
    await typeQuery(page, `SELECT * FROM bronze.${PIPELINE} WHERE date = '${day}'`);
    await page.keyboard.press('Control+Enter');
    await expect.poll(() => rowCount.getAttribute('data-count'), { timeout: 60_000 }).toBe(String(expected));
    await shot('5-day-queried');
  }
});
