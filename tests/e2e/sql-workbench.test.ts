import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { typeQuery, useWorkbench, withFailureShot } from '../support/browser';
import { queryCachedMetrics } from '../support/cachedMetrics';

/** What the demo metrics hold, computed straight from the cached Parquet files. */
async function expectedMetricTotals(workspaceDir: string): Promise<Map<string, { points: number; total: number }>> {
  const rows = await queryCachedMetrics(
    workspaceDir,
    (source) =>
      `SELECT pipeline_id || '/' || metric_name AS k, count(*)::INTEGER AS points, round(sum(value), 3)::DOUBLE AS total
       FROM ${source} GROUP BY ALL`,
  );
  return new Map(rows.map((r) => [String(r.k), { points: Number(r.points), total: Number(r.total) }]));
}

describe('the SQL workbench in the browser shell', () => {
  const workbench = useWorkbench();

  it('refuses every request without the token', async () => {
    const { shell } = workbench;
    for (const path of ['/', '/index.html', '/api/events']) {
      const res = await fetch(`${shell.origin}${path}`);
      expect(res.status, path).toBe(401);
    }
    const api = await fetch(`${shell.origin}/api/app.info`, { method: 'POST', body: '{}' });
    expect(api.status).toBe(401);
    const wrong = await fetch(`${shell.origin}/api/app.info`, {
      method: 'POST',
      body: '{}',
      headers: { authorization: 'Bearer nope' },
    });
    expect(wrong.status).toBe(401);
    const right = await fetch(`${shell.origin}/api/app.info`, {
      method: 'POST',
      body: '{}',
      headers: { authorization: `Bearer ${shell.token}`, 'content-type': 'application/json' },
    });
    expect(right.status).toBe(200);
    expect(right.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(right.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
  });

  it('answers malformed API calls with a clear error, not a crash', async () => {
    const { shell } = workbench;
    const call = (method: string, body: string) =>
      fetch(`${shell.origin}/api/${method}`, {
        method: 'POST',
        body,
        headers: { authorization: `Bearer ${shell.token}`, 'content-type': 'application/json' },
      });
    const unknown = await call('no.such.method', '{}');
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ ok: false, error: { code: 'unknown_method' } });
    const badJson = await call('query.run', '{not json');
    expect(badJson.status).toBe(400);
    const badInput = await call('query.run', JSON.stringify({ sql: '', queryId: 'bad id with spaces' }));
    expect(badInput.status).toBe(400);
    expect(((await badInput.json()) as { error: { message: string } }).error.message).toMatch(/queryId/);
    expect((await call('app.info', '{}')).status).toBe(200);
  });

  it('answers a body over 4 MB with 413 and a message, not a reset connection', async () => {
    const { shell } = workbench;
    const body = JSON.stringify({ sql: `SELECT '${'x'.repeat(5 * 1024 * 1024)}'`, queryId: 'too-big' });
    // Both ways a client sends a body: with its length up front, and chunked (refused part-way through).
    for (const framing of ['content-length', 'chunked'] as const) {
      const answer = await new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = request(`${shell.origin}/api/query.run`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${shell.token}`,
            'content-type': 'application/json',
            ...(framing === 'content-length' ? { 'content-length': Buffer.byteLength(body) } : {}),
          },
        });
        req.on('response', (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (part: string) => (text += part));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
          res.on('error', reject);
        });
        req.on('error', reject);
        if (framing === 'chunked') {
          // In pieces, so the server has read past its limit before the client is done.
          for (let at = 0; at < body.length; at += 256 * 1024) req.write(body.slice(at, at + 256 * 1024));
          req.end();
        } else req.end(body);
      });
      expect(answer.status, framing).toBe(413);
      expect(JSON.parse(answer.text), framing).toMatchObject({
        ok: false,
        error: { code: 'bad_request', message: expect.stringContaining('4 MB'), hint: expect.any(String) },
      });
    }
    // The shell still answers.
    const after = await fetch(`${shell.origin}/api/app.info`, {
      method: 'POST',
      body: '{}',
      headers: { authorization: `Bearer ${shell.token}`, 'content-type': 'application/json' },
    });
    expect(after.status).toBe(200);
  });

  it('opens the demo workspace, runs a query over demo metrics and shows the right numbers', async () => {
    const opened = await workbench.openPage({
      screenshotPrefix: 'sql',
      // Chromium logs every non-2xx fetch; the failing query below answers 422 on purpose.
      consoleErrors: { except: 'status of 422' },
    });
    const { page, problems, shot } = opened;
    await withFailureShot(opened, async () => {
      await typeQuery(
        page,
        `SELECT pipeline_id || '/' || metric_name AS k, count(*)::INTEGER AS points, round(sum(value), 3)::DOUBLE AS total
FROM metrics GROUP BY ALL ORDER BY k`,
      );
      await page.keyboard.press('Control+Enter');
      const rowCount = page.getByTestId('result-rowcount');
      await rowCount.waitFor({ timeout: 60_000 });

      const expected = await expectedMetricTotals(workbench.shell.workspaceDir);
      expect(expected.size).toBeGreaterThanOrEqual(3);
      await expect.poll(async () => rowCount.textContent(), { timeout: 30_000 }).toContain(`${expected.size} row`);
      await page.getByTestId('result-row').first().waitFor();

      const rows = await page
        .getByTestId('result-row')
        .evaluateAll((elements) =>
          elements.map((row) =>
            Object.fromEntries(
              [...row.querySelectorAll('[data-testid="result-cell"]')].map((cell) => [
                cell.getAttribute('data-column'),
                (cell.textContent ?? '').trim(),
              ]),
            ),
          ),
        );
      expect(rows).toHaveLength(expected.size);
      for (const row of rows) {
        const want = expected.get(String(row.k));
        expect(want, `unexpected row ${row.k}`).toBeDefined();
        expect(Number(String(row.points).replaceAll(',', ''))).toBe(want!.points);
        expect(Number(String(row.total).replaceAll(',', ''))).toBeCloseTo(want!.total, 1);
      }
      await shot('workbench');

      // A broken query says what is wrong in place, and the app keeps working.
      await typeQuery(page, 'SELECT * FROM no_such_table');
      await page.keyboard.press('Control+Enter');
      await expect
        .poll(async () => page.getByTestId('result-error').textContent(), { timeout: 30_000 })
        .toContain('no_such_table');
      await shot('error');

      expect(problems).toEqual([]);
    });
    await opened.close();
  });

  it('says when a query returns no rows, drops DuckDB\'s "Failed to extract statements" and fits its toolbar at 1400 px', async () => {
    const opened = await workbench.openPage({
      screenshotPrefix: 'sql-rough-edges',
      context: { viewport: { width: 1400, height: 900 } },
      consoleErrors: { except: 'status of 422' },
    });
    const { page, problems, shot } = opened;
    await withFailureShot(opened, async () => {
      // Zero rows: the columns are there, and the grid says the query returned nothing.
      await typeQuery(page, 'SELECT time, series_id, value FROM metrics WHERE value IS NULL AND value IS NOT NULL');
      await page.keyboard.press('Escape'); // the completion list, so the screenshot shows the result
      await page.keyboard.press('Control+Enter');
      const empty = page.getByTestId('grid-empty');
      await expect.poll(() => empty.textContent(), { timeout: 30_000 }).toContain('The query returned no rows');
      const headers = await page
        .locator('[role="columnheader"][data-column]')
        .evaluateAll((cells) => cells.map((c) => c.getAttribute('data-column')));
      expect(headers).toEqual(['time', 'series_id', 'value']);
      expect(await page.getByTestId('grid-count').textContent()).toBe('0 rows');

      // The toolbar's shortcut hint is whole at 1400 px, beside a result's count, timing and controls.
      const hint = page.locator('.shortcut-hint');
      const toolbar = page.locator('.query-toolbar');
      const fits = await hint.evaluate((el) => {
        const bar = el.closest('.query-toolbar')!.getBoundingClientRect();
        const box = el.getBoundingClientRect();
        return { inside: box.left >= bar.left && box.right <= bar.right, whole: el.scrollWidth <= el.clientWidth + 1 };
      });
      expect(fits).toEqual({ inside: true, whole: true });
      expect(await toolbar.evaluate((el) => el.scrollWidth <= el.clientWidth + 1)).toBe(true);
      await shot('toolbar-1400');

      // A syntax error reads as DuckDB's own message, without the binding's prefix.
      await typeQuery(page, 'SELEC 1');
      await page.keyboard.press('Control+Enter');
      const error = page.getByTestId('result-error');
      await expect.poll(() => error.textContent(), { timeout: 30_000 }).toContain('syntax error at or near "SELEC"');
      expect(await error.textContent()).not.toContain('Failed to extract statements');

      expect(problems).toEqual([]);
    });
    await opened.close();
  });
});
