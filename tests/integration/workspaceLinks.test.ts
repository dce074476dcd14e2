import { lstat, mkdir, mkdtemp, readdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BronzeCache } from '../../src/main/services/cache/BronzeCache';
import { ChartFiles } from '../../src/main/services/charts/ChartFiles';
import { ConnectionProfiles } from '../../src/main/services/connections/ConnectionProfiles';
import { FolderObjectStore } from '../../src/main/services/objectStore/FolderObjectStore';
import { PipelineDrafts } from '../../src/main/services/pipelines/PipelineDrafts';
import { openEncryptedFileSecretStore } from '../../src/main/services/secrets/EncryptedFileSecretStore';
import {
  demoWorkspaceConfig,
  loadOrCreateWorkspaceConfig,
  saveWorkspaceConfig,
} from '../../src/main/services/workspace/WorkspaceConfig';
import type { ChartSpec } from '../../src/shared/api/charts';
import { WorkbenchError } from '../../src/shared/errors';
import { failure } from '../support/failure';

const SECRET = 'password = hunter2\n';

function expectOutside(err: WorkbenchError, path: string): void {
  expect(err.code).toBe('forbidden');
  expect(err.message).toBe(
    `${path} leads outside the workspace: it is a symbolic link, or inside a linked folder, that points elsewhere`,
  );
  expect(`${err.message} ${err.hint}`).not.toContain('hunter2');
}

const spec: ChartSpec = {
  version: 1,
  source: { kind: 'sql', sql: 'SELECT 1', timeColumn: 't', valueColumns: ['v'] },
  type: 'line',
  bucket: 'auto',
  compare: 'none',
  window: null,
};

describe('workspace files never follow a link out of the workspace', () => {
  let workspace: string;
  let outside: string;
  /** The outside folder's files and their contents, to show nothing there changed. */
  const snapshot = async (): Promise<Record<string, string>> => {
    const files: Record<string, string> = {};
    for (const entry of await readdir(outside, { recursive: true, withFileTypes: true })) {
      if (entry.isFile()) {
        const path = join(entry.parentPath, entry.name);
        files[path] = await readFile(path, 'utf8');
      }
    }
    return files;
  };
  let before: Record<string, string>;

  beforeEach(async () => {
    workspace = await mkdtemp(join(tmpdir(), 'dash-links-'));
    outside = await mkdtemp(join(tmpdir(), 'dash-outside-'));
    await writeFile(join(outside, 'secret.txt'), SECRET);
    await writeFile(join(outside, 'secret.json'), JSON.stringify({ version: 1, profiles: [], note: 'hunter2' }));
    await mkdir(join(outside, 'folder'));
    before = await snapshot();
  });
  afterEach(async () => {
    // Whatever the test did, the files outside are as they were and nothing was added there.
    expect(await snapshot()).toEqual(before);
    await rm(workspace, { recursive: true, force: true });
    await rm(outside, { recursive: true, force: true });
  });

  it('workspace.json: a linked one is refused, not parsed; a planted temp link is not written through', async () => {
    const file = join(workspace, 'workspace.json');
    await symlink(join(outside, 'secret.txt'), file);
    expectOutside(await failure(() => loadOrCreateWorkspaceConfig(workspace, 'tiny')), file);
    await rm(file);

    await symlink(join(outside, 'secret.txt'), `${file}.tmp`);
    await saveWorkspaceConfig(workspace, demoWorkspaceConfig(workspace, 'tiny'));
    expect((await loadOrCreateWorkspaceConfig(workspace)).demo).toEqual({ seed: 42, size: 'tiny' });
  });

  it('connections.json: a linked one is neither read nor written', async () => {
    const secrets = await openEncryptedFileSecretStore({
      file: join(workspace, 'app-data', 'secrets.json'),
      keyFile: join(workspace, 'app-data', 'secrets.key'),
    });
    const connections = new ConnectionProfiles(workspace, secrets);
    const file = join(workspace, 'connections.json');
    await symlink(join(outside, 'secret.json'), file);
    expectOutside(await failure(() => connections.list()), file);
    const save = () =>
      connections.save(
        {
          kind: 's3',
          id: 'lake',
          name: 'Lake',
          endpoint: 'http://127.0.0.1:9',
          bucket: 'dash-bronze',
          region: 'auto',
          prefix: '',
          accessKeyId: 'key',
        },
        null,
      );
    expectOutside(await failure(save), file);
  });

  it('saved charts: a linked chart is refused; saving writes neither through a temp link nor into a linked folder', async () => {
    const charts = new ChartFiles(workspace);
    const folder = join(workspace, 'charts');
    await mkdir(folder);
    await symlink(join(outside, 'secret.json'), join(folder, 'leak.json'));
    expectOutside(await failure(() => charts.read('leak')), join(folder, 'leak.json'));
    expect((await charts.list()).map((c) => c.name)).toEqual([]);

    await symlink(join(outside, 'secret.txt'), join(folder, 'mine.json.tmp'));
    await charts.save('mine', spec);
    expect((await charts.read('mine')).spec).toEqual(spec);
    expect((await lstat(join(folder, 'mine.json'))).isSymbolicLink()).toBe(false);

    await rename(folder, `${folder}.bak`);
    await symlink(join(outside, 'folder'), folder);
    expectOutside(await failure(() => charts.save('other', spec)), folder);
    expectOutside(await failure(() => charts.delete('leak')), folder);
  });

  it('pipeline drafts: a linked draft is refused; a linked pipelines/ folder gets no draft', async () => {
    const drafts = new PipelineDrafts(workspace);
    const folder = join(workspace, 'pipelines');
    await mkdir(folder);
    await symlink(join(outside, 'secret.json'), join(folder, 'meters.draft.json'));
    expectOutside(await failure(() => drafts.read('meters')), join(folder, 'meters.draft.json'));
    await rm(folder, { recursive: true });

    await symlink(join(outside, 'folder'), folder);
    const draft = { pipelineId: 'meters', baseVersion: 1, filter: null, metrics: [] };
    expectOutside(await failure(() => drafts.save(draft)), folder);
  });

  it('the Bronze cache: a planted part link is not written through, a linked folder is not written into', async () => {
    const lake = join(workspace, 'lake');
    const key = 'bronze/meters/date=2026-01-01/a.parquet';
    await mkdir(join(lake, 'bronze', 'meters', 'date=2026-01-01'), { recursive: true });
    await writeFile(join(lake, ...key.split('/')), 'the real bytes');
    const cache = new BronzeCache({
      dir: join(workspace, 'cache'),
      store: new FolderObjectStore(lake),
      storeId: 'lake',
      quotaBytes: 1e9,
    });
    const file = cache.pathOf(key);
    await mkdir(join(file, '..'), { recursive: true });
    await symlink(join(outside, 'secret.txt'), `${file}.part`);
    await cache.download([key]);
    expect(await readFile(file, 'utf8')).toBe('the real bytes');
    expect((await lstat(file)).isSymbolicLink()).toBe(false);

    const other = 'bronze/other/date=2026-01-01/b.parquet';
    await mkdir(join(lake, 'bronze', 'other', 'date=2026-01-01'), { recursive: true });
    await writeFile(join(lake, ...other.split('/')), 'more bytes');
    await symlink(join(outside, 'folder'), join(cache.root, 'bronze', 'other'));
    const err = await failure(() => cache.download([other]));
    expect(err.code).toBe('forbidden');
    expect(err.message).toContain('leads outside the cache folder');
  });
});
