/**
 * Helpers for integration tests against the real Debian TimescaleDB server
 * (2.19, Apache edition) that tests/setup/servers.ts starts for the run. Where
 * it cannot be had (not root, no mmdebstrap, no network for the first build),
 * the setup says why once and these tests are skipped with the reason in their
 * title — unless DASH_REQUIRE_TIMESCALEDB=1 (CI), where the run fails instead.
 * For compression and continuous aggregates use ./pgliteTimescale.ts.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, inject } from 'vitest';
import type { DebianTimescaleInfo } from '../setup/DebianTimescaleDB';

/** The Debian TimescaleDB server of this run, or null when it is not available. */
export function timescaleOrSkip(): DebianTimescaleInfo | null {
  const provided = inject('timescale');
  if (!provided?.available) return null;
  const { host, port, user, password, database, timescaleVersion } = provided;
  return { host, port, user, password, database, timescaleVersion };
}

/** Why the Debian TimescaleDB server is not available, or null when it is. */
export function timescaleUnavailableReason(): string | null {
  const provided = inject('timescale');
  if (provided === undefined) return 'the global setup provided no TimescaleDB (not an integration test?)';
  return provided.available ? null : provided.reason;
}

/** `describe` that runs only with the Debian TimescaleDB server, and says why when it does not. */
export function describeTimescale(name: string, fn: () => void): void {
  const reason = timescaleUnavailableReason();
  // A title is one line: the first line of the reason (the setup printed all of it).
  const title = reason === null ? name : `${name} — NOT RUN: ${reason.split('\n')[0]}`;
  describe.skipIf(reason !== null)(title, fn);
}

export interface CreateTimescaleDatabaseOptions {
  /** The schema the extension's functions go to (created if missing). Default `public`. */
  extensionSchema?: string;
}

/**
 * A new database `<prefix>_<random hex>` on the Debian TimescaleDB server with
 * the timescaledb extension created in `extensionSchema`; returns superuser
 * settings to connect to it.
 */
export async function createTimescaleDatabase(
  prefix: string,
  opts: CreateTimescaleDatabaseOptions = {},
): Promise<pg.ClientConfig> {
  const server = timescaleOrSkip();
  if (!server) throw new Error(`TimescaleDB is not available: ${timescaleUnavailableReason()}`);
  const { host, port, user, password } = server;
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ host, port, user, password, database: 'postgres' });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`);
  } finally {
    await admin.end();
  }
  const config: pg.ClientConfig = { host, port, user, password, database: name };
  const client = new pg.Client(config);
  await client.connect();
  try {
    const schema = client.escapeIdentifier(opts.extensionSchema ?? 'public');
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query(`CREATE EXTENSION timescaledb SCHEMA ${schema}`);
  } finally {
    await client.end();
  }
  return config;
}
