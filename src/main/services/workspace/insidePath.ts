/**
 * Where a workspace file really is. A workspace (or a lake folder) may come
 * from someone else — a git checkout, a shared drive — so a file in it may be
 * a symbolic link, or sit in a linked folder, that leads to the user's own
 * files elsewhere. Every read and write of a file found by name checks here
 * first that its real path stays inside the folder it belongs to. A link that
 * stays inside is fine.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, readlink, realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { WorkbenchError } from '../../../shared/errors';

/** Links followed before giving up, as the OS does (ELOOP). */
const MAX_LINKS = 40;

/** Nothing is at that path (or a file stands where a folder of it should be). */
export function isAbsent(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/**
 * The real path of `path` with every link resolved, also for a path that does
 * not exist yet (its deepest existing folder resolved, the rest appended) and
 * for a dangling link (resolved to where it points, as a write would go).
 */
export async function realPathOf(path: string, links = 0): Promise<string> {
  const absolute = resolve(path);
  try {
    return await realpath(absolute);
  } catch (err) {
    if (!isAbsent(err)) throw err;
  }
  const parent = dirname(absolute);
  if (parent === absolute) return absolute;
  const realParent = await realPathOf(parent, links);
  const target = await readlink(absolute).catch(() => null);
  if (target === null) return join(realParent, basename(absolute));
  if (links >= MAX_LINKS) {
    throw Object.assign(new Error(`Too many symbolic links at ${path}`), { code: 'ELOOP', path });
  }
  return realPathOf(resolve(realParent, target), links + 1);
}

function isWithin(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!isAbsolute(rel) && rel !== '..' && !rel.startsWith(`..${sep}`));
}

/** The folder a file must stay inside once links are followed, and its name in messages (default "the workspace"). */
export interface Within {
  root: string;
  where?: string;
}

/**
 * The real path of `path`, which must stay inside `root` (e.g. the workspace
 * folder, or a folder lake's root) once links are followed; otherwise a
 * `forbidden` error that names the path. `where` names `root` in that message.
 */
export async function insidePath(root: string, path: string, where = 'the workspace'): Promise<string> {
  const [realRoot, real] = await Promise.all([realPathOf(root), realPathOf(path)]);
  if (isWithin(realRoot, real)) return real;
  throw leadsOutside(root, path, where);
}

function leadsOutside(root: string, path: string, where: string): WorkbenchError {
  return new WorkbenchError(
    'forbidden',
    `${path} leads outside ${where}: it is a symbolic link, or inside a linked folder, that points elsewhere`,
    `The workbench only reads and writes files inside ${where} (${root}). Replace the link with the file itself, or remove it.`,
  );
}

/**
 * insidePath for many files at once, each answered on its own (its real path,
 * or why not). Files share their folders: each folder is resolved once, and a
 * file that is not itself a link is that folder's real path and its name, so a
 * search over thousands of files in a few folders costs a link check per file,
 * not a walk of every path.
 */
export async function insidePaths(
  root: string,
  paths: readonly string[],
  where = 'the workspace',
): Promise<(string | Error)[]> {
  const realRoot = await realPathOf(root);
  const folders = new Map<string, Promise<string>>();
  const realFolder = (folder: string): Promise<string> => {
    let real = folders.get(folder);
    if (!real) folders.set(folder, (real = realPathOf(folder)));
    return real;
  };
  return Promise.all(
    paths.map(async (path) => {
      try {
        const absolute = resolve(path);
        const [folder, stats] = await Promise.all([realFolder(dirname(absolute)), lstat(absolute).catch(() => null)]);
        // A link, or nothing there yet: resolved in full, as insidePath does.
        const real = stats && !stats.isSymbolicLink() ? join(folder, basename(absolute)) : await realPathOf(absolute);
        return isWithin(realRoot, real) ? real : leadsOutside(root, path, where);
      } catch (err) {
        return err instanceof Error ? err : new Error(String(err));
      }
    }),
  );
}

/**
 * A fresh name beside `file` for a temp file (`<file>.<random><suffix>`), so a
 * link planted under a predictable name is never written through. Create it
 * with the 'wx' flag (O_CREAT|O_EXCL), which also refuses an existing link.
 */
export function tempPathBeside(file: string, suffix = '.tmp'): string {
  return `${file}.${randomBytes(6).toString('hex')}${suffix}`;
}

/**
 * Open flags that refuse to follow a link at the file itself (ELOOP), for a
 * file reopened under a fixed name such as a resumable download's part.
 * Windows has no O_NOFOLLOW (and links there need privileges to make).
 */
export const NO_FOLLOW: number = (constants as Partial<typeof constants>).O_NOFOLLOW ?? 0;

/** Whether `path` itself is a symbolic link (false when there is nothing there). */
export async function isLink(path: string): Promise<boolean> {
  return (await lstat(path).catch(() => null))?.isSymbolicLink() ?? false;
}
