import { describe, expect, it } from 'vitest';
import { activeConnectionLabel, activeConnections } from '../../../src/renderer/features/connections/activeConnections';
import { ConnectionProfile } from '../../../src/shared/api/connections';
import type { WorkspaceStatus } from '../../../src/shared/api/contract';
import { workspaceStatus } from '../../support/renderer/fixtures';

/** The demo workspace, with its embedded PostgreSQL and its lake folder inside it, and `patch` over it. */
function status(patch: Partial<WorkspaceStatus>): WorkspaceStatus {
  return workspaceStatus(
    {},
    {
      workspaceDir: '/home/ana/dash',
      name: 'Demo workspace',
      isDemo: true,
      postgres: {
        host: '127.0.0.1',
        port: 54329,
        database: 'dash',
        embedded: true,
        mode: 'plain',
        serverVersion: '18.1',
      },
      lake: { driver: 'folder', location: '/home/ana/dash/lake', connectionId: null, online: null, notRevalidated: [] },
      ...patch,
    },
  );
}

describe('the connections a workspace uses', () => {
  it("names the demo's own, with where they are", () => {
    const labels = activeConnections(status({})).map(activeConnectionLabel);
    expect(labels).toEqual([
      'Demo PostgreSQL (embedded, 127.0.0.1:54329/dash) — in use',
      'Demo lake (folder lake/) — in use',
    ]);
    expect(activeConnections(status({})).every((c) => c.demo && c.profileId === null)).toBe(true);
  });

  it("finds the user's profiles behind a server and a bucket", () => {
    const profiles = [
      ConnectionProfile.parse({
        kind: 'postgres',
        id: 'metrics',
        name: 'Metrics cluster',
        host: 'DB.example.com',
        port: 5432,
        database: 'dash',
        user: 'reader',
      }),
      ConnectionProfile.parse({
        kind: 's3',
        id: 'r2',
        name: 'Production R2',
        endpoint: 'https://acct.r2.cloudflarestorage.com',
        bucket: 'dash-bronze',
        accessKeyId: 'AKIA',
      }),
    ];
    const active = activeConnections(
      status({
        isDemo: false,
        postgres: {
          host: 'db.example.com',
          port: 5432,
          database: 'dash',
          embedded: false,
          mode: 'timescaledb',
          serverVersion: '17',
        },
        lake: { driver: 's3', location: 's3://dash-bronze/', connectionId: 'r2', online: true, notRevalidated: [] },
      }),
      profiles,
    );
    expect(active.map((c) => [c.name, c.where, c.profileId, c.demo])).toEqual([
      ['Metrics cluster', 'db.example.com:5432/dash', 'metrics', false],
      ['Production R2', 's3://dash-bronze/', 'r2', false],
    ]);
  });

  it('says what is still starting or failed, and keeps a folder outside the workspace as it is', () => {
    const active = activeConnections(
      status({
        isDemo: false,
        postgres: null,
        phases: [{ id: 'postgres', title: 'PostgreSQL', state: 'failed', message: 'password authentication failed' }],
        lake: { driver: 'folder', location: 'D:\\data\\lake', connectionId: null, online: null, notRevalidated: [] },
      }),
    );
    expect(active.map((c) => [c.name, c.where, c.state, c.message])).toEqual([
      ['PostgreSQL', '', 'failed', 'password authentication failed'],
      ['Lake folder', 'folder D:\\data\\lake', 'in use', null],
    ]);
  });
});
