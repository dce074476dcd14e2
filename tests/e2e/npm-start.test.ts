/**
 * The README's `npm start` on a machine that cannot reach Electron's download host
 * (issue 13, item 1): it says in one line why the desktop app could not open, serves
 * the browser shell instead and prints its URL — no environment variable needed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startBrowserShell, type RunningShell } from '../support/browser';

describe('npm start without Electron’s download host', () => {
  let shell: RunningShell | undefined;
  let electronCache: string | undefined;
  afterAll(async () => {
    await shell?.stop();
    if (electronCache) await rm(electronCache, { recursive: true, force: true });
  });

  it('opens the browser shell and says why', async () => {
    electronCache = await mkdtemp(join(tmpdir(), 'dash-electron-cache-'));
    shell = await startBrowserShell({
      viaNpmStart: true,
      env: {
        // A download host that refuses every connection, and no cached zip: the fetch must fail here.
        ELECTRON_MIRROR: 'http://127.0.0.1:9/',
        electron_config_cache: electronCache,
        // Not the way out the README's commands used to need (empty counts as unset).
        ELECTRON_SKIP_BINARY_DOWNLOAD: '',
      },
    });
    const said = shell.output.find((line) => line.startsWith("Electron's binary is not here"));
    expect(said).toMatch(
      /^Electron's binary is not here and it could not be downloaded \(.+\), so the workbench opens as the browser shell instead\.$/,
    );
    const page = await fetch(shell.url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="root">');
  });
});
