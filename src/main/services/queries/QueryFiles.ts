/**
 * The SQL editor's plain files in the workspace: saved queries as
 * `queries/<name>.sql` (one per query, so a team can keep them in git) and the
 * run history as `history.jsonl` (one JSON object a line, capped).
 */
import { appendFile, mkdir, readFile, rename, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { HistoryEntry, QueryName, type SavedQueryInfo } from '../../../shared/api/queries';
import { WorkbenchError, errorMessage } from '../../../shared/errors';
import { writeFileAtomic } from '../jsonFile';
import { insidePath } from '../workspace/insidePath';
import { isMissing, NamedFiles } from '../workspace/NamedFiles';

export class SavedQueries {
  private readonly files: NamedFiles;

  constructor(workspaceDir: string) {
    this.files = new NamedFiles(
      workspaceDir,
      'queries',
      '.sql',
      QueryName,
      "a saved query's name",
      'Use a plain name such as "daily energy by series".',
    );
  }

  async list(): Promise<SavedQueryInfo[]> {
    return (await this.files.list()).map(({ name, bytes, modifiedAt }) => ({ name, bytes, modifiedAt }));
  }

  async read(name: string): Promise<{ name: string; sql: string }> {
    try {
      return { name, sql: await readFile(await this.files.readable(name), 'utf8') };
    } catch (err) {
      if (isMissing(err)) throw this.missing(name);
      throw err;
    }
  }

  async save(name: string, sql: string, createOnly: boolean): Promise<SavedQueryInfo> {
    const file = await this.files.writable(name);
    await mkdir(this.files.folder, { recursive: true });
    if (createOnly && (await exists(file))) {
      throw new WorkbenchError(
        'bad_request',
        `A saved query named "${name}" already exists`,
        'Pick another name, or open the existing one from Saved queries.',
      );
    }
    await writeFileAtomic(file, sql);
    return this.info(name, file);
  }

  delete(name: string): Promise<boolean> {
    return this.files.delete(name);
  }

  async rename(from: string, to: string): Promise<SavedQueryInfo> {
    const source = await this.files.writable(from);
    const target = await this.files.writable(to);
    // A link leading outside the workspace stays what it is: it can be deleted, not renamed.
    await this.files.readable(from);
    if (!(await exists(source))) throw this.missing(from);
    // A case-only rename is the same file on macOS and Windows: allow it.
    if (source.toLowerCase() !== target.toLowerCase() && (await exists(target))) {
      throw new WorkbenchError(
        'bad_request',
        `A saved query named "${to}" already exists`,
        'Pick another name, or delete the other query first.',
      );
    }
    await rename(source, target);
    return this.info(to, target);
  }

  private async info(name: string, file: string): Promise<SavedQueryInfo> {
    const s = await stat(file);
    return { name, bytes: s.size, modifiedAt: s.mtime.toISOString() };
  }

  private missing(name: string): WorkbenchError {
    return new WorkbenchError(
      'not_found',
      `There is no saved query named "${name}"`,
      'It may have been renamed or deleted outside the workbench: refresh Saved queries.',
    );
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch (err) {
    if (isMissing(err)) return false;
    throw err;
  }
}

/** The run history: appended on every run, trimmed to the newest `cap` entries. */
export class QueryHistory {
  readonly file: string;
  private readonly workspaceDir: string;
  private readonly cap: number;
  /** Lines in the file, once known; trimming waits for some slack so it is rare. */
  private lines: number | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(workspaceDir: string, options: { cap?: number } = {}) {
    this.workspaceDir = workspaceDir;
    this.file = join(workspaceDir, 'history.jsonl');
    this.cap = options.cap ?? 1000;
  }

  add(entry: HistoryEntry): Promise<void> {
    return this.serial(async () => {
      await mkdir(dirname(this.file), { recursive: true });
      // Appending follows a link: refuse one that leads outside the workspace.
      await appendFile(
        await insidePath(this.workspaceDir, this.file),
        `${JSON.stringify(HistoryEntry.parse(entry))}\n`,
        'utf8',
      );
      this.lines = this.lines === null ? (await this.readAll()).length : this.lines + 1;
      if (this.lines > this.cap + Math.max(10, Math.floor(this.cap / 10))) {
        const keep = (await this.readAll()).slice(-this.cap);
        await writeFileAtomic(this.file, keep.map((e) => `${JSON.stringify(e)}\n`).join(''), {
          within: { root: this.workspaceDir },
        });
        this.lines = keep.length;
      }
    });
  }

  /** Newest first. */
  list(limit: number): Promise<HistoryEntry[]> {
    return this.serial(async () => (await this.readAll()).slice(-limit).reverse());
  }

  private async readAll(): Promise<HistoryEntry[]> {
    let text: string;
    try {
      text = await readFile(await insidePath(this.workspaceDir, this.file), 'utf8');
    } catch (err) {
      if (isMissing(err)) return [];
      throw err;
    }
    const entries: HistoryEntry[] = [];
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      // A line cut short by a crash, or edited by hand, costs that entry only.
      try {
        const parsed = HistoryEntry.safeParse(JSON.parse(line));
        if (parsed.success) entries.push(parsed.data);
      } catch {
        continue;
      }
    }
    return entries;
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

/** Runs a query and records the run in the history, whatever its outcome; the history never fails a query. */
export async function recordRun<T extends { rowCount: number }>(
  history: QueryHistory,
  sql: string,
  run: () => Promise<T>,
): Promise<T> {
  const startedAt = new Date();
  const started = performance.now();
  const record = (status: HistoryEntry['status'], rowCount: number | null, error: string | null) =>
    history
      .add({
        sql,
        startedAt: startedAt.toISOString(),
        elapsedMs: performance.now() - started,
        rowCount,
        status,
        error,
      })
      .catch(() => undefined);
  try {
    const result = await run();
    await record('ok', result.rowCount, null);
    return result;
  } catch (err) {
    const cancelled = err instanceof WorkbenchError && err.code === 'cancelled';
    await record(cancelled ? 'cancelled' : 'error', null, errorMessage(err).split('\n')[0]!.slice(0, 500));
    throw err;
  }
}
