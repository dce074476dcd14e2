/**
 * Connection profiles as the API carries them. A profile never contains its
 * secret: the renderer sends a secret when the user types one, and only ever
 * learns back whether one is stored (`hasSecret`).
 */
import { z } from 'zod';

export const ProfileId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'must be letters, digits, _ or -');

const Name = z.string().trim().min(1, 'give the connection a name').max(120);

export const S3Profile = z.object({
  kind: z.literal('s3'),
  id: ProfileId,
  name: Name,
  /** The account endpoint for R2 (https://<account>.r2.cloudflarestorage.com) or any S3 endpoint. */
  endpoint: z.string().url('the endpoint must be a URL such as https://<account>.r2.cloudflarestorage.com'),
  bucket: z
    .string()
    .min(3, 'bucket names have 3 to 63 characters')
    .max(63, 'bucket names have 3 to 63 characters')
    .regex(/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/, 'bucket names use lowercase letters, digits, dots and hyphens'),
  region: z.string().min(1).default('auto'),
  prefix: z.string().default(''),
  accessKeyId: z.string().min(1, 'the access key id is required'),
});
export type S3Profile = z.infer<typeof S3Profile>;

export const SslMode = z.enum(['disable', 'prefer', 'require', 'verify-full']);
export type SslMode = z.infer<typeof SslMode>;

export const PostgresProfile = z.object({
  kind: z.literal('postgres'),
  id: ProfileId,
  name: Name,
  host: z.string().min(1, 'the host is required'),
  port: z.number().int().min(1).max(65535).default(5432),
  database: z.string().min(1, 'the database is required'),
  user: z.string().min(1, 'the user is required'),
  sslmode: SslMode.default('prefer'),
  /** A CA certificate file for verify-full, on the machine running the workbench. */
  caFile: z.string().nullable().default(null),
  /** Exploration is read-only unless the user says otherwise. */
  readOnly: z.boolean().default(true),
  statementTimeoutMs: z.number().int().min(100).max(86_400_000).default(60_000),
});
export type PostgresProfile = z.infer<typeof PostgresProfile>;

export const ConnectionProfile = z.discriminatedUnion('kind', [S3Profile, PostgresProfile]);
export type ConnectionProfile = z.infer<typeof ConnectionProfile>;

/**
 * What a profile's secret may be sent to, in one canonical form: a saved secret
 * is bound to it (and to the workspace), so changing any of these fields means
 * typing the secret again. The name, prefix, SSL mode and timeouts are not part
 * of it: they do not change who receives the secret.
 */
export function secretTarget(profile: ConnectionProfile): Record<string, string | number> {
  if (profile.kind === 'postgres') {
    // Host names are case-insensitive; user and database names are not.
    return {
      kind: 'postgres',
      host: profile.host.trim().toLowerCase(),
      port: profile.port,
      user: profile.user,
      database: profile.database,
    };
  }
  return {
    kind: 's3',
    endpoint: canonicalEndpoint(profile.endpoint),
    bucket: profile.bucket,
    region: profile.region,
    accessKeyId: profile.accessKeyId,
  };
}

/** Scheme, host (lower case, default port dropped) and path without a trailing slash. */
function canonicalEndpoint(endpoint: string): string {
  try {
    const url = new URL(endpoint);
    return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
  } catch {
    return endpoint.trim();
  }
}

export const ConnectionProfileView = z.object({
  profile: ConnectionProfile,
  /** Whether a secret is saved for this profile's workspace and target, and so will be used. */
  hasSecret: z.boolean(),
  /** Why a saved secret is not used (e.g. the host changed since it was saved), to show beside "needed". */
  secretNote: z.string().nullable(),
});
export type ConnectionProfileView = z.infer<typeof ConnectionProfileView>;

export const SaveConnectionRequest = z.object({
  profile: ConnectionProfile,
  /** A new secret; omitted keeps the stored one, null removes it. */
  secret: z.string().max(4096).nullable().optional(),
});

export const TestConnectionRequest = z.union([
  z.object({ id: ProfileId }),
  z.object({ profile: ConnectionProfile, secret: z.string().max(4096).nullable().optional() }),
]);

export const ConnectionTestResult = z.object({
  ok: z.boolean(),
  /** The error code when it failed (e.g. auth_failed, timeout, store_not_found). */
  code: z.string().nullable(),
  message: z.string(),
  hint: z.string().nullable(),
  elapsedMs: z.number().nonnegative(),
  /** What the server told us, when it answered. */
  details: z.object({
    serverVersion: z.string().nullable(),
    timescaledb: z.string().nullable(),
    objectsSeen: z.number().int().nullable(),
  }),
});
export type ConnectionTestResult = z.infer<typeof ConnectionTestResult>;
