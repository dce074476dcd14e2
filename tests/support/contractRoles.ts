/**
 * The roles docs/data-contract.md documents ("Roles and grants"), created with
 * exactly the grants written there — read from the document itself, so the
 * document and the tests cannot drift apart.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';

export interface RoleLogin {
  user: string;
  password: string;
}

/** The SQL block under "### Roles and grants" in docs/data-contract.md. */
async function documentedGrants(): Promise<string> {
  const doc = await readFile(fileURLToPath(new URL('../../docs/data-contract.md', import.meta.url)), 'utf8');
  const section = doc.slice(doc.indexOf('### Roles and grants'));
  const block = /```sql\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error('docs/data-contract.md has no SQL block under "### Roles and grants"');
  return block;
}

/**
 * Creates a reader and a pusher role (unique names: roles are cluster-wide) with
 * a password each, and runs the documented grants for them in the database
 * `admin` is connected to (after the migrations). `timescaleSchema`: the
 * extension's schema, for the documented `tsdb` line — dropped on plain PostgreSQL.
 */
export async function createDocumentedRoles(
  admin: pg.ClientBase,
  timescaleSchema: string | null = null,
): Promise<{ reader: RoleLogin; pusher: RoleLogin }> {
  const suffix = randomBytes(4).toString('hex');
  const reader = { user: `reader_${suffix}`, password: randomBytes(12).toString('hex') };
  const pusher = { user: `pusher_${suffix}`, password: randomBytes(12).toString('hex') };
  for (const role of [reader, pusher]) {
    await admin.query(
      `CREATE ROLE ${admin.escapeIdentifier(role.user)} LOGIN PASSWORD ${admin.escapeLiteral(role.password)}`,
    );
  }
  const statements = (await documentedGrants())
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('--'))
    .join('\n')
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean)
    .filter((s) => timescaleSchema !== null || !/\btsdb\b/.test(s))
    .map((s) =>
      s
        .replaceAll('dash_reader', admin.escapeIdentifier(reader.user))
        .replaceAll('dash_pusher', admin.escapeIdentifier(pusher.user))
        .replace(/\btsdb\b/g, timescaleSchema === null ? 'tsdb' : admin.escapeIdentifier(timescaleSchema)),
    );
  for (const statement of statements) await admin.query(statement);
  return { reader, pusher };
}
