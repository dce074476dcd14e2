import { describe, expect, it } from 'vitest';
import { PostgresProfile, S3Profile } from '../../../src/shared/api/connections';
import {
  checkDraft,
  draftFromProfile,
  emptyDraft,
  slugify,
  targetChanged,
  uniqueId,
} from '../../../src/renderer/features/connections/profileDraft';

describe('connection profile drafts', () => {
  it('makes ids from names: slugified and unique', () => {
    expect(slugify('Production R2 (EU)')).toBe('production-r2-eu');
    expect(slugify('Café über')).toBe('cafe-uber');
    expect(slugify('!!!')).toBe('connection');
    expect(uniqueId('Prod', ['prod', 'prod-2'])).toBe('prod-3');
    expect(uniqueId('Prod', [])).toBe('prod');
  });

  it("shows the contract's messages under the fields", () => {
    const check = checkDraft({ ...emptyDraft('s3'), name: 'x', endpoint: 'not a url', bucket: 'A' }, []);
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(check.errors.endpoint).toMatch(/URL/);
    expect(check.errors.bucket).toMatch(/3 to 63/);
    expect(check.errors.accessKeyId).toMatch(/required/);
    const pg = checkDraft(
      { ...emptyDraft('postgres'), name: 'db', host: 'h', database: 'd', user: 'u', port: 'abc' },
      [],
    );
    expect(pg.ok).toBe(false);
    if (!pg.ok) expect(pg.errors.port).toBe('must be a number');
  });

  it('round-trips a valid profile and keeps the id of a saved one', () => {
    const check = checkDraft(
      {
        ...emptyDraft('s3'),
        name: 'Test bucket',
        endpoint: 'http://127.0.0.1:9000',
        bucket: 'dash-bronze',
        accessKeyId: 'KEY',
      },
      ['test-bucket'],
    );
    expect(check.ok).toBe(true);
    if (!check.ok) return;
    expect(check.profile).toMatchObject({ kind: 's3', id: 'test-bucket-2', prefix: 'bronze/', region: 'auto' });
    const again = checkDraft(draftFromProfile(check.profile), ['test-bucket', 'test-bucket-2']);
    expect(again.ok && again.profile.id).toBe('test-bucket-2');
  });

  it('says when the form points the saved secret somewhere else', () => {
    const pg = PostgresProfile.parse({
      kind: 'postgres',
      id: 'db',
      name: 'DB',
      host: 'db.example.com',
      database: 'd',
      user: 'u',
    });
    const draft = draftFromProfile(pg);
    // Name, SSL mode, timeout and read-only do not change who receives the password.
    expect(targetChanged(pg, { ...draft, name: 'Renamed', sslmode: 'require', statementTimeoutMs: '5000' })).toBe(
      false,
    );
    expect(targetChanged(pg, { ...draft, host: ' DB.example.com ' })).toBe(false);
    expect(targetChanged(pg, { ...draft, host: 'evil.example.com' })).toBe(true);
    expect(targetChanged(pg, { ...draft, port: '6543' })).toBe(true);
    expect(targetChanged(pg, { ...draft, user: 'U' })).toBe(true);
    expect(targetChanged(pg, { ...draft, database: 'other' })).toBe(true);
    // Half-typed (not a valid profile yet): compared as typed.
    expect(targetChanged(pg, { ...draft, host: '' })).toBe(true);
    const s3 = S3Profile.parse({
      kind: 's3',
      id: 'b',
      name: 'B',
      endpoint: 'https://Account.r2.cloudflarestorage.com/',
      bucket: 'dash-bronze',
      accessKeyId: 'KEY',
    });
    const s3Draft = draftFromProfile(s3);
    expect(targetChanged(s3, { ...s3Draft, prefix: 'other/' })).toBe(false);
    expect(targetChanged(s3, { ...s3Draft, endpoint: 'https://account.r2.cloudflarestorage.com' })).toBe(false);
    expect(targetChanged(s3, { ...s3Draft, endpoint: 'https://evil.example.com' })).toBe(true);
    expect(targetChanged(s3, { ...s3Draft, bucket: 'other-bucket' })).toBe(true);
    expect(targetChanged(s3, { ...s3Draft, region: 'eu-west-1' })).toBe(true);
    expect(targetChanged(s3, { ...s3Draft, accessKeyId: 'OTHER' })).toBe(true);
  });
});
