/**
 * Applies the contract's SQL migrations (resources/migrations/NNN_name.sql) in
 * order, each in its own transaction, and records them in
 * dash_meta.schema_migrations so that running again is a no-op.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type pg from 'pg';
import { resourcesDir } from '../appPaths';

const MIGRATION_FILE = /^(\d{3,}_[A-Za-z0-9_]+)\.sql$/;

/** An arbitrary constant: serialises concurrent appliers (two app windows, tests). */
const MIGRATION_LOCK_KEY = 7_311_001;

export interface MigrationFile {
  id: string;
  path: string;
}

export function migrationsDir(): string {
  return join(resourcesDir(), 'migrations');
}

/** The migration files in `dir`, in the order they apply. */
export async function listMigrations(dir: string = migrationsDir()): Promise<MigrationFile[]> {
  const names = await readdir(dir);
  return names
    .map((name) => ({ name, match: MIGRATION_FILE.exec(name) }))
    .filter((entry): entry is { name: string; match: RegExpExecArray } => entry.match !== null)
    .map(({ name, match }) => ({ id: match[1]!, path: join(dir, name) }))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export async function applyMigrations(
  client: pg.ClientBase,
  opts: { dir?: string } = {},
): Promise<{ applied: string[] }> {
  const files = await listMigrations(opts.dir);
  const applied: string[] = [];
  await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
  try {
    await client.query(`
      CREATE SCHEMA IF NOT EXISTS dash_meta;
      CREATE TABLE IF NOT EXISTS dash_meta.schema_migrations (
        id         text PRIMARY KEY,
        checksum   text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      );`);
    const { rows } = await client.query<{ id: string; checksum: string }>(
      'SELECT id, checksum FROM dash_meta.schema_migrations',
    );
    const done = new Map(rows.map((row) => [row.id, row.checksum]));

    for (const file of files) {
      const sql = await readFile(file.path, 'utf8');
      const checksum = sha256(sql);
      const previous = done.get(file.id);
      if (previous !== undefined) {
        // An applied migration that changed would leave this server silently
        // different from a fresh one: changes belong in a new numbered file.
        if (previous !== checksum) {
          throw new Error(
            `Migration ${file.id} was changed after it was applied to this database; add a new migration file instead of editing it`,
          );
        }
        continue;
      }
      await client.query('BEGIN');
      try {
        await client.query(sql);
        await client.query('INSERT INTO dash_meta.schema_migrations (id, checksum) VALUES ($1, $2)', [
          file.id,
          checksum,
        ]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        const reason = err instanceof Error ? err.message : String(err);
        throw new Error(`Migration ${file.id} failed: ${reason}`, { cause: err });
      }
      applied.push(file.id);
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
  }
  return { applied };
}
