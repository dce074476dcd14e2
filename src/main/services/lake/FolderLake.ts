/**
 * The local-folder driver of the Bronze lake: a folder laid out like the bucket,
 * `bronze/<pipeline_id>/date=<YYYY-MM-DD>/<batch_id>.parquet`. A file that a
 * symbolic link leads out of the lake's folder is not part of the lake: it is
 * neither counted nor read (see bronzeSources).
 */
import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { LakeListing, LakePipeline } from '../../../shared/api/contract';
import { insidePath, isAbsent } from '../workspace/insidePath';

/** One Parquet file a `bronze.<pipeline>` view reads, as the listing saw it. */
export interface BronzeFile {
  /** Absolute path. */
  path: string;
  /** Relative to the lake, `/`-separated, as the lake browser names it. */
  key: string;
  size: number;
  mtimeMs: number;
}

const DAY_DIR = /^date=(\d{4}-\d{2}-\d{2})$/;

async function entries(dir: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if (isAbsent(err)) return [];
    throw err;
  }
}

/**
 * One pipeline's Bronze files as the glob `<pipeline>/*\/*.parquet` finds
 * them, which is what its `bronze.<pipeline>` view reads.
 */
export interface BronzeSource {
  pipelineId: string;
  /** The pipeline's folder: a file DuckDB names from below it belongs to this view. */
  dir: string;
  /**
   * The glob over the pipeline's files; null when a link leads one of them out
   * of the lake (DuckDB's glob would follow it), so the view must list `files`.
   */
  glob: string | null;
  /** The files that stay inside the lake, for the warehouse to check before it reads them. */
  files: BronzeFile[];
}

/** A scanned pipeline: its files inside the lake with the `date=` day of their folder (null for other folders). */
interface PipelineFiles {
  pipelineId: string;
  inside: (BronzeFile & { day: string | null })[];
  /** Files a link leads out of the lake. */
  outside: string[];
}

/** A pipeline as the lake listing shows it: its `date=` folders' files; null when it has none. */
function summarise({ pipelineId, inside }: PipelineFiles): LakePipeline | null {
  const files = inside.filter((f) => f.day !== null);
  if (files.length === 0) return null;
  const days = [...new Set(files.map((f) => f.day!))].sort();
  return {
    pipelineId,
    days: days.length,
    files: files.length,
    bytes: files.reduce((sum, f) => sum + f.size, 0),
    firstDay: days[0] ?? null,
    lastDay: days.at(-1) ?? null,
  };
}

export class FolderLake {
  constructor(readonly root: string) {}

  get bronzeDir(): string {
    return join(this.root, 'bronze');
  }

  /** The glob DuckDB reads for one pipeline's Bronze files. */
  bronzeGlob(pipelineId: string): string {
    return join(this.bronzeDir, pipelineId, '*', '*.parquet');
  }

  async list(): Promise<LakeListing> {
    return { pipelines: (await this.scan()).map(summarise).filter((p) => p !== null) };
  }

  /**
   * Per listed pipeline, what the warehouse's view reads. DuckDB's glob
   * follows links, so a pipeline where one leads out of the lake gets no glob:
   * the view lists its other files instead (a file added later then needs a remount).
   */
  async bronzeSources(): Promise<BronzeSource[]> {
    return (await this.scan())
      .filter((p) => summarise(p) !== null)
      .map(({ pipelineId, inside, outside }) => ({
        pipelineId,
        dir: join(this.bronzeDir, pipelineId),
        glob: outside.length === 0 ? this.bronzeGlob(pipelineId) : null,
        files: inside.map(({ day: _day, ...file }) => file),
      }));
  }

  private async scan(): Promise<PipelineFiles[]> {
    // A linked bronze/ folder leading out of the lake is refused outright.
    await insidePath(this.root, this.bronzeDir, 'the lake folder');
    const found: PipelineFiles[] = [];
    const pipelineDirs = (await entries(this.bronzeDir)).filter((d) => d.isDirectory());
    for (const pipelineId of pipelineDirs.map((d) => d.name).sort()) {
      const pipeline: PipelineFiles = { pipelineId, inside: [], outside: [] };
      const pipelineDir = join(this.bronzeDir, pipelineId);
      const dayDirs = (await entries(pipelineDir)).filter((d) => d.isDirectory() || d.isSymbolicLink());
      for (const dayDir of dayDirs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
        const day = DAY_DIR.exec(dayDir.name)?.[1] ?? null;
        for (const file of await entries(join(pipelineDir, dayDir.name))) {
          if (!file.name.endsWith('.parquet')) continue;
          const path = join(pipelineDir, dayDir.name, file.name);
          if (dayDir.isSymbolicLink() || file.isSymbolicLink()) {
            const inside = await insidePath(this.root, path, 'the lake folder').then(
              () => true,
              () => false,
            );
            if (!inside) {
              pipeline.outside.push(path);
              continue;
            }
          }
          const info = await stat(path).catch(() => null);
          if (info?.isFile()) {
            const key = `bronze/${pipelineId}/${dayDir.name}/${file.name}`;
            pipeline.inside.push({ path, key, day, size: info.size, mtimeMs: info.mtimeMs });
          }
        }
      }
      found.push(pipeline);
    }
    return found;
  }
}
