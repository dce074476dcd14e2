/**
 * The app's small JSON files (workspace.json, connections.json, the secrets
 * file): read and checked against a schema with a message that says which file
 * and what is wrong, and written temp + rename so a crash never leaves half a file.
 */
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { z } from 'zod';
import { WorkbenchError } from '../../shared/errors';
import { insidePath, tempPathBeside, type Within } from './workspace/insidePath';

/** Where a schema issue is and what is wrong; a refused record key is quoted, as it may be any text. */
function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_key') {
    const where = issue.path.slice(0, -1).map(String).join('.');
    const key = JSON.stringify(String(issue.path[issue.path.length - 1]));
    return `${where ? `${where}: ` : ''}the key ${key} ${issue.issues[0]?.message ?? 'is not allowed'}`;
  }
  return `${issue.path.map(String).join('.')}: ${issue.message}`;
}

/**
 * The parsed file, or null when it does not exist. A file that is not valid
 * JSON or not what `schema` allows is refused with an error naming it; `hint`
 * says what to do (by default, fix or remove it). With `within`, a file whose
 * real path leaves that folder is refused. Messages name the file as `shownAs`
 * (e.g. relative to the workspace, as the user sees it).
 */
export async function readJsonFile<S extends z.ZodType>(
  file: string,
  schema: S,
  what: string,
  options: { within?: Within; hint?: string; shownAs?: string } = {},
): Promise<z.output<S> | null> {
  const hint = options.hint ?? 'Fix or remove the file.';
  const shownAs = options.shownAs ?? file;
  let text: string;
  try {
    const real = options.within ? await insidePath(options.within.root, file, options.within.where) : file;
    text = await readFile(real, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new WorkbenchError('bad_request', `${shownAs} is not valid JSON: ${(err as Error).message}.`, hint);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new WorkbenchError(
      'bad_request',
      `${shownAs} is not a valid ${what}: ${issue ? describeIssue(issue) : parsed.error.message}.`,
      hint,
    );
  }
  return parsed.data;
}

export async function writeJsonFile(
  file: string,
  data: unknown,
  options: { mode?: number; within?: Within } = {},
): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(data, null, 2)}\n`, { ...options, mkdir: true });
}

/**
 * Writes `text` to a fresh temp file beside `file`, then renames it over
 * `file`: readers see the old or the new, never half. The temp file is created
 * exclusively under a random name, so a link planted beside `file` is never
 * written through, and the rename replaces a link at `file` rather than
 * following it. With `within`, the folder must stay inside it (checked before
 * anything is created).
 */
export async function writeFileAtomic(
  file: string,
  text: string,
  options: { mode?: number; within?: Within; mkdir?: boolean } = {},
): Promise<void> {
  if (options.within) await insidePath(options.within.root, dirname(file), options.within.where);
  if (options.mkdir) await mkdir(dirname(file), { recursive: true });
  const tmp = tempPathBeside(file);
  try {
    await writeFile(tmp, text, { flag: 'wx', ...(options.mode === undefined ? {} : { mode: options.mode }) });
    if (options.mode !== undefined) await chmod(tmp, options.mode);
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
