/**
 * The Connections dialog's actions over an in-memory workbench: what each sends,
 * what it leaves in the dialog's store, and a failed reply shown as the list's or
 * the form's error.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  deleteProfile,
  duplicateProfile,
  forgetSecret,
  loadProfiles,
  saveProfile,
  setWorkspaceLake,
  testConnection,
} from '../../../src/renderer/features/connections/connectionsActions';
import {
  addProfile,
  closeConnectionsDialog,
  openConnectionsDialog,
  selectProfile,
  setSecret,
  updateDraft,
  useConnectionsDialog,
} from '../../../src/renderer/features/connections/connectionsDialog';
import { provideWorkbenchClient } from '../../../src/renderer/state/workbench';
import { applyStatus } from '../../../src/renderer/state/workspaceActions';
import { useWorkspaceStore } from '../../../src/renderer/state/workspaceStore';
import type { ConnectionProfileView } from '../../../src/shared/api/connections';
import type { WorkspaceStatus } from '../../../src/shared/api/contract';
import { WorkbenchError } from '../../../src/shared/errors';
import { memoryClient, type Script } from '../../support/renderer/memoryClient';
import { deferred, workspaceStatus } from '../../support/renderer/fixtures';

let restore: () => void = () => undefined;

/** The dialog's actions over a scripted in-memory workbench. */
function provide(script: Script) {
  const memory = memoryClient(script);
  restore = provideWorkbenchClient(memory.client);
  return memory;
}

const bucket: ConnectionProfileView = {
  profile: {
    kind: 's3',
    id: 'production-r2',
    name: 'Production R2',
    endpoint: 'https://account.r2.cloudflarestorage.com',
    bucket: 'dash-bronze',
    region: 'auto',
    prefix: 'bronze/',
    accessKeyId: 'AKIA1',
  },
  hasSecret: true,
  secretNote: null,
};

const status: WorkspaceStatus = {
  ...workspaceStatus(),
  lake: {
    driver: 's3',
    location: 's3://dash-bronze/bronze/',
    connectionId: 'production-r2',
    online: true,
    notRevalidated: [],
  },
};

beforeEach(() => openConnectionsDialog());

afterEach(() => {
  restore();
  closeConnectionsDialog();
  useWorkspaceStore.setState({ status: null, statusError: null });
});

/** A handler that fails the way the workbench does. */
function fails(code: 'unavailable' | 'auth_failed' | 'not_ready', message: string, hint?: string) {
  return (): never => {
    throw new WorkbenchError(code, message, hint);
  };
}

describe('connections actions', () => {
  it('list the profiles, and show a failure above the list', async () => {
    const memory = provide({ 'connections.list': () => ({ profiles: [bucket] }) });
    await loadProfiles();
    expect(useConnectionsDialog.getState()).toMatchObject({ profiles: [bucket], listError: null });

    memory.handle('connections.list', fails('unavailable', 'The workbench is not answering', 'Reload'));
    await loadProfiles();
    expect(useConnectionsDialog.getState()).toMatchObject({
      profiles: [bucket],
      listError: { code: 'unavailable', message: 'The workbench is not answering', hint: 'Reload' },
    });
  });

  it('save a new profile with its secret, then select it as saved and re-read the status', async () => {
    const memory = provide({
      'connections.save': () => bucket,
      'connections.list': () => ({ profiles: [bucket] }),
      'workspace.status': () => status,
    });
    addProfile('s3');
    updateDraft('name', 'Production R2');
    updateDraft('endpoint', 'https://account.r2.cloudflarestorage.com');
    updateDraft('bucket', 'dash-bronze');
    updateDraft('accessKeyId', 'AKIA1');
    setSecret('s3cret');
    await saveProfile();

    expect(memory.inputsOf('connections.save')).toEqual([{ profile: bucket.profile, secret: 's3cret' }]);
    expect(memory.calls.slice(0, 2).map((c) => c.method)).toEqual(['connections.save', 'connections.list']);
    const s = useConnectionsDialog.getState();
    expect(s).toMatchObject({ selection: { id: 'production-r2' }, secret: '', busy: null, actionError: null });
    expect(s.notice).toBe('Saved “Production R2”.');
    expect(s.draft?.id).toBe('production-r2');
    await vi.waitFor(() => expect(useWorkspaceStore.getState().status).toEqual(status));
  });

  it('send nothing for a form with mistakes, and show them at their fields', async () => {
    const memory = provide({});
    addProfile('postgres');
    updateDraft('name', 'Metrics');
    updateDraft('port', 'abc');
    await saveProfile();
    await testConnection();
    expect(memory.calls).toEqual([]);
    expect(useConnectionsDialog.getState().errors).toMatchObject({ port: 'must be a number' });
  });

  it('test a saved profile left as it is by id, and an edited one with the typed secret', async () => {
    const result = {
      ok: true,
      code: null,
      message: 'Listed 3 objects',
      hint: null,
      elapsedMs: 12,
      details: { serverVersion: null, timescaledb: null, objectsSeen: 3 },
    };
    const memory = provide({ 'connections.list': () => ({ profiles: [bucket] }), 'connections.test': () => result });
    await loadProfiles();
    selectProfile(bucket);
    await testConnection();
    expect(useConnectionsDialog.getState()).toMatchObject({ testResult: result, busy: null });

    setSecret('other');
    await testConnection();
    expect(memory.inputsOf('connections.test')).toEqual([
      { id: 'production-r2' },
      { profile: bucket.profile, secret: 'other' },
    ]);
  });

  it('turn a failed test into the form’s error, with its hint', async () => {
    provide({
      'connections.list': () => ({ profiles: [bucket] }),
      'connections.test': fails('auth_failed', 'The store refused the key', 'Check the access key id'),
    });
    await loadProfiles();
    selectProfile(bucket);
    await testConnection();
    expect(useConnectionsDialog.getState()).toMatchObject({
      testResult: null,
      busy: null,
      actionError: { code: 'auth_failed', message: 'The store refused the key', hint: 'Check the access key id' },
    });
  });

  it('forget a stored secret by saving the profile with a null secret', async () => {
    const memory = provide({
      'connections.save': () => ({ ...bucket, hasSecret: false }),
      'connections.list': () => ({ profiles: [bucket] }),
    });
    await loadProfiles();
    selectProfile(bucket);
    await forgetSecret();
    expect(memory.inputsOf('connections.save')).toEqual([{ profile: bucket.profile, secret: null }]);
    expect(useConnectionsDialog.getState()).toMatchObject({ notice: 'The stored secret was removed.', busy: null });
  });

  it('duplicate a profile and select the copy; delete one and clear the form', async () => {
    const copy: ConnectionProfileView = {
      ...bucket,
      profile: { ...bucket.profile, id: 'production-r2-2', name: 'Production R2 (copy)' },
      hasSecret: false,
    };
    const memory = provide({
      'connections.list': () => ({ profiles: [bucket, copy] }),
      'connections.duplicate': () => copy,
      'connections.delete': () => ({ deleted: true }),
    });
    await loadProfiles();
    selectProfile(bucket);
    await duplicateProfile('production-r2');
    expect(memory.inputsOf('connections.duplicate')).toEqual([{ id: 'production-r2' }]);
    expect(useConnectionsDialog.getState()).toMatchObject({
      selection: { id: 'production-r2-2' },
      notice: 'Duplicated as “Production R2 (copy)”.',
    });

    await deleteProfile('production-r2-2');
    expect(memory.inputsOf('connections.delete')).toEqual([{ id: 'production-r2-2' }]);
    expect(useConnectionsDialog.getState()).toMatchObject({ selection: null, draft: null, busy: null });
  });

  it('make a bucket the workspace’s lake and re-read the lake', async () => {
    const memory = provide({
      'workspace.setLake': () => status,
      'lake.list': fails('not_ready', 'Not yet'),
    });
    await setWorkspaceLake({ driver: 's3', connectionId: 'production-r2' });
    expect(memory.inputsOf('workspace.setLake')).toEqual([{ driver: 's3', connectionId: 'production-r2' }]);
    expect(useWorkspaceStore.getState().status).toEqual(status);
    expect(useConnectionsDialog.getState()).toMatchObject({
      notice: "The workspace's lake is now s3://dash-bronze/bronze/.",
      busy: null,
    });
    await vi.waitFor(() => expect(memory.count('lake.list')).toBe(1));
  });

  it('list the lake once when the workspace’s events said it became ready before the reply', async () => {
    useWorkspaceStore.setState({ status: workspaceStatus() });
    const memory = provide({
      'workspace.setLake': () => {
        // The events arrive first: the lake's phase ran again, then became ready.
        applyStatus(workspaceStatus({ lake: 'running' }));
        applyStatus(status);
        return status;
      },
      'lake.list': () => ({ pipelines: [] }),
    });
    await setWorkspaceLake({ driver: 's3', connectionId: 'production-r2' });
    await vi.waitFor(() => expect(useWorkspaceStore.getState().lake.data).toEqual({ pipelines: [] }));
    expect(memory.count('lake.list')).toBe(1);
    expect(useWorkspaceStore.getState().status).toEqual(status);
  });

  it('drop a reply that arrives after the dialog was closed', async () => {
    const reply = deferred<{ profiles: ConnectionProfileView[] }>();
    provide({ 'connections.list': () => reply.promise });
    const loading = loadProfiles();
    closeConnectionsDialog();
    openConnectionsDialog();
    reply.resolve({ profiles: [bucket] });
    await loading;
    expect(useConnectionsDialog.getState().profiles).toBeNull();
  });
});
