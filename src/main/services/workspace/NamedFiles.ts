/**
 * A folder of plain files in the workspace named by the user (saved queries,
 * saved charts, pipeline drafts): `<folder>/<name><suffix>`. One place decides
 * which names are allowed and that a file never lands outside its folder, nor
 * (through a symbolic link) outside the workspace.
 */
import { readdir, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { z } from 'zod';
import { WorkbenchError } from '../../../shared/errors';
import { insidePath, type Within } from './insidePath';

export interface NamedFile {
  name: string;
  file: string;
  bytes: number;
  modifiedAt: string;
}

export function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException).code === 'ENOENT';
}

export class NamedFiles {
  readonly folder: string;
  /** What every file here must stay inside once links are followed. */
  readonly within: Within;

  constructor(
    private readonly workspaceDir: string,
    folderName: string,
    private readonly suffix: string,
    private readonly nameSchema: z.ZodType<string>,
    /** In messages: `cannot be ${what}`, e.g. "a saved query's name". */
    private readonly what: string,
    private readonly hint: string,
  ) {
    this.folder = resolve(workspaceDir, folderName);
    this.within = { root: workspaceDir };
  }

  /** The file of `name`; refuses a name the schema rejects or that would leave the folder. */
  fileOf(name: string): string {
    const parsed = this.nameSchema.safeParse(name);
    const file = parsed.success ? resolve(this.folder, `${parsed.data}${this.suffix}`) : '';
    if (!parsed.success || dirname(file) !== this.folder || basename(file) !== `${parsed.data}${this.suffix}`) {
      const why = parsed.success
        ? `it would leave the ${basename(this.folder)} folder`
        : (parsed.error.issues[0]?.message ?? 'invalid');
      throw new WorkbenchError('bad_request', `"${name.slice(0, 128)}" cannot be ${this.what}: ${why}`, this.hint);
    }
    return file;
  }

  /** The real path of `name`'s file to read; refuses one that a link leads outside the workspace. */
  readable(name: string): Promise<string> {
    return insidePath(this.workspaceDir, this.fileOf(name));
  }

  /**
   * The file of `name` to write, rename or remove: the folder must stay inside
   * the workspace (a link at the file itself is replaced or removed, never followed).
   */
  async writable(name: string): Promise<string> {
    const file = this.fileOf(name);
    await insidePath(this.workspaceDir, this.folder);
    return file;
  }

  /**
   * The files there now, by name; a file dropped in by hand with a name we
   * would refuse, or a link leading outside the workspace, is left alone.
   */
  async list(): Promise<NamedFile[]> {
    let entries: string[];
    try {
      entries = await readdir(await insidePath(this.workspaceDir, this.folder));
    } catch (err) {
      if (isMissing(err)) return [];
      throw err;
    }
    const files: NamedFile[] = [];
    for (const entry of entries) {
      if (!entry.endsWith(this.suffix)) continue;
      const name = entry.slice(0, -this.suffix.length);
      if (!this.nameSchema.safeParse(name).success) continue;
      const file = join(this.folder, entry);
      const real = await insidePath(this.workspaceDir, file).catch(() => null);
      const s = real === null ? null : await stat(real).catch(() => null);
      if (s?.isFile()) files.push({ name, file, bytes: s.size, modifiedAt: s.mtime.toISOString() });
    }
    return files.sort((a, b) => a.name.localeCompare(b.name, undefined, { sensitivity: 'base' }));
  }

  /** Removes `name`'s file; false when there was none. */
  async delete(name: string): Promise<boolean> {
    try {
      await rm(await this.writable(name));
      return true;
    } catch (err) {
      if (isMissing(err)) return false;
      throw err;
    }
  }
}
