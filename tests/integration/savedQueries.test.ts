import { lstat, mkdir, mkdtemp, readFile, readdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { QueryHistory } from '../../src/main/services/queries/QueryFiles';
import { callApi, useDemoApp } from '../support/api';

describe('saved queries and the run history, as plain workspace files', () => {
  const demo = useDemoApp('dash-queries-');

  it('saves each query as queries/<name>.sql, lists, reads, renames and deletes it', async () => {
    expect(await callApi(demo.app, 'queries.list', {})).toEqual({ queries: [] });
    const sql = 'SELECT metric_name, avg(value)\nFROM metrics\nGROUP BY ALL;\n';
    const info = await callApi(demo.app, 'queries.save', { name: 'energy by metric', sql, createOnly: true });
    expect(info).toMatchObject({ name: 'energy by metric', bytes: Buffer.byteLength(sql) });
    // A plain text file, byte for byte what was typed.
    expect(await readFile(join(demo.dir, 'queries', 'energy by metric.sql'), 'utf8')).toBe(sql);

    // A first save never overwrites another query; a later save of the same query does.
    const clash = await demo.app.api.dispatch('queries.save', {
      name: 'energy by metric',
      sql: 'SELECT 1',
      createOnly: true,
    });
    expect(clash).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    if (!clash.ok) expect(clash.error.message).toMatch(/already exists/);
    await callApi(demo.app, 'queries.save', { name: 'energy by metric', sql: 'SELECT 2;\n' });
    expect(await callApi(demo.app, 'queries.read', { name: 'energy by metric' })).toEqual({
      name: 'energy by metric',
      sql: 'SELECT 2;\n',
    });

    await callApi(demo.app, 'queries.save', { name: 'Another', sql: 'SELECT 3' });
    const listed = await callApi(demo.app, 'queries.list', {});
    expect(listed.queries.map((q) => q.name)).toEqual(['Another', 'energy by metric']);

    await callApi(demo.app, 'queries.rename', { from: 'Another', to: 'renamed' });
    expect((await readdir(join(demo.dir, 'queries'))).sort()).toEqual(['energy by metric.sql', 'renamed.sql']);
    const renameClash = await demo.app.api.dispatch('queries.rename', { from: 'renamed', to: 'energy by metric' });
    expect(renameClash).toMatchObject({ ok: false, error: { code: 'bad_request' } });

    expect(await callApi(demo.app, 'queries.delete', { name: 'renamed' })).toEqual({ deleted: true });
    expect(await callApi(demo.app, 'queries.delete', { name: 'renamed' })).toEqual({ deleted: false });
    const missing = await demo.app.api.dispatch('queries.read', { name: 'renamed' });
    expect(missing).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('refuses names that could escape the queries folder', async () => {
    const outside = join(demo.dir, 'escaped.sql');
    for (const name of [
      '../escaped',
      '..',
      '/etc/passwd',
      'a/../../escaped',
      'sub\\..\\x',
      '.hidden',
      'nul\0byte',
      '',
    ]) {
      for (const [method, input] of [
        ['queries.save', { name, sql: 'SELECT 1' }],
        ['queries.read', { name }],
        ['queries.delete', { name }],
        ['queries.rename', { from: 'energy by metric', to: name }],
      ] as const) {
        const reply = await demo.app.api.dispatch(method, input);
        expect(reply.ok, `${method} ${JSON.stringify(name)}`).toBe(false);
        if (!reply.ok) expect(reply.error.code).toBe('bad_request');
      }
    }
    await expect(readFile(outside, 'utf8')).rejects.toThrow();
    expect((await readdir(join(demo.dir, 'queries'))).sort()).toEqual(['energy by metric.sql']);
    // A stray file with a name we would refuse is ignored, not listed.
    await writeFile(join(demo.dir, 'queries', '.draft.sql'), 'SELECT 0');
    await mkdir(join(demo.dir, 'queries', 'folder.sql'));
    expect((await callApi(demo.app, 'queries.list', {})).queries.map((q) => q.name)).toEqual(['energy by metric']);
  });

  it('records every run in history.jsonl: sql, start, elapsed, rows, outcome', async () => {
    await callApi(demo.app, 'query.run', { queryId: 'h-1', sql: 'SELECT * FROM range(7)' });
    const failed = await demo.app.api.dispatch('query.run', { queryId: 'h-2', sql: 'SELECT valu FROM metrics' });
    expect(failed.ok).toBe(false);
    const { entries } = await callApi(demo.app, 'history.list', { limit: 10 });
    expect(entries[0]).toMatchObject({ sql: 'SELECT valu FROM metrics', status: 'error', rowCount: null });
    expect(entries[0]!.error).toMatch(/valu/);
    expect(entries[1]).toMatchObject({ sql: 'SELECT * FROM range(7)', status: 'ok', rowCount: 7, error: null });
    expect(entries[1]!.elapsedMs).toBeGreaterThanOrEqual(0);
    expect(Number.isNaN(Date.parse(entries[1]!.startedAt))).toBe(false);
    const lines = (await readFile(join(demo.dir, 'history.jsonl'), 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[0]!)).toMatchObject({ sql: 'SELECT * FROM range(7)', status: 'ok' });
  });

  it('keeps the history capped and survives a damaged line', async () => {
    const history = new QueryHistory(join(demo.dir, 'capped'), { cap: 20 });
    for (let i = 0; i < 60; i++) {
      await history.add({
        sql: `SELECT ${i}`,
        startedAt: new Date().toISOString(),
        elapsedMs: 1,
        rowCount: 1,
        status: 'ok',
        error: null,
      });
    }
    const lines = (await readFile(history.file, 'utf8')).trim().split('\n');
    expect(lines.length).toBeLessThanOrEqual(20 + 10);
    await writeFile(history.file, `${lines.join('\n')}\n{"sql": "cut sho`, 'utf8');
    const entries = await new QueryHistory(join(demo.dir, 'capped'), { cap: 20 }).list(5);
    expect(entries.map((e) => e.sql)).toEqual(['SELECT 59', 'SELECT 58', 'SELECT 57', 'SELECT 56', 'SELECT 55']);
  });

  it('never follows a link out of the workspace: reads refuse, writes leave the outside untouched', async () => {
    const outside = await mkdtemp(join(tmpdir(), 'dash-outside-'));
    const secret = join(outside, 'secret.txt');
    const SECRET = 'password = hunter2\n';
    await writeFile(secret, SECRET);
    const queries = join(demo.dir, 'queries');
    await mkdir(queries, { recursive: true });
    const expectRefused = async (reply: Awaited<ReturnType<typeof demo.app.api.dispatch>>, path: string) => {
      expect(reply.ok).toBe(false);
      if (reply.ok) return;
      expect(reply.error.code).toBe('forbidden');
      expect(reply.error.message).toContain(path);
      expect(reply.error.message).toContain('leads outside the workspace');
      expect(JSON.stringify(reply)).not.toContain('hunter2');
    };
    try {
      // A saved query that is a link to a file outside: not read, not listed, not renamed.
      await symlink(secret, join(queries, 'leak.sql'));
      await symlink('/etc/passwd', join(queries, 'passwd.sql'));
      await expectRefused(await demo.app.api.dispatch('queries.read', { name: 'leak' }), join(queries, 'leak.sql'));
      await expectRefused(await demo.app.api.dispatch('queries.read', { name: 'passwd' }), join(queries, 'passwd.sql'));
      const names = (await callApi(demo.app, 'queries.list', {})).queries.map((q) => q.name);
      expect(names).not.toContain('leak');
      expect(names).not.toContain('passwd');
      await expectRefused(
        await demo.app.api.dispatch('queries.rename', { from: 'leak', to: 'leak2' }),
        join(queries, 'leak.sql'),
      );
      // Deleting it removes the link, never its target.
      expect(await callApi(demo.app, 'queries.delete', { name: 'leak' })).toEqual({ deleted: true });
      expect(await readFile(secret, 'utf8')).toBe(SECRET);

      // A link planted where the old code put its temp file is not written through.
      const target = join(outside, 'target.txt');
      await writeFile(target, 'untouched\n');
      await symlink(target, join(queries, 'planted.sql.tmp'));
      await callApi(demo.app, 'queries.save', { name: 'planted', sql: 'SELECT 42' });
      expect(await readFile(target, 'utf8')).toBe('untouched\n');
      expect(await readFile(join(queries, 'planted.sql'), 'utf8')).toBe('SELECT 42');
      expect((await lstat(join(queries, 'planted.sql'))).isSymbolicLink()).toBe(false);

      // Saving over a link to an outside file replaces the link, not the file.
      await symlink(target, join(queries, 'over.sql'));
      await callApi(demo.app, 'queries.save', { name: 'over', sql: 'SELECT 43' });
      expect(await readFile(target, 'utf8')).toBe('untouched\n');
      expect((await lstat(join(queries, 'over.sql'))).isSymbolicLink()).toBe(false);

      // A link that stays inside the workspace is read like the file itself.
      await symlink(join(queries, 'planted.sql'), join(queries, 'alias.sql'));
      expect(await callApi(demo.app, 'queries.read', { name: 'alias' })).toEqual({ name: 'alias', sql: 'SELECT 42' });

      // history.jsonl linked outside: runs still work, nothing is appended to or read from the target.
      const history = join(demo.dir, 'history.jsonl');
      await rename(history, `${history}.bak`);
      await writeFile(join(outside, 'history.jsonl'), SECRET);
      await symlink(join(outside, 'history.jsonl'), history);
      await callApi(demo.app, 'query.run', { queryId: 'h-link', sql: 'SELECT 1' });
      expect(await readFile(join(outside, 'history.jsonl'), 'utf8')).toBe(SECRET);
      await expectRefused(await demo.app.api.dispatch('history.list', { limit: 10 }), history);
      await rm(history);
      await rename(`${history}.bak`, history);

      // The whole queries/ folder linked outside: nothing is read, written, renamed or deleted there.
      const elsewhere = join(outside, 'queries');
      await mkdir(elsewhere);
      await writeFile(join(elsewhere, 'theirs.sql'), SECRET);
      await rename(queries, `${queries}.bak`);
      await symlink(elsewhere, queries);
      await expectRefused(await demo.app.api.dispatch('queries.read', { name: 'theirs' }), join(queries, 'theirs.sql'));
      await expectRefused(await demo.app.api.dispatch('queries.save', { name: 'new', sql: 'SELECT 1' }), queries);
      await expectRefused(await demo.app.api.dispatch('queries.delete', { name: 'theirs' }), queries);
      await expectRefused(await demo.app.api.dispatch('queries.rename', { from: 'theirs', to: 'mine' }), queries);
      expect(await demo.app.api.dispatch('queries.list', {})).toMatchObject({
        ok: false,
        error: { code: 'forbidden' },
      });
      expect(await readdir(elsewhere)).toEqual(['theirs.sql']);
      expect(await readFile(join(elsewhere, 'theirs.sql'), 'utf8')).toBe(SECRET);
      await rm(queries);
      await rename(`${queries}.bak`, queries);
      expect(await readdir(outside)).toEqual(['history.jsonl', 'queries', 'secret.txt', 'target.txt']);
    } finally {
      for (const name of ['passwd.sql', 'planted.sql', 'over.sql', 'alias.sql'])
        await rm(join(queries, name), { force: true });
      await rm(outside, { recursive: true, force: true });
    }
  });

  it('lists the warehouse functions with their signatures for completion', async () => {
    const { functions } = await callApi(demo.app, 'catalog.functions', {});
    const byName = new Map(functions.map((f) => [f.name, f]));
    expect(byName.get('date_trunc')).toMatchObject({ kind: 'scalar' });
    expect(byName.get('date_trunc')!.signatures[0]).toMatch(/^date_trunc\(/);
    expect(byName.get('sum')?.kind).toBe('aggregate');
    expect(byName.get('read_parquet')?.kind).toBe('table');
    expect(functions.every((f) => /^[A-Za-z]/.test(f.name))).toBe(true);
  });
});
