/**
 * workspace.json: the plain-file description of a workspace. It never holds
 * secrets (passwords live in the OS keychain via the secrets service).
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { WorkbenchError } from '../../../shared/errors';
import { LakeSetting } from '../../../shared/api/lake';

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
      kind: z.literal('server'),
      host: z.string(),
      port: z.number().int(),
      database: z.string(),
      user: z.string(),
      statementTimeoutMs: z.number().int().positive().default(60_000),
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
  const file = join(dir, WORKSPACE_FILE);
  await mkdir(dir, { recursive: true });
  await writeFile(`${file}.tmp`, `${JSON.stringify(config, null, 2)}\n`);
  await rename(`${file}.tmp`, file);
}

/** Reads workspace.json, creating the demo workspace when the folder has none. */
export async function loadOrCreateWorkspaceConfig(
  dir: string,
  demoSize: 'tiny' | 'small' | 'demo' = 'demo',
): Promise<WorkspaceConfig> {
  const file = join(dir, WORKSPACE_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    const config = demoWorkspaceConfig(dir, demoSize);
    await saveWorkspaceConfig(dir, config);
    return config;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new WorkbenchError(
      'bad_request',
      `${file} is not valid JSON: ${(err as Error).message}`,
      'Fix or remove the file.',
    );
  }
  const parsed = WorkspaceConfig.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new WorkbenchError(
      'bad_request',
      `${file} is not a valid workspace: ${issue ? `${issue.path.join('.')}: ${issue.message}` : parsed.error.message}`,
      'Fix the file, or open an empty folder to get a fresh demo workspace.',
    );
  }
  return parsed.data;
}
