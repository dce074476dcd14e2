/**
 * TimescaleDB or plain PostgreSQL: the workbench works on both, and says which
 * one it is talking to. Development machines run plain PostgreSQL; the Dash
 * cluster runs TimescaleDB, whose functions live in the schema the extension
 * was created in — not always on the search_path, and not always usable by
 * the role connected — so every call into it is qualified by that schema.
 */
import type pg from 'pg';
import { pgName, type ServerMode } from '../../../shared/serverSql';

export type { ServerMode };

export interface TimescaleExtension {
  /** e.g. '2.19.3' */
  version: string;
  /** The schema its functions live in, as named in pg_extension (unquoted). */
  schema: string;
  /** That schema as SQL, quoted when it must be: `public`, `"My TS"`. */
  schemaSql: string;
  /** Whether the connected role has USAGE on that schema (may call its functions). */
  usable: boolean;
}

export interface ServerModeInfo {
  mode: ServerMode;
  /** e.g. '18.1' */
  serverVersion: string;
  /** The installed timescaledb extension version, null on plain PostgreSQL. */
  timescaleVersion: string | null;
  /** Where TimescaleDB is and whether this role may use it; null on plain PostgreSQL. */
  timescale: TimescaleExtension | null;
  /** The role connected. */
  user: string;
}

export async function detectServerMode(client: pg.ClientBase | pg.Pool): Promise<ServerModeInfo> {
  const { rows } = await client.query<{
    server_version: string;
    user_name: string;
    timescale_version: string | null;
    timescale_schema: string | null;
    timescale_usable: boolean | null;
  }>(
    // By oid: naming a schema the role may not use would fail before we could say so.
    `SELECT current_setting('server_version') AS server_version, current_user AS user_name,
            e.extversion AS timescale_version, n.nspname AS timescale_schema,
            has_schema_privilege(n.oid, 'USAGE') AS timescale_usable
     FROM (SELECT 1) AS one
     LEFT JOIN pg_extension e ON e.extname = 'timescaledb'
     LEFT JOIN pg_namespace n ON n.oid = e.extnamespace`,
  );
  const row = rows[0];
  if (!row) throw new Error('The server did not report its version');
  const timescale =
    row.timescale_version && row.timescale_schema
      ? {
          version: row.timescale_version,
          schema: row.timescale_schema,
          schemaSql: pgName(row.timescale_schema),
          usable: row.timescale_usable === true,
        }
      : null;
  return {
    mode: timescale ? 'timescaledb' : 'plain',
    serverVersion: row.server_version,
    timescaleVersion: row.timescale_version,
    timescale,
    user: row.user_name,
  };
}

/** The grant a role lacks to call TimescaleDB's functions, as SQL the server team can run. */
export function timescaleUsageGrant(ext: TimescaleExtension, user: string): string {
  return `GRANT USAGE ON SCHEMA ${ext.schemaSql} TO ${pgName(user)};`;
}

/** Whether the extension is at least `major.minor` (its behaviour changed across 2.x releases). */
export function timescaleAtLeast(ext: Pick<TimescaleExtension, 'version'>, major: number, minor: number): boolean {
  const [a = 0, b = 0] = ext.version.split(/[.-]/).map((part) => Number.parseInt(part, 10) || 0);
  return a > major || (a === major && b >= minor);
}

// The bucketing SQL is pure and shared with the renderer.
export { TIME_BUCKET_ORIGIN_SQL, timeBucketSql } from '../../../shared/serverSql';
