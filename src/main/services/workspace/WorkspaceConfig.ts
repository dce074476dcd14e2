/**
 * workspace.json: the plain-file description of a workspace. It never holds
 * secrets (passwords live in the OS keychain via the secrets service).
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { WorkbenchError } from '../../../shared/errors';

export const WorkspaceConfig = z.object({
  version: z.literal(1),
  name: z.string().min(1),
  /** The built-in demo: generated lake and an embedded PostgreSQL seeded from it. */
  demo: z.object({ seed: z.number().int(), size: z.enum(['tiny', 'small', 'demo']) }).nullable(),
  timeZone: z.string().default('UTC'),
  lake: z.discriminatedUnion('driver', [
    z.object({ driver: z.literal('folder'), path: z.string() }),
    z.object({
      driver: z.literal('s3'),
      endpoint: z.string().url(),
      bucket: z.string(),
      region: z.string().default('auto'),
      prefix: z.string().default('bronze/'),
    }),
  ]),
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
    postgres: { kind: 'embedded', dataDir: 'postgres', database: 'dash' },
    cacheDir: 'cache',
  };
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
    await mkdir(dir, { recursive: true });
    // Write then rename: a crash never leaves a half-written workspace.json.
    await writeFile(`${file}.tmp`, `${JSON.stringify(config, null, 2)}\n`);
    await rename(`${file}.tmp`, file);
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
