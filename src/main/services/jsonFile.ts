/**
 * The app's small JSON files (workspace.json, connections.json, the secrets
 * file): read and checked against a schema with a message that says which file
 * and what is wrong, and written temp + rename so a crash never leaves half a file.
 */
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { z } from 'zod';
import { WorkbenchError } from '../../shared/errors';

/** The parsed file, or null when it does not exist; messages name it as `shownAs` (e.g. relative to the workspace). */
export async function readJsonFile<S extends z.ZodType>(
  file: string,
  schema: S,
  what: string,
  shownAs: string = file,
): Promise<z.output<S> | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new WorkbenchError(
      'bad_request',
      `${shownAs} is not valid JSON: ${(err as Error).message}.`,
      'Fix or remove the file.',
    );
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new WorkbenchError(
      'bad_request',
      `${shownAs} is not a valid ${what}: ${issue ? `${issue.path.join('.')}: ${issue.message}` : parsed.error.message}.`,
      'Fix or remove the file.',
    );
  }
  return parsed.data;
}

export async function writeJsonFile(file: string, data: unknown, options: { mode?: number } = {}): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFileAtomic(file, `${JSON.stringify(data, null, 2)}\n`, options);
}

/** Writes `text` to a temp file beside `file`, then renames it over `file`: readers see the old or the new, never half. */
export async function writeFileAtomic(file: string, text: string, options: { mode?: number } = {}): Promise<void> {
  const tmp = `${file}.tmp`;
  await writeFile(tmp, text, options.mode === undefined ? {} : { mode: options.mode });
  if (options.mode !== undefined) await chmod(tmp, options.mode);
  await rename(tmp, file);
}
