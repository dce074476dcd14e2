/**
 * The demo server's own roles, as a real server would have them
 * (docs/data-contract.md, "Roles and grants"): exploration runs as
 * `dash_reader`, pushes as `dash_pusher`, neither a superuser — so a live
 * query on the demo is refused what it would be refused on a real server
 * (pg_read_file, pg_ls_dir, …). The superuser only sets the server up.
 */
import { randomBytes } from 'node:crypto';
import type pg from 'pg';

export interface RoleLogin {
  user: string;
  password: string;
}

export const DEMO_READER = 'dash_reader';
export const DEMO_PUSHER = 'dash_pusher';

/** The documented grants, word for word (without the TimescaleDB line: the demo server is plain PostgreSQL). */
const GRANTS = `
GRANT USAGE ON SCHEMA dash TO dash_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA dash TO dash_reader;
GRANT USAGE ON SCHEMA dash TO dash_pusher;
GRANT SELECT ON dash.pipelines, dash.pipeline_versions, dash.pipeline_metrics,
  dash.metric_pushes, dash.metric_push_replaced_rows TO dash_pusher;
GRANT UPDATE ON dash.pipelines TO dash_pusher;
GRANT INSERT ON dash.pipeline_versions, dash.metric_pushes, dash.metric_push_replaced_rows TO dash_pusher;
GRANT INSERT, DELETE ON dash.pipeline_metrics TO dash_pusher;`;

/**
 * Creates (or resets) the reader and pusher roles on the demo server, after the
 * migrations, connected as its superuser. Their passwords are new at every
 * start and never written anywhere: the workspace keeps them in memory.
 */
export async function ensureDemoRoles(admin: pg.ClientBase): Promise<{ reader: RoleLogin; pusher: RoleLogin }> {
  const reader = { user: DEMO_READER, password: randomBytes(24).toString('base64url') };
  const pusher = { user: DEMO_PUSHER, password: randomBytes(24).toString('base64url') };
  await admin.query('BEGIN');
  try {
    for (const role of [reader, pusher]) {
      const { rowCount } = await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role.user]);
      const name = admin.escapeIdentifier(role.user);
      if (!rowCount) await admin.query(`CREATE ROLE ${name}`);
      // Reset every attribute: a role found on the server gets no more than a new one.
      await admin.query(
        `ALTER ROLE ${name} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT ` +
          `PASSWORD ${admin.escapeLiteral(role.password)}`,
      );
    }
    await admin.query(GRANTS);
    await admin.query('COMMIT');
  } catch (err) {
    await admin.query('ROLLBACK').catch(() => undefined);
    throw new Error(`Could not set up the demo server's roles: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
  return { reader, pusher };
}
