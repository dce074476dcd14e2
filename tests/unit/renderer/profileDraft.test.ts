import { describe, expect, it } from 'vitest';
import {
  checkDraft,
  draftFromProfile,
  emptyDraft,
  slugify,
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
});
