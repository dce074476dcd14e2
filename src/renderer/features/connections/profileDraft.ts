/**
 * A connection profile as the form edits it (every field text or a flag), and
 * the way back to a contract profile, with the contract's own validation.
 */
import {
  PostgresProfile,
  S3Profile,
  secretTarget,
  type ConnectionProfile,
  type SslMode,
} from '../../../shared/api/connections';

export type ProfileKind = ConnectionProfile['kind'];

/** Each kind as the dialog names it. */
export const KIND_LABEL: Record<ProfileKind, string> = { s3: 'S3 / R2', postgres: 'PostgreSQL' };

export interface ProfileDraft {
  kind: ProfileKind;
  /** Empty for a profile not saved yet: the id is made from the name on save. */
  id: string;
  name: string;
  endpoint: string;
  bucket: string;
  region: string;
  prefix: string;
  accessKeyId: string;
  host: string;
  port: string;
  database: string;
  user: string;
  sslmode: SslMode;
  caFile: string;
  readOnly: boolean;
  statementTimeoutMs: string;
}

export function emptyDraft(kind: ProfileKind): ProfileDraft {
  return {
    kind,
    id: '',
    name: '',
    endpoint: '',
    bucket: '',
    region: 'auto',
    prefix: kind === 's3' ? 'bronze/' : '',
    accessKeyId: '',
    host: '',
    port: '5432',
    database: '',
    user: '',
    sslmode: 'prefer',
    caFile: '',
    readOnly: true,
    statementTimeoutMs: '60000',
  };
}

export function draftFromProfile(profile: ConnectionProfile): ProfileDraft {
  const base = emptyDraft(profile.kind);
  if (profile.kind === 's3') {
    return {
      ...base,
      id: profile.id,
      name: profile.name,
      endpoint: profile.endpoint,
      bucket: profile.bucket,
      region: profile.region,
      prefix: profile.prefix,
      accessKeyId: profile.accessKeyId,
    };
  }
  return {
    ...base,
    id: profile.id,
    name: profile.name,
    host: profile.host,
    port: String(profile.port),
    database: profile.database,
    user: profile.user,
    sslmode: profile.sslmode,
    caFile: profile.caFile ?? '',
    readOnly: profile.readOnly,
    statementTimeoutMs: String(profile.statementTimeoutMs),
  };
}

/** "Production R2 (EU)" → "production-r2-eu"; never empty. */
export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 56)
    .replace(/-+$/g, '');
  return slug || 'connection';
}

/** The slug of the name, with -2, -3… added when another profile already has it. */
export function uniqueId(name: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  const base = slugify(name);
  if (!used.has(base)) return base;
  for (let n = 2; ; n++) {
    const candidate = `${base}-${n}`;
    if (!used.has(candidate)) return candidate;
  }
}

function toNumber(text: string): number {
  const trimmed = text.trim();
  return trimmed === '' ? Number.NaN : Number(trimmed);
}

export type FieldErrors = Partial<Record<string, string>>;

export type DraftCheck = { ok: true; profile: ConnectionProfile } | { ok: false; errors: FieldErrors };

/** Builds the profile and checks it with the contract's schema; errors are keyed by field name. */
export function checkDraft(draft: ProfileDraft, taken: Iterable<string>): DraftCheck {
  const id = draft.id || uniqueId(draft.name, taken);
  const parsed =
    draft.kind === 's3'
      ? S3Profile.safeParse({
          kind: 's3',
          id,
          name: draft.name,
          endpoint: draft.endpoint.trim(),
          bucket: draft.bucket.trim(),
          region: draft.region.trim() || 'auto',
          prefix: draft.prefix.trim(),
          accessKeyId: draft.accessKeyId.trim(),
        })
      : PostgresProfile.safeParse({
          kind: 'postgres',
          id,
          name: draft.name,
          host: draft.host.trim(),
          port: toNumber(draft.port),
          database: draft.database.trim(),
          user: draft.user.trim(),
          sslmode: draft.sslmode,
          caFile: draft.caFile.trim() || null,
          readOnly: draft.readOnly,
          statementTimeoutMs: toNumber(draft.statementTimeoutMs),
        });
  if (parsed.success) return { ok: true, profile: parsed.data };
  const errors: FieldErrors = {};
  for (const issue of parsed.error.issues) {
    const field = String(issue.path[0] ?? 'name');
    const message =
      (field === 'port' || field === 'statementTimeoutMs') && issue.code === 'invalid_type'
        ? 'must be a number'
        : issue.message;
    errors[field] ??= message;
  }
  return { ok: false, errors };
}

/**
 * Whether the form points the saved profile somewhere else (host, port, user,
 * database; or bucket, endpoint, region, access key id): its saved secret is
 * bound to where it was saved for, so it has to be typed again.
 */
export function targetChanged(saved: ConnectionProfile, draft: ProfileDraft): boolean {
  const checked = checkDraft(draft, []);
  if (checked.ok) return JSON.stringify(secretTarget(saved)) !== JSON.stringify(secretTarget(checked.profile));
  // Not a valid profile yet: compare the fields as typed.
  const before = draftFromProfile(saved);
  const fields: (keyof ProfileDraft)[] =
    draft.kind === 's3' ? ['endpoint', 'bucket', 'region', 'accessKeyId'] : ['host', 'port', 'user', 'database'];
  return draft.kind !== saved.kind || fields.some((f) => String(draft[f]).trim() !== String(before[f]).trim());
}
