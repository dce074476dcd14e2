import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * Creates an empty database named `<prefix>_<random>` on the shared test
 * PostgreSQL (`admin` connects to it) and returns the settings to connect to
 * it: tests that rewrite the contract's tables get their own database.
 */
export async function createTestDatabase(admin: pg.ClientConfig, prefix: string): Promise<pg.ClientConfig> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const client = new pg.Client({ ...admin, database: 'postgres' });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
  return { ...admin, database: name };
}
