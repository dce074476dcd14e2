/**
 * Browsing the Bronze lake and managing its local cache, as the API carries it.
 */
import { z } from 'zod';

/** An object key or prefix as the user browses: `/`-separated, no `..`, no NUL. */
export const LakeKey = z
  .string()
  .max(1024)
  .refine((key) => !key.includes('\0') && !key.split('/').includes('..') && !key.startsWith('/'), {
    message: 'must be a relative key without ".." or NUL',
  });

export const LakeBrowseRequest = z.object({
  /** A folder prefix ending in `/`, or '' for the top. */
  prefix: LakeKey,
  token: z.string().max(4096).nullable().optional(),
  limit: z.number().int().min(1).max(1000).default(500),
});

/** Where a file stands locally: 'local' for a folder lake, read in place. */
export const FileCacheState = z.enum(['cached', 'stale', 'not-cached', 'local']);
export type FileCacheState = z.infer<typeof FileCacheState>;

export const LakeEntry = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('folder'),
    prefix: z.string(),
    name: z.string(),
    /** A Hive partition folder such as `date=2026-10-01`. */
    partition: z.object({ key: z.string(), value: z.string() }).nullable(),
  }),
  z.object({
    kind: z.literal('file'),
    key: z.string(),
    name: z.string(),
    size: z.number().nonnegative(),
    lastModified: z.string(),
    etag: z.string(),
    cache: FileCacheState,
    pinned: z.boolean(),
  }),
]);
export type LakeEntry = z.infer<typeof LakeEntry>;

export const LakeBrowseResult = z.object({
  prefix: z.string(),
  entries: z.array(LakeEntry),
  nextToken: z.string().nullable(),
});
export type LakeBrowseResult = z.infer<typeof LakeBrowseResult>;

export const CacheKeysRequest = z.object({ keys: z.array(LakeKey).min(1).max(50_000) });

export const CacheUsage = z.object({
  bytes: z.number().nonnegative(),
  files: z.number().int().nonnegative(),
  pinnedBytes: z.number().nonnegative(),
  quotaBytes: z.number().nonnegative(),
});
export type CacheUsage = z.infer<typeof CacheUsage>;

export const CacheEntryView = z.object({
  key: z.string(),
  size: z.number().nonnegative(),
  etag: z.string(),
  state: z.enum(['fresh', 'stale', 'unverified']),
  pinned: z.boolean(),
  downloadedAt: z.string(),
  lastUsedAt: z.string(),
});
export type CacheEntryView = z.infer<typeof CacheEntryView>;

export const CacheListing = z.object({
  /** False for a folder lake: its files are read in place and never cached. */
  enabled: z.boolean(),
  usage: CacheUsage,
  entries: z.array(CacheEntryView),
});
export type CacheListing = z.infer<typeof CacheListing>;

export const CacheVerifyResult = z.object({
  ok: z.number().int().nonnegative(),
  corrupt: z.array(z.object({ key: z.string(), reason: z.string() })),
});

export const CacheRevalidateResult = z.object({
  fresh: z.number().int().nonnegative(),
  stale: z.array(z.string()),
  notRevalidated: z.array(z.object({ key: z.string(), message: z.string() })),
});
export type CacheRevalidateResult = z.infer<typeof CacheRevalidateResult>;

/** What the workspace's lake is: a folder, or an S3/R2 connection profile. */
export const LakeSetting = z.discriminatedUnion('driver', [
  z.object({ driver: z.literal('folder'), path: z.string().min(1) }),
  z.object({ driver: z.literal('s3'), connectionId: z.string().min(1).max(64) }),
]);
export type LakeSetting = z.infer<typeof LakeSetting>;

/**
 * A Parquet file the local warehouse set aside because it cannot be read (truncated,
 * not Parquet, a corrupt footer): it stays on disk, only out of the `bronze.<pipeline>`
 * view, so the pipeline's other files stay queryable.
 */
export const SkippedFile = z.object({
  /** As the lake browser names it, e.g. `bronze/energy_meters/date=2026-10-01/batch-0001.parquet`. */
  key: z.string().max(4096),
  /** Where it is on this machine. */
  path: z.string().max(4096),
  /** Why, in a sentence. */
  reason: z.string().max(2000),
});
export type SkippedFile = z.infer<typeof SkippedFile>;

/** "1 file skipped: <key>: <why>" — the one wording every place that shows skipped files uses. */
export function describeSkippedFiles(files: readonly SkippedFile[]): string {
  const list = files.map((f) => `${f.key}: ${f.reason}`).join('; ');
  return `${files.length} file${files.length === 1 ? '' : 's'} skipped: ${list}`;
}

export const ParquetFileRequest = z.object({ key: LakeKey, rows: z.number().int().min(0).max(500).default(50) });

/** A value as JSON can carry it: big integers and bytes become text, times ISO strings. */
const Cell = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const ParquetFileInfo = z.object({
  key: z.string(),
  size: z.number().nonnegative(),
  /** Where the bytes came from: the local cache or folder, or range reads on the store. */
  source: z.enum(['local', 'cache', 'store']),
  /** Bytes actually read to answer (footer + the rows shown). */
  bytesRead: z.number().nonnegative(),
  createdBy: z.string().nullable(),
  rowCount: z.number().nonnegative(),
  schema: z.array(
    z.object({
      name: z.string(),
      physicalType: z.string().nullable(),
      logicalType: z.string().nullable(),
      repetition: z.string().nullable(),
    }),
  ),
  rowGroups: z.array(
    z.object({
      rows: z.number().nonnegative(),
      compressedBytes: z.number().nonnegative(),
      uncompressedBytes: z.number().nonnegative(),
      columns: z.array(
        z.object({
          name: z.string(),
          compression: z.string(),
          nulls: z.number().nullable(),
          min: Cell,
          max: Cell,
        }),
      ),
    }),
  ),
  keyValue: z.array(z.object({ key: z.string(), value: z.string().nullable() })),
  firstRows: z.object({ columns: z.array(z.string()), rows: z.array(z.array(Cell)) }),
});
export type ParquetFileInfo = z.infer<typeof ParquetFileInfo>;
