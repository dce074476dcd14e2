/**
 * A saved secret is bound to the workspace it was saved in (its real path) and
 * to the target it was saved for: a crafted workspace reusing a profile id with
 * its own host, or a profile whose host was edited, gets no password — checked
 * with a fake PostgreSQL endpoint that records every byte it receives.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startWorkbenchApp, type WorkbenchApp } from '../../src/main/services/WorkbenchApp';
import { openEncryptedFileSecretStore } from '../../src/main/services/secrets/EncryptedFileSecretStore';
import { saveWorkspaceConfig } from '../../src/main/services/workspace/WorkspaceConfig';
import type { PostgresProfile } from '../../src/shared/api/connections';
import { callApi } from '../support/api';

/**
 * A PostgreSQL endpoint that asks every client for its password in clear text
 * (what a hostile server would do), records all bytes, and then refuses it.
 */
class FakePostgres {
  readonly received: Buffer[] = [];
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor() {
    this.server = createServer((socket) => this.serve(socket));
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  /** Everything received so far, as text to search. */
  text(): string {
    return Buffer.concat(this.received).toString('latin1');
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private serve(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffer = Buffer.alloc(0);
    let started = false;
    socket.on('data', (chunk) => {
      this.received.push(chunk);
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        if (!started) {
          if (buffer.length < 8 || buffer.length < buffer.readInt32BE(0)) return;
          const code = buffer.readInt32BE(4);
          buffer = buffer.subarray(buffer.readInt32BE(0));
          if (code === 80877103) {
            socket.write('N'); // SSLRequest: no TLS here.
            continue;
          }
          started = true;
          const askPassword = Buffer.alloc(9);
          askPassword.write('R', 0);
          askPassword.writeInt32BE(8, 1);
          askPassword.writeInt32BE(3, 5); // AuthenticationCleartextPassword
          socket.write(askPassword);
          continue;
        }
        if (buffer.length < 5 || buffer.length < 1 + buffer.readInt32BE(1)) return;
        buffer = buffer.subarray(1 + buffer.readInt32BE(1));
        const fields = Buffer.from('SFATAL\0C28P01\0Mpassword authentication failed\0\0', 'latin1');
        const error = Buffer.alloc(5);
        error.write('E', 0);
        error.writeInt32BE(4 + fields.length, 1);
        socket.end(Buffer.concat([error, fields]));
        return;
      }
    });
  }
}

describe('secrets are bound to their workspace and target', () => {
  const servers = inject('servers');
  const password = servers.postgres.password;
  let root: string;
  let secretsDir: string;
  let fake: FakePostgres;
  let realProfile: PostgresProfile;
  const open: WorkbenchApp[] = [];

  /** A workspace on a PostgreSQL connection `db`, with these profiles in its connections.json. */
  async function makeWorkspace(name: string, profiles: PostgresProfile[]): Promise<string> {
    const dir = join(root, name);
    await mkdir(join(dir, 'lake'), { recursive: true });
    await saveWorkspaceConfig(dir, {
      version: 1,
      name,
      demo: null,
      timeZone: 'UTC',
      lake: { driver: 'folder', path: 'lake' },
      cacheQuotaBytes: 1024 ** 3,
      postgres: { kind: 'connection', connectionId: 'db' },
      cacheDir: 'cache',
    });
    await writeConnections(dir, profiles);
    return dir;
  }

  function writeConnections(dir: string, profiles: PostgresProfile[]): Promise<void> {
    return writeFile(join(dir, 'connections.json'), JSON.stringify({ version: 1, profiles }, null, 2));
  }

  /** The app on that workspace, with the one app-data folder all workspaces share; once started. */
  async function openApp(dir: string): Promise<WorkbenchApp> {
    const app = await startWorkbenchApp({ workspaceDir: dir, shell: 'web', appVersion: '0.0.0-test', secretsDir });
    open.push(app);
    await app.workspace.started;
    return app;
  }

  async function closeApp(app: WorkbenchApp): Promise<void> {
    open.splice(open.indexOf(app), 1);
    await app.close();
  }

  function postgresPhase(app: WorkbenchApp) {
    return app.workspace.status().phases.find((p) => p.id === 'postgres');
  }

  async function listed(app: WorkbenchApp, id: string) {
    return (await callApi(app, 'connections.list', {})).profiles.find((v) => v.profile.id === id);
  }

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'dash-secret-binding-'));
    secretsDir = join(root, 'app-data');
    fake = new FakePostgres();
    await fake.start();
    realProfile = {
      kind: 'postgres',
      id: 'db',
      name: 'Metrics cluster',
      host: servers.postgres.host,
      port: servers.postgres.port,
      database: servers.postgres.database,
      user: servers.postgres.user,
      sslmode: 'disable',
      caFile: null,
      readOnly: true,
      statementTimeoutMs: 60_000,
    };
  });

  afterAll(async () => {
    for (const app of open) await app.close();
    await fake?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('workspace A: the password saved for its server connects, also after reopening', async () => {
    const dirA = await makeWorkspace('A', [realProfile]);
    let app = await openApp(dirA);
    // Nothing saved yet: the server asks for a password, and the phase says so.
    expect(postgresPhase(app)?.state).toBe('failed');
    const saved = await callApi(app, 'connections.save', { profile: realProfile, secret: password });
    expect(saved).toMatchObject({ hasSecret: true, secretNote: null });
    expect(await callApi(app, 'connections.test', { id: 'db' })).toMatchObject({ ok: true });
    await closeApp(app);

    app = await openApp(dirA);
    expect(postgresPhase(app)).toMatchObject({ state: 'ready' });
    expect(app.workspace.status().postgres).toMatchObject({ port: servers.postgres.port });
    await closeApp(app);
  });

  it('a crafted workspace reusing the id with another host never receives the password', async () => {
    const crafted = { ...realProfile, host: '127.0.0.1', port: fake.port };
    const app = await openApp(await makeWorkspace('B', [crafted]));
    // Opening the workspace connected to the fake server, without the password.
    expect(postgresPhase(app)?.state).toBe('failed');
    expect(fake.text()).toContain(servers.postgres.user);
    expect(fake.text()).not.toContain(password);
    // The API and the UI say no secret is saved (for this workspace there is none).
    expect(await listed(app, 'db')).toMatchObject({ hasSecret: false, secretNote: null });
    expect(await callApi(app, 'connections.test', { id: 'db' })).toMatchObject({ ok: false });
    expect(await callApi(app, 'connections.test', { profile: crafted })).toMatchObject({ ok: false });
    expect(fake.text()).not.toContain(password);
    await closeApp(app);
  });

  it("a copy of workspace A's files elsewhere does not get its password, even for the same server", async () => {
    const app = await openApp(await makeWorkspace('A-copy', [realProfile]));
    expect(postgresPhase(app)?.state).toBe('failed');
    expect(await listed(app, 'db')).toMatchObject({ hasSecret: false, secretNote: null });
    expect(await callApi(app, 'connections.test', { id: 'db' })).toMatchObject({
      ok: false,
      code: 'auth_failed',
      message: expect.stringMatching(/asks for a password/),
    });
    await closeApp(app);
  });

  it('workspace A with the host edited in connections.json asks for the password again', async () => {
    const dirA = join(root, 'A');
    const moved = { ...realProfile, host: '127.0.0.1', port: fake.port };
    await writeConnections(dirA, [moved]);
    const sent = fake.received.length;
    const app = await openApp(dirA);
    expect(fake.received.length).toBeGreaterThan(sent);
    expect(fake.text()).not.toContain(password);
    expect(postgresPhase(app)).toMatchObject({
      state: 'failed',
      message: expect.stringMatching(/changed since its password was saved/),
    });
    expect(await listed(app, 'db')).toMatchObject({
      hasSecret: false,
      secretNote: expect.stringMatching(/host, port, user or database .* changed since its password was saved/),
    });
    const tested = await callApi(app, 'connections.test', { id: 'db' });
    expect(tested).toMatchObject({ ok: false, hint: expect.stringMatching(/enter it again/) });
    expect(fake.text()).not.toContain(password);

    // Put back as it was saved: the same workspace and target connect again.
    await writeConnections(dirA, [realProfile]);
    expect(await listed(app, 'db')).toMatchObject({ hasSecret: true, secretNote: null });
    expect(await callApi(app, 'connections.test', { id: 'db' })).toMatchObject({ ok: true });
    await closeApp(app);
  });

  it('the connection editor: a changed host is tested without the password, and saved with a new one', async () => {
    const dirA = join(root, 'A');
    const app = await openApp(dirA);
    const moved = { ...realProfile, host: '127.0.0.1', port: fake.port };
    // "Test connection" on the edited form, the password field left empty.
    expect(await callApi(app, 'connections.test', { profile: moved })).toMatchObject({ ok: false });
    // Save without typing the password: kept, but needed for the new host.
    expect(await callApi(app, 'connections.save', { profile: moved })).toMatchObject({
      hasSecret: false,
      secretNote: expect.stringMatching(/changed since its password was saved/),
    });
    expect(await callApi(app, 'connections.test', { id: 'db' })).toMatchObject({ ok: false });
    expect(fake.text()).not.toContain(password);
    // Save with a new password: bound to the new target, and sent there.
    const typed = 'typed-for-the-new-host';
    expect(await callApi(app, 'connections.save', { profile: moved, secret: typed })).toMatchObject({
      hasSecret: true,
      secretNote: null,
    });
    expect(fake.text()).not.toContain(typed);
    await callApi(app, 'connections.test', { id: 'db' });
    expect(fake.text()).toContain(typed);
    expect(fake.text()).not.toContain(password);
    await closeApp(app);
  });

  it('a secret saved by an earlier version (keyed by the id alone) is not used, and says why', async () => {
    const store = await openEncryptedFileSecretStore({
      file: join(secretsDir, 'secrets.json'),
      keyFile: join(secretsDir, 'secrets.key'),
    });
    const old = 'old-format-password';
    await store.set('connection:db', old);
    const app = await openApp(await makeWorkspace('old', [{ ...realProfile, host: '127.0.0.1', port: fake.port }]));
    expect(await listed(app, 'db')).toMatchObject({
      hasSecret: false,
      secretNote: expect.stringMatching(/earlier version/),
    });
    expect(await callApi(app, 'connections.test', { id: 'db' })).toMatchObject({ ok: false });
    expect(fake.text()).not.toContain(old);
    // Saving a password for it drops the unbound copy.
    await callApi(app, 'connections.save', { profile: realProfile, secret: password });
    expect(await store.has('connection:db')).toBe(false);
    expect(await readFile(join(secretsDir, 'secrets.json'), 'utf8')).not.toContain(password);
    await closeApp(app);
  });
});
