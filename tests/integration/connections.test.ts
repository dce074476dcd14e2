import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { PostgresProfile, S3Profile } from '../../src/shared/api/connections';
import { ConnectionProfile } from '../../src/shared/api/connections';
import { ConnectionProfiles } from '../../src/main/services/connections/ConnectionProfiles';
import { testPostgres, testS3 } from '../../src/main/services/connections/ConnectionTester';
import { openEncryptedFileSecretStore } from '../../src/main/services/secrets/EncryptedFileSecretStore';
import { freePort } from '../../src/main/services/net/freePort';
import { listFiles } from '../setup/TestServers';

const SECRET = 'pa55-word-that-must-never-leak';

describe('connection profiles and secrets', () => {
  const servers = inject('servers');
  let dir: string;
  let profiles: ConnectionProfiles;
  let pgProfile: PostgresProfile;
  let s3Profile: S3Profile;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dash-connections-'));
    const secrets = await openEncryptedFileSecretStore({
      file: join(dir, 'app-data', 'secrets.json'),
      keyFile: join(dir, 'app-data', 'secrets.key'),
    });
    profiles = new ConnectionProfiles(join(dir, 'workspace'), secrets);
    pgProfile = ConnectionProfile.parse({
      kind: 'postgres',
      id: 'timescale-prod',
      name: 'Metrics cluster',
      host: servers.postgres.host,
      port: servers.postgres.port,
      database: servers.postgres.database,
      user: servers.postgres.user,
      sslmode: 'prefer',
    }) as PostgresProfile;
    s3Profile = ConnectionProfile.parse({
      kind: 's3',
      id: 'r2-bronze',
      name: 'Bronze bucket',
      endpoint: servers.s3.endpoint,
      bucket: servers.s3.bucket,
      prefix: 'bronze/',
      accessKeyId: servers.s3.accessKeyId,
    }) as S3Profile;
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('stores profiles in the workspace and secrets only encrypted, never returned', async () => {
    const saved = await profiles.save(pgProfile, servers.postgres.password);
    expect(saved).toEqual({ profile: pgProfile, hasSecret: true, secretNote: null });
    await profiles.save({ ...s3Profile }, SECRET);
    const listed = await profiles.list();
    expect(listed.map((v) => [v.profile.id, v.hasSecret])).toEqual([
      ['timescale-prod', true],
      ['r2-bronze', true],
    ]);
    expect(JSON.stringify(listed)).not.toContain(SECRET);
    expect(JSON.stringify(listed)).not.toContain(servers.postgres.password);
    // No file anywhere holds a secret in plain text: not the workspace, not the secrets file.
    for (const file of await listFiles(dir)) {
      const text = await readFile(file, 'utf8');
      expect(text, file).not.toContain(SECRET);
      expect(text, file).not.toContain(servers.postgres.password);
    }
    expect(await readdir(join(dir, 'workspace'))).toEqual(['connections.json']);
    expect((await stat(join(dir, 'app-data', 'secrets.key'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'app-data', 'secrets.json'))).mode & 0o777).toBe(0o600);
    expect((await profiles.secretFor(s3Profile)).secret).toBe(SECRET);
  });

  it('keeps, replaces and removes a secret as asked', async () => {
    await profiles.save({ ...s3Profile, name: 'Bronze bucket (R2)' });
    expect((await profiles.secretFor(s3Profile)).secret).toBe(SECRET);
    await profiles.save({ ...s3Profile, name: 'Bronze bucket' }, null);
    expect((await profiles.list()).find((v) => v.profile.id === 'r2-bronze')?.hasSecret).toBe(false);
    await profiles.save(s3Profile, servers.s3.secretAccessKey);
  });

  it('duplicates a profile with its secret, and deletes both', async () => {
    const copy = await profiles.duplicate('timescale-prod');
    expect(copy.profile).toMatchObject({ id: 'timescale-prod-copy', name: 'Metrics cluster (copy)' });
    expect(copy.hasSecret).toBe(true);
    expect((await profiles.secretFor(copy.profile)).secret).toBe(servers.postgres.password);
    await expect(profiles.save({ ...copy.profile, name: 'Metrics cluster' })).rejects.toThrow(/already called/);
    expect(await profiles.delete(copy.profile.id)).toBe(true);
    expect(await profiles.secretFor(copy.profile)).toEqual({ secret: null, note: null });
    expect(await profiles.delete(copy.profile.id)).toBe(false);
  });

  it('says clearly when the secrets key no longer opens a secret', async () => {
    const other = await openEncryptedFileSecretStore({
      file: join(dir, 'app-data', 'secrets.json'),
      keyFile: join(dir, 'other.key'),
    });
    const file = JSON.parse(await readFile(join(dir, 'app-data', 'secrets.json'), 'utf8')) as {
      entries: Record<string, string>;
    };
    const key = Object.keys(file.entries).find((k) => k.startsWith('connection:r2-bronze@'));
    await expect(other.get(key!)).rejects.toThrow(/cannot be decrypted/);
    // Through the profiles: "needed" again, with the reason, and the list still loads.
    const withOtherKey = new ConnectionProfiles(join(dir, 'workspace'), other);
    const listed = (await withOtherKey.list()).find((v) => v.profile.id === 'r2-bronze');
    expect(listed).toMatchObject({ hasSecret: false, secretNote: expect.stringMatching(/cannot be decrypted/) });
    expect((await withOtherKey.secretFor(s3Profile)).secret).toBeNull();
    await expect(
      openEncryptedFileSecretStore({ file: join(dir, 'x.json'), keyFile: join(dir, 'y.key'), envKey: 'short' }),
    ).rejects.toThrow(/64 hexadecimal/);
  });

  it('refuses a damaged connections file with a clear message', async () => {
    const broken = join(dir, 'broken');
    const other = new ConnectionProfiles(
      broken,
      await openEncryptedFileSecretStore({ file: join(broken, 's.json'), keyFile: join(broken, 's.key') }),
    );
    await other.save(pgProfile);
    await writeFile(join(broken, 'connections.json'), '{"version":1,"profiles":[{"kind":"postgres"}]}');
    await expect(other.list()).rejects.toThrow(/not a valid connections file/);
  });

  describe('test connection', () => {
    it('PostgreSQL: connects and says there is no TimescaleDB', async () => {
      const result = await testPostgres(pgProfile, servers.postgres.password);
      expect(result).toMatchObject({ ok: true, code: null, details: { timescaledb: null } });
      expect(result.message).toMatch(/plain PostgreSQL/);
      expect(result.details.serverVersion).toMatch(/^\d+/);
    });

    it('PostgreSQL: names a wrong password, a missing database, a refused port, TLS and a timeout', async () => {
      expect(await testPostgres(pgProfile, 'wrong')).toMatchObject({ ok: false, code: 'auth_failed' });
      expect(await testPostgres({ ...pgProfile, database: 'nope' }, servers.postgres.password)).toMatchObject({
        ok: false,
        code: 'store_not_found',
        message: expect.stringContaining('"nope"'),
      });
      const closed = await freePort();
      const refused = await testPostgres({ ...pgProfile, port: closed }, servers.postgres.password);
      expect(refused).toMatchObject({ ok: false, code: 'offline', message: expect.stringMatching(/refused/) });
      const tls = await testPostgres({ ...pgProfile, sslmode: 'require' }, servers.postgres.password);
      expect(tls).toMatchObject({ ok: false, code: 'tls_failed' });
      // A server that accepts the connection and never answers.
      const silent: Server = createServer(() => undefined);
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      try {
        const port = (silent.address() as { port: number }).port;
        const started = Date.now();
        const timeout = await testPostgres({ ...pgProfile, port, sslmode: 'disable' }, 'x', 1500);
        expect(timeout).toMatchObject({ ok: false, code: 'timeout' });
        expect(Date.now() - started).toBeLessThan(10_000);
      } finally {
        silent.close();
      }
    });

    it('S3: lists the bucket, and names a missing bucket and a missing secret', async () => {
      const ok = await testS3(s3Profile, servers.s3.secretAccessKey);
      expect(ok).toMatchObject({ ok: true });
      expect(ok.details.objectsSeen).toBeGreaterThan(0);
      expect(await testS3({ ...s3Profile, bucket: 'no-such-bucket' }, servers.s3.secretAccessKey)).toMatchObject({
        ok: false,
        code: 'store_not_found',
      });
      expect(await testS3(s3Profile, null)).toMatchObject({ ok: false, code: 'auth_failed' });
      const empty = await testS3({ ...s3Profile, prefix: 'nothing-here/' }, servers.s3.secretAccessKey);
      expect(empty).toMatchObject({ ok: true, hint: expect.stringContaining('prefix') });
    });
  });
});
