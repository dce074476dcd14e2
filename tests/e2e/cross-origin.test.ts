/**
 * A page on another port of 127.0.0.1 is same-site with the workbench, so the
 * browser sends it the workbench's SameSite=Strict cookie. These tests open such
 * a page in the browser context where the workbench is open and try every way
 * in: nothing may run, and every request is refused.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiMethods } from '../../src/shared/api/contract';
import { quoteLiteral } from '../../src/shared/sql';
import { typeQuery, useWorkbench, withFailureShot } from '../support/browser';

/** Another local app's page; the test writes into it what that app's script could. */
const OTHER_PAGE = '<!doctype html><title>Another local app</title>';

function attribute(value: string): string {
  return value.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;');
}

/**
 * Records the status of every answer the page gets, as the browser's network
 * layer saw it: the page itself cannot read them (no-cors, CORS, CORP and
 * frame-ancestors hide them), and Playwright reports no response for a blocked one.
 */
async function watchStatuses(
  page: Page,
): Promise<(path: string, via: string, act: () => Promise<unknown>) => Promise<number>> {
  const cdp = await page.context().newCDPSession(page);
  const urls = new Map<string, string>();
  const statuses = new Map<string, number>();
  const waiting = new Map<string, (status: number) => void>();
  const settle = (requestId: string) => {
    const url = urls.get(requestId);
    const status = statuses.get(requestId);
    if (url === undefined || status === undefined) return;
    const parsed = new URL(url);
    waiting.get(`${parsed.pathname} ${parsed.searchParams.get('via')}`)?.(status);
  };
  cdp.on('Network.requestWillBeSent', (event) => {
    urls.set(event.requestId, event.request.url);
    settle(event.requestId);
  });
  cdp.on('Network.responseReceivedExtraInfo', (event) => {
    statuses.set(event.requestId, event.statusCode);
    settle(event.requestId);
  });
  await cdp.send('Network.enable');
  return async (path, via, act) => {
    const answered = new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to ${path}?via=${via} in 30 s`)), 30_000);
      waiting.set(`${path} ${via}`, (status) => {
        clearTimeout(timer);
        resolve(status);
      });
    });
    await act();
    const status = await answered;
    waiting.delete(`${path} ${via}`);
    return status;
  };
}

describe('the browser shell answers only its own pages', () => {
  const workbench = useWorkbench();
  let other: Server;
  let otherOrigin = '';

  beforeAll(async () => {
    other = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(OTHER_PAGE);
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    otherOrigin = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => other?.close(resolve));
  });

  it('runs nothing a page on another port of 127.0.0.1 sends, by fetch, form, event stream or download', async () => {
    const { shell } = workbench;
    const copiedTo = join(shell.workspaceDir, 'written-by-another-page.csv');
    const bodies: Record<string, unknown> = {
      'query.run': { sql: `COPY (SELECT 42 AS answer) TO ${quoteLiteral(copiedTo)} (HEADER)`, queryId: 'other-page' },
      'queries.save': { name: 'planted by another page', sql: 'SELECT 1' },
    };
    await mkdir(join(shell.workspaceDir, 'exports'), { recursive: true });
    await writeFile(join(shell.workspaceDir, 'exports', 'report.csv'), 'answer\n42\n');

    // The user has the workbench open: its cookie is in this browser context.
    const opened = await workbench.openPage({ screenshotPrefix: 'cross-origin' });
    const page = await opened.page.context().newPage();
    await page.goto(`${otherOrigin}/`);
    const statusOf = await watchStatuses(page);

    const refused: Record<string, number> = {};
    for (const method of apiMethods) {
      const path = `/api/${method}`;
      const url = `${shell.origin}${path}`;
      const body = JSON.stringify(bodies[method] ?? {});
      // A "simple" request: the browser sends it without asking, with the cookie, as text/plain.
      refused[`${method} fetch no-cors`] = await statusOf(path, 'no-cors', () =>
        page.evaluate(
          ([u, b]) =>
            fetch(`${u}?via=no-cors`, {
              method: 'POST',
              mode: 'no-cors',
              credentials: 'include',
              headers: { 'Content-Type': 'text/plain' },
              body: b,
            }).then(
              () => 'sent',
              () => 'blocked',
            ),
          [url, body] as const,
        ),
      );
      // The same in cors mode: the answer is unreadable, but the request still arrives.
      refused[`${method} fetch with credentials`] = await statusOf(path, 'cors', () =>
        page.evaluate(
          ([u, b]) =>
            fetch(`${u}?via=cors`, { method: 'POST', credentials: 'include', body: b }).then(
              () => 'read',
              () => 'blocked',
            ),
          [url, body] as const,
        ),
      );
      // A plain HTML form whose text/plain body is the JSON input: `<name>=<value>` with the `=` inside a string.
      refused[`${method} form`] = await statusOf(path, 'form', async () => {
        const name = body === '{}' ? '{"pad":"' : `${body.slice(0, -1)},"pad":"`;
        await page.setContent(
          `<form method="POST" enctype="text/plain" target="sink" action="${attribute(`${url}?via=form`)}">` +
            `<input name="${attribute(name)}" value="${attribute('"}')}"><button>Send</button></form>` +
            '<iframe name="sink"></iframe>',
        );
        await page.getByRole('button', { name: 'Send' }).click();
      });
    }

    refused['events EventSource'] = await statusOf('/api/events', 'events', () =>
      page.evaluate((u) => {
        const source = new EventSource(`${u}?via=events`, { withCredentials: true });
        setTimeout(() => source.close(), 5_000);
      }, `${shell.origin}/api/events`),
    );
    const exportPath = '/exports/report.csv';
    refused['export fetch no-cors'] = await statusOf(exportPath, 'no-cors', () =>
      page.evaluate(
        (u) =>
          fetch(`${u}?via=no-cors`, { mode: 'no-cors', credentials: 'include' }).then(
            () => 'sent',
            () => 'blocked',
          ),
        `${shell.origin}${exportPath}`,
      ),
    );
    refused['export in a frame'] = await statusOf(exportPath, 'frame', () =>
      page.setContent(`<iframe src="${attribute(`${shell.origin}${exportPath}?via=frame`)}"></iframe>`),
    );

    // Soft: on a failure, every way in that worked is reported.
    expect.soft(existsSync(copiedTo), `${copiedTo} written by COPY … TO`).toBe(false);
    const saved = await workbench.api<{ queries: Array<{ name: string }> }>('queries.list', {});
    expect.soft(saved.queries.map((q) => q.name)).not.toContain('planted by another page');
    const notRefused = Object.entries(refused).filter(([, status]) => status !== 403);
    expect.soft(Object.fromEntries(notRefused), 'requests answered with anything but 403').toEqual({});
    expect(Object.keys(refused)).toHaveLength(apiMethods.length * 3 + 3);

    // The workbench's own page still works, also after a reload without ?token= in the address.
    await withFailureShot(opened, async () => {
      const app = opened.page;
      expect(new URL(app.url()).searchParams.has('token')).toBe(false);
      await app.reload();
      await app.getByTestId('workspace-status').and(app.locator('[data-state="ready"]')).waitFor({ timeout: 60_000 });
      await typeQuery(app, 'SELECT 42 AS answer');
      await app.keyboard.press('Control+Enter');
      await expect.poll(() => app.getByTestId('result-rowcount').textContent(), { timeout: 30_000 }).toContain('1 row');
    });
    expect(opened.problems).toEqual([]);
    await opened.close();
  });

  it('refuses API calls from Node that carry another origin, a non-JSON body or only the cookie', async () => {
    const { shell } = workbench;
    const call = (headers: Record<string, string>, body = '{}') =>
      fetch(`${shell.origin}/api/app.info`, { method: 'POST', body, headers });
    const bearer = { authorization: `Bearer ${shell.token}`, 'content-type': 'application/json' };

    const foreign = await call({ ...bearer, origin: otherOrigin });
    expect(foreign.status).toBe(403);
    expect(await foreign.json()).toMatchObject({ ok: false, error: { message: expect.stringContaining(otherOrigin) } });
    expect((await call({ ...bearer, origin: 'null' })).status).toBe(403);
    expect((await call({ ...bearer, 'sec-fetch-site': 'same-site' })).status).toBe(403);
    expect((await call({ ...bearer, 'sec-fetch-site': 'cross-site' })).status).toBe(403);

    const plain = await call({ ...bearer, 'content-type': 'text/plain' });
    expect(plain.status).toBe(415);
    expect(await plain.json()).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect((await call({ authorization: bearer.authorization })).status).toBe(415);

    const cookieOnly = await call({ cookie: `dash_token=${shell.token}`, 'content-type': 'application/json' });
    expect(cookieOnly.status).toBe(401);

    const own = await call({ ...bearer, origin: shell.origin, 'sec-fetch-site': 'same-origin' });
    expect(own.status).toBe(200);
    expect((await call({ ...bearer, 'content-type': 'application/json; charset=utf-8' })).status).toBe(200);
  });
});
