/**
 * "Test connection": tries a profile for real and names the cause when it
 * fails — DNS, refused, timeout, TLS, bad credentials, missing bucket or
 * database, no permission — and for PostgreSQL whether TimescaleDB is there.
 */
import { readFile } from 'node:fs/promises';
import type { ConnectionOptions } from 'node:tls';
import pg from 'pg';
import type { ConnectionTestResult, PostgresProfile, S3Profile } from '../../../shared/api/connections';
import { WorkbenchError } from '../../../shared/errors';
import { S3ObjectStore } from '../objectStore/S3ObjectStore';
import { describeStoreError } from '../objectStore/storeErrors';
import { detectServerMode } from '../postgres/ServerMode';

const DEFAULT_TIMEOUT_MS = 10_000;

/** The pg `ssl` option for a libpq-style sslmode. */
export async function sslOptions(profile: PostgresProfile): Promise<false | ConnectionOptions> {
  switch (profile.sslmode) {
    case 'disable':
      return false;
    case 'prefer':
    case 'require':
      // Encrypted, but like libpq's require it does not check the certificate.
      return { rejectUnauthorized: false };
    case 'verify-full': {
      const ca = profile.caFile ? await readFile(profile.caFile, 'utf8') : undefined;
      return { rejectUnauthorized: true, ...(ca ? { ca } : {}) };
    }
  }
}

/** Names the cause of a PostgreSQL failure; network causes are worded like the store's. */
export function describePostgresError(err: unknown, profile: PostgresProfile, timeoutMs: number): WorkbenchError {
  if (err instanceof WorkbenchError) return err;
  const e = (typeof err === 'object' && err !== null ? err : {}) as { code?: unknown; message?: unknown };
  const message = typeof e.message === 'string' ? e.message : String(err);
  const where = `PostgreSQL at ${profile.host}:${profile.port}`;
  switch (e.code) {
    case '28P01':
    case '28000':
      return new WorkbenchError(
        'auth_failed',
        `${where} refused user "${profile.user}": ${message}`,
        'Check the user name and password of this connection.',
      );
    case '3D000':
      return new WorkbenchError(
        'store_not_found',
        `${where} has no database "${profile.database}"`,
        'Check the database name (it is case-sensitive).',
      );
    case '42501':
      return new WorkbenchError(
        'forbidden',
        `${where}: ${message}`,
        'Ask for CONNECT and read grants on the dash schema.',
      );
  }
  // pg's words when the server wants a password and the connection has none.
  if (/client password must be a string/i.test(message)) {
    return new WorkbenchError(
      'auth_failed',
      `${where} asks for a password, and none is saved for this connection`,
      'Enter the password in Connections.',
    );
  }
  if (/does not support SSL/i.test(message)) {
    return new WorkbenchError(
      'tls_failed',
      `${where} does not accept encrypted connections, but this connection requires them`,
      'Set SSL mode to "disable" or "prefer", or enable SSL on the server.',
    );
  }
  if (/self[- ]signed|certificate|CERT_|unable to verify/i.test(message)) {
    return new WorkbenchError(
      'tls_failed',
      `${where}: the TLS certificate was not accepted: ${message}`,
      'Give the CA file of the server, or use SSL mode "require".',
    );
  }
  if (/timeout/i.test(message)) {
    return new WorkbenchError(
      'timeout',
      `${where} did not answer within ${Math.round(timeoutMs / 1000)} s`,
      'Check the host and port, the VPN, or a firewall between you and the server.',
    );
  }
  return describeStoreError(err, where, { timeoutMs });
}

function failed(err: WorkbenchError, started: number): ConnectionTestResult {
  return {
    ok: false,
    code: err.code,
    message: err.message,
    hint: err.hint ?? null,
    elapsedMs: performance.now() - started,
    details: { serverVersion: null, timescaledb: null, objectsSeen: null },
  };
}

export async function testPostgres(
  profile: PostgresProfile,
  password: string | null,
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<ConnectionTestResult> {
  const started = performance.now();
  const connect = async (ssl: false | ConnectionOptions) => {
    const client = new pg.Client({
      host: profile.host,
      port: profile.port,
      database: profile.database,
      user: profile.user,
      password: password ?? undefined,
      ssl,
      connectionTimeoutMillis: timeoutMs,
      statement_timeout: Math.min(profile.statementTimeoutMs, timeoutMs),
    });
    client.on('error', () => undefined);
    await client.connect();
    return client;
  };
  let client: pg.Client;
  try {
    const ssl = await sslOptions(profile);
    try {
      client = await connect(ssl);
    } catch (err) {
      // "prefer": encrypted when the server can, plain when it cannot.
      if (profile.sslmode !== 'prefer' || !/does not support SSL/i.test(String((err as Error).message))) throw err;
      client = await connect(false);
    }
  } catch (err) {
    return failed(describePostgresError(err, profile, timeoutMs), started);
  }
  try {
    const mode = await detectServerMode(client);
    return {
      ok: true,
      code: null,
      message:
        mode.mode === 'timescaledb'
          ? `Connected: PostgreSQL ${mode.serverVersion} with TimescaleDB ${mode.timescaleVersion ?? ''}`.trim()
          : `Connected: PostgreSQL ${mode.serverVersion}, plain PostgreSQL (no TimescaleDB: time buckets use date_bin)`,
      hint: null,
      elapsedMs: performance.now() - started,
      details: { serverVersion: mode.serverVersion, timescaledb: mode.timescaleVersion, objectsSeen: null },
    };
  } catch (err) {
    return failed(describePostgresError(err, profile, timeoutMs), started);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function testS3(
  profile: S3Profile,
  secretAccessKey: string | null,
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<ConnectionTestResult> {
  const started = performance.now();
  if (secretAccessKey === null) {
    return failed(
      new WorkbenchError(
        'auth_failed',
        `No secret access key is stored for "${profile.name}"`,
        'Enter the secret access key.',
      ),
      started,
    );
  }
  const store = new S3ObjectStore({
    endpoint: profile.endpoint,
    bucket: profile.bucket,
    region: profile.region,
    accessKeyId: profile.accessKeyId,
    secretAccessKey,
    requestTimeoutMs: timeoutMs,
  });
  try {
    const page = await store.list({ prefix: profile.prefix, maxKeys: 10 });
    const seen = page.objects.length + page.prefixes.length;
    return {
      ok: true,
      code: null,
      message:
        seen === 0
          ? `Connected to ${store.description}, but nothing is under "${profile.prefix}"`
          : `Connected to ${store.description}: objects found under "${profile.prefix || '/'}"`,
      hint: seen === 0 ? 'Check the prefix: Bronze files are usually under bronze/.' : null,
      elapsedMs: performance.now() - started,
      details: { serverVersion: null, timescaledb: null, objectsSeen: seen },
    };
  } catch (err) {
    return failed(err instanceof WorkbenchError ? err : describeStoreError(err, store.description), started);
  } finally {
    store.close();
  }
}
