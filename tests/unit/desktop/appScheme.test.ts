import { EventEmitter } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IpcMainInvokeEvent, WebContents, WebFrameMain } from 'electron';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerIsWorkbench, hardenContents } from '../../../src/main/electron/contentsGuards';
import { isWorkbenchPage, serveAppFile } from '../../../src/main/services/appScheme';

// The Electron binary cannot run here: the desktop shell's decisions live in
// plain functions, and WebContents / frames are stood in for by small fakes.

let dir: string;
let rendererDir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'app-scheme-'));
  rendererDir = join(dir, 'renderer');
  await mkdir(join(rendererDir, 'assets'), { recursive: true });
  await writeFile(join(rendererDir, 'index.html'), '<!doctype html><title>Dash</title>');
  await writeFile(join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
  await writeFile(join(dir, 'secret.txt'), 'outside');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('app:// files', () => {
  it('answers a malformed percent-escape with 400, not a thrown error', async () => {
    for (const url of ['app://workbench/%', 'app://workbench/%E0%A4%A', 'app://workbench/assets/%zz.js']) {
      const response = await serveAppFile(rendererDir, url);
      expect(response.status, url).toBe(400);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it('serves UI files with nosniff, the CSP and isolation headers', async () => {
    const response = await serveAppFile(rendererDir, 'app://workbench/assets/app.js');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(response.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    expect(await response.text()).toBe('console.log(1)');
    expect((await serveAppFile(rendererDir, 'app://workbench/')).headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('never serves a file outside the UI folder', async () => {
    for (const url of ['app://workbench/..%2fsecret.txt', 'app://workbench/%2e%2e/secret.txt']) {
      const response = await serveAppFile(rendererDir, url);
      expect([403, 404], url).toContain(response.status);
      expect(await response.text()).not.toContain('outside');
    }
    expect((await serveAppFile(rendererDir, 'app://workbench/missing.js')).status).toBe(404);
  });
});

describe('which pages are the workbench', () => {
  it('matches exact origins only', () => {
    expect(isWorkbenchPage('app://workbench/index.html')).toBe(true);
    expect(isWorkbenchPage('app://workbench.evil/index.html')).toBe(false);
    expect(isWorkbenchPage('app://evil/app://workbench/')).toBe(false);
    expect(isWorkbenchPage('https://example.com/?app://workbench/')).toBe(false);
    expect(isWorkbenchPage('not a url')).toBe(false);
    expect(isWorkbenchPage('http://localhost:5173/src/index.html', 'http://localhost:5173')).toBe(true);
    expect(isWorkbenchPage('http://localhost:51730/', 'http://localhost:5173')).toBe(false);
    expect(isWorkbenchPage('http://localhost:5173/')).toBe(false);
  });
});

interface Navigation {
  url: string;
  prevented: boolean;
  preventDefault(): void;
}

function navigation(url: string): Navigation {
  return {
    url,
    prevented: false,
    preventDefault() {
      this.prevented = true;
    },
  };
}

class FakeContents extends EventEmitter {
  openHandler: (() => { action: string }) | null = null;
  setWindowOpenHandler(handler: () => { action: string }): void {
    this.openHandler = handler;
  }
}

describe('web contents guards', () => {
  const contents = new FakeContents();
  hardenContents(contents as unknown as WebContents, undefined);

  it.each(['will-navigate', 'will-redirect', 'will-frame-navigate'])('%s stays within the workbench', (name) => {
    const away = navigation('https://attacker.example/');
    contents.emit(name, away, away.url);
    expect(away.prevented).toBe(true);
    const home = navigation('app://workbench/index.html');
    contents.emit(name, home, home.url);
    expect(home.prevented).toBe(false);
  });

  it('opens no windows and attaches no webviews', () => {
    expect(contents.openHandler?.()).toEqual({ action: 'deny' });
    const attach = navigation('');
    contents.emit('will-attach-webview', attach);
    expect(attach.prevented).toBe(true);
  });
});

describe('IPC callers', () => {
  const frame = (url: string, parent: unknown = null) => ({ url, parent }) as unknown as WebFrameMain;
  const call = (senderFrame: WebFrameMain | null) => ({ senderFrame }) as Pick<IpcMainInvokeEvent, 'senderFrame'>;

  it('accepts the top frame of a workbench page only', () => {
    const top = frame('app://workbench/index.html');
    expect(callerIsWorkbench(call(top), undefined)).toBe(true);
    expect(callerIsWorkbench(call(frame('app://workbench/index.html', top)), undefined)).toBe(false);
    expect(callerIsWorkbench(call(frame('https://attacker.example/')), undefined)).toBe(false);
    expect(callerIsWorkbench(call(frame('app://workbench.evil/')), undefined)).toBe(false);
    expect(callerIsWorkbench(call(null), undefined)).toBe(false);
  });
});
