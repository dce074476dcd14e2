/**
 * The local-folder driver of the Bronze lake: a folder laid out like the bucket,
 * `bronze/<pipeline_id>/date=<YYYY-MM-DD>/<batch_id>.parquet`.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { LakeListing, LakePipeline } from '../../../shared/api/contract';

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

async function listDir(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
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

  /** The files `bronzeGlob(pipelineId)` matches (any folder of the pipeline, then `*.parquet`), with their size and time. */
  async bronzeFiles(pipelineId: string): Promise<BronzeFile[]> {
    const files: BronzeFile[] = [];
    const pipelineDir = join(this.bronzeDir, pipelineId);
    for (const dir of (await listDir(pipelineDir)).sort()) {
      let names: string[];
      try {
        names = await readdir(join(pipelineDir, dir));
      } catch {
        continue; // gone since listed
      }
      for (const name of names.sort()) {
        if (!name.endsWith('.parquet') || name.startsWith('.')) continue;
        const path = join(pipelineDir, dir, name);
        const info = await stat(path).catch(() => null);
        if (!info?.isFile()) continue;
        files.push({ path, key: `bronze/${pipelineId}/${dir}/${name}`, size: info.size, mtimeMs: info.mtimeMs });
      }
    }
    return files;
  }

  async list(): Promise<LakeListing> {
    const pipelines: LakePipeline[] = [];
    for (const pipelineId of (await listDir(this.bronzeDir)).sort()) {
      const days: string[] = [];
      let files = 0;
      let bytes = 0;
      for (const dayDir of (await listDir(join(this.bronzeDir, pipelineId))).sort()) {
        const day = DAY_DIR.exec(dayDir)?.[1];
        if (!day) continue;
        const entries = await readdir(join(this.bronzeDir, pipelineId, dayDir));
        const parquet = entries.filter((name) => name.endsWith('.parquet'));
        if (parquet.length === 0) continue;
        days.push(day);
        files += parquet.length;
        for (const name of parquet) bytes += (await stat(join(this.bronzeDir, pipelineId, dayDir, name))).size;
      }
      if (files === 0) continue;
      pipelines.push({
        pipelineId,
        days: days.length,
        files,
        bytes,
        firstDay: days[0] ?? null,
        lastDay: days.at(-1) ?? null,
      });
    }
    return { pipelines };
  }
}
