/**
 * workspace.json: the plain-file description of a workspace. It never holds
 * secrets (passwords live in the OS keychain via the secrets service).
 */
import { basename, join } from 'node:path';
import { z } from 'zod';
import { LakeSetting } from '../../../shared/api/lake';
import { readJsonFile, writeJsonFile } from '../jsonFile';

export const WorkspaceConfig = z.object({
  version: z.literal(1),
  name: z.string().min(1),
  /** The built-in demo: generated lake and an embedded PostgreSQL seeded from it. */
  demo: z.object({ seed: z.number().int(), size: z.enum(['tiny', 'small', 'demo']) }).nullable(),
  timeZone: z.string().default('UTC'),
  /** A folder laid out like the bucket, or an S3/R2 connection profile (see connections.json). */
  lake: LakeSetting,
  /** Size limit of the local Parquet cache of an S3/R2 lake. */
  cacheQuotaBytes: z
    .number()
    .int()
    .positive()
    .default(20 * 1024 ** 3),
  postgres: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('embedded'), dataDir: z.string(), database: z.string().default('dash') }),
    z.object({
      /** A PostgreSQL/TimescaleDB connection profile (see connections.json). */
      kind: z.literal('connection'),
      connectionId: z.string().min(1).max(64),
    }),
  ]),
  cacheDir: z.string().default('cache'),
});
export type WorkspaceConfig = z.infer<typeof WorkspaceConfig>;

export const WORKSPACE_FILE = 'workspace.json';

export function demoWorkspaceConfig(dir: string, size: 'tiny' | 'small' | 'demo' = 'demo'): WorkspaceConfig {
  return {
    version: 1,
    name: basename(dir) === '' ? 'Demo workspace' : `Demo workspace (${basename(dir)})`,
    demo: { seed: 42, size },
    timeZone: 'UTC',
    lake: { driver: 'folder', path: 'lake' },
    cacheQuotaBytes: 20 * 1024 ** 3,
    postgres: { kind: 'embedded', dataDir: 'postgres', database: 'dash' },
    cacheDir: 'cache',
  };
}

/** Writes workspace.json (temp + rename, so a crash never leaves half a file). */
export async function saveWorkspaceConfig(dir: string, config: WorkspaceConfig): Promise<void> {
  await writeJsonFile(join(dir, WORKSPACE_FILE), config, { within: { root: dir } });
}

/** Reads workspace.json, creating the demo workspace when the folder has none. */
export async function loadOrCreateWorkspaceConfig(
  dir: string,
  demoSize: 'tiny' | 'small' | 'demo' = 'demo',
): Promise<WorkspaceConfig> {
  const existing = await readJsonFile(join(dir, WORKSPACE_FILE), WorkspaceConfig, 'workspace', {
    within: { root: dir },
  });
  if (existing) return existing;
  const config = demoWorkspaceConfig(dir, demoSize);
  await saveWorkspaceConfig(dir, config);
  return config;
}
