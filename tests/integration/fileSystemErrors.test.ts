/**
 * File-system failures (a file in the way, no permission, a read-only or full
 * disk) reach the user as errors that name the file or folder and say what to
 * do, never as `internal` errno text. The conditions are real ones that hold
 * for root too (tests may run as root, where a chmod stops nothing).
 */
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WorkbenchApi } from '../../src/main/services/api/WorkbenchApi';
import { SavedQueries } from '../../src/main/services/queries/QueryFiles';
import type { ApiHandlers } from '../../src/shared/api/handlers';
import { useDemoApp } from '../support/api';

describe("file-system failures in the workspace, through the app's API", () => {
  const demo = useDemoApp('dash-fs-errors-');

  it('names the folder when a file is where it should be, and says to move it', async () => {
    const folder = join(demo.dir, 'queries');
    await writeFile(folder, 'a file, not the saved queries folder');
    try {
      const reply = await demo.app.api.dispatch('queries.save', { name: 'daily energy', sql: 'SELECT 1' });
      expect(reply).toMatchObject({ ok: false, status: 409, error: { code: 'conflict' } });
      if (reply.ok) return;
      expect(reply.error.message).toBe(`A file is in the way: ${folder} is a file where a folder is expected`);
      expect(reply.error.hint).toBe('Move or rename it, then try again.');
    } finally {
      await rm(folder);
    }
    // Moved away, the same call works.
    expect(await demo.app.api.dispatch('queries.save', { name: 'daily energy', sql: 'SELECT 1' })).toMatchObject({
      ok: true,
    });
  });
});

/** The API's own dispatch over just the handlers a test calls. */
const dispatcher = (handlers: Partial<ApiHandlers>) => new WorkbenchApi(handlers as ApiHandlers);

describe('file-system failures of the disk itself, through the API dispatch', () => {
  // /sys takes no new entries from anyone: EPERM for root, EACCES for others, EROFS where it is mounted read-only.
  const sysQueries = () => new SavedQueries('/sys/kernel');
  const api = dispatcher({
    'queries.save': ({ name, sql, createOnly }) => sysQueries().save(name, sql, createOnly ?? false),
  });

  it('names the folder it may not write, even as root, and says what to do', async () => {
    const reply = await api.dispatch('queries.save', { name: 'daily energy', sql: 'SELECT 1' });
    expect(reply).toMatchObject({ ok: false, status: 403, error: { code: 'forbidden' } });
    if (reply.ok) return;
    expect(reply.error.message).toMatch(
      /^(No permission to create the folder \/sys\/kernel\/queries|\/sys\/kernel\/queries is on a read-only disk)$/,
    );
    expect(reply.error.hint).toMatch(/then try again\.$/);
  });

  it('says a disk is full when a write finds no space', async () => {
    // /dev/full fails every write with ENOSPC, for root too.
    const full = dispatcher({
      'queries.save': async () => {
        await writeFile('/dev/full', 'SELECT 1');
        throw new Error('unreachable: /dev/full took a write');
      },
    });
    const reply = await full.dispatch('queries.save', { name: 'daily energy', sql: 'SELECT 1' });
    expect(reply).toMatchObject({
      ok: false,
      status: 503,
      error: {
        code: 'unavailable',
        message: 'A disk the workbench writes to is full',
        hint: 'Free some space on that disk, then try again.',
      },
    });
  });
});
