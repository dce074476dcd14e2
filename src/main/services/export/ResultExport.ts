/**
 * Exports a query's result — every row, or the grid's view of it (sort,
 * filters, visible columns) — with the native warehouse (`COPY (…) TO`), as a
 * job with progress and cancel. The file is written under a `.part` name and
 * renamed only when DuckDB has finished it, so a finished-looking file is
 * always complete.
 */
import { randomUUID } from 'node:crypto';
import { lstat, mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import type { ExportFormat, ResultExportRequest, ResultExportStarted } from '../../../shared/api/export';
import { WorkbenchError, errorMessage } from '../../../shared/errors';
import { formatBytes } from '../../../shared/format';
import { FilterValueError, viewSql, viewSummary } from '../../../shared/gridView';
import { quoteLiteral } from '../../../shared/sql';
import { singleStatement } from '../../../shared/sqlText';
import type { JobRunner } from '../jobs/JobRunner';
import type { Warehouse } from '../warehouse/Warehouse';
import { insidePath, tempPathBeside } from '../workspace/insidePath';

export const EXPORTS_DIR = 'exports';
const PART = '.part';

export function exportsDir(workspaceDir: string): string {
  return join(workspaceDir, EXPORTS_DIR);
}

/**
 * The finished export `name` in `dir` (a workspace's exports folder, see
 * exportsDir) to serve: its size and bytes, of the same open file; null when
 * there is none. A link that leads outside the workspace is refused
 * (`forbidden`). `name` must already be a plain file name (exportContentType).
 */
export async function openExport(dir: string, name: string): Promise<{ size: number; body: Readable } | null> {
  const file = await insidePath(dirname(dir), join(dir, name));
  const handle = await open(file, 'r').catch(() => null);
  if (!handle) return null;
  const info = await handle.stat().catch(() => null);
  if (!info?.isFile()) {
    await handle.close();
    return null;
  }
  return { size: info.size, body: handle.createReadStream() };
}

/** A fresh `.part` name beside an export, so a link planted under a predictable name is never written through. */
export function exportPartPath(path: string): string {
  return tempPathBeside(path, PART);
}

/** The query as the body of `COPY (…)`: one statement, no trailing semicolon. */
export function copyBody(sql: string): string {
  const body = singleStatement(sql);
  if (body === null) throw new WorkbenchError('bad_request', 'There is no query to export', 'Run a query first.');
  if (body === 'many') {
    throw new WorkbenchError(
      'bad_request',
      'The export holds more than one statement',
      'Select the one query whose result you want (Ctrl/Cmd+Enter runs the selection), run it, then export.',
    );
  }
  return body;
}

/** The options of `COPY … TO` that write `format`. */
export function copyOptions(format: ExportFormat): string {
  return format === 'csv' ? 'FORMAT csv, HEADER true' : 'FORMAT parquet, COMPRESSION zstd';
}

/** `COPY` of `body` (one statement: a query, or the grid's view of one) to `file`, times in `timeZone`. */
export function copySql(body: string, file: string, format: ExportFormat, timeZone: string): string {
  // New lines around the query so a trailing `-- comment` cannot swallow the closing parenthesis.
  return `SET TimeZone = ${quoteLiteral(timeZone)};\nCOPY (\n${body}\n) TO ${quoteLiteral(file)} (${copyOptions(format)})`;
}

/** The query's columns, as the warehouse binds it (nothing runs). */
async function queryColumns(warehouse: Warehouse, body: string): Promise<{ name: string; type: string }[]> {
  const rows = await warehouse.rows(`DESCRIBE ${body}`, { oneStatement: true }).catch((err: unknown) => {
    throw new WorkbenchError(
      'query_failed',
      `Could not export the result: ${errorMessage(err)}`,
      'Export works on a single SELECT query; check that the query still runs.',
    );
  });
  return rows.map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
}

/**
 * The export's statement: the query itself, or with `view` the grid's view of
 * it (gridView's viewSql), every name in the view checked against the query's
 * columns first; and what the file holds, in words (see viewSummary).
 */
export async function exportBody(
  warehouse: Warehouse,
  request: Pick<ResultExportRequest, 'sql' | 'view'>,
  timeZone: string,
): Promise<{ body: string; summary: string }> {
  const query = copyBody(request.sql);
  const view = request.view;
  if (!view) return { body: query, summary: '' };
  const columns = await queryColumns(warehouse, query);
  const counts = new Map<string, number>();
  for (const c of columns) counts.set(c.name, (counts.get(c.name) ?? 0) + 1);
  const named = [...view.columns, ...view.sort.map((s) => s.column), ...view.filters.map((f) => f.column)];
  for (const name of new Set(named)) {
    const count = counts.get(name) ?? 0;
    if (count === 0)
      throw new WorkbenchError(
        'bad_request',
        `The result has no column “${name}”`,
        'Run the query again, then export: the grid shows an older result.',
      );
    if (count > 1)
      throw new WorkbenchError(
        'bad_request',
        `The result has ${count} columns named “${name}”`,
        'Give them distinct names with AS in the query, run it, then export.',
      );
  }
  const zoned = new Set(columns.filter((c) => /^TIMESTAMP(TZ| WITH TIME ZONE)$/i.test(c.type)).map((c) => c.name));
  try {
    return {
      body: viewSql(query, view, { timeZone, zoned }),
      summary: viewSummary(view, columns.length),
    };
  } catch (err) {
    if (err instanceof FilterValueError) throw new WorkbenchError('bad_request', err.message, 'Change the filter.');
    throw err;
  }
}

/**
 * Where a new export goes in the workspace's exports folder: the name asked for
 * (its extension dropped) or `<prefix>-<date>-<time>`, as `name.ext` or, when
 * that is taken, `name (2).ext`.
 */
export async function newExportFile(
  workspaceDir: string,
  fileName: string | undefined,
  prefix: string,
  ext: string,
): Promise<{ name: string; path: string }> {
  const dir = exportsDir(workspaceDir);
  // Exports are written through DuckDB, which follows links: the folder must stay in the workspace.
  await insidePath(workspaceDir, dir);
  await mkdir(dir, { recursive: true });
  const base =
    fileName?.replace(/\.(csv|jsonl|parquet)$/i, '') ??
    `${prefix}-${new Date().toISOString().slice(0, 19).replace(/[T:]/g, '-')}`;
  const name = await freeName(dir, base, ext);
  return { name, path: join(dir, name) };
}

async function freeName(dir: string, base: string, ext: string): Promise<string> {
  for (let n = 1; ; n++) {
    const name = n === 1 ? `${base}.${ext}` : `${base} (${n}).${ext}`;
    // lstat: a link, even a dangling one, takes its name.
    const taken = await lstat(join(dir, name)).then(
      () => true,
      () => false,
    );
    if (!taken) return name;
  }
}

export interface ExportContext {
  workspaceDir: string;
  timeZone: string;
  warehouse: Warehouse;
  jobs: JobRunner;
}

export async function startResultExport(
  ctx: ExportContext,
  request: ResultExportRequest,
): Promise<ResultExportStarted> {
  const { body, summary } = await exportBody(ctx.warehouse, request, ctx.timeZone);
  const { name: fileName, path } = await newExportFile(ctx.workspaceDir, request.fileName, 'result', request.format);
  const partPath = exportPartPath(path);
  const sql = copySql(body, partPath, request.format, ctx.timeZone);
  const queryId = `export-${randomUUID()}`;

  const job = ctx.jobs.start({
    kind: 'results.export',
    title: `Exporting ${fileName}`,
    unit: 'rows',
    run: async (job) => {
      const onAbort = () => ctx.warehouse.cancel(queryId);
      job.signal.addEventListener('abort', onAbort);
      try {
        const rows = await ctx.warehouse.run(queryId, sql, (p) => {
          if (p.totalRows > 0)
            job.progress(p.rowsProcessed, p.totalRows, `${p.rowsProcessed.toLocaleString('en-US')} rows read`);
        });
        job.throwIfCancelled();
        await rename(partPath, path);
        const written = Number(Object.values(rows[0] ?? {})[0] ?? 0);
        const size = (await stat(path)).size;
        const what = `${written.toLocaleString('en-US')} rows${summary ? ` (${summary})` : ''}`;
        job.progress(written, written, `${what} · ${formatBytes(size)} → ${path}`);
        return { path, rows: written };
      } catch (err) {
        await rm(partPath, { force: true });
        if (err instanceof WorkbenchError && err.code === 'cancelled') throw err;
        if (job.signal.aborted) throw new WorkbenchError('cancelled', `Exporting ${fileName} was cancelled`);
        throw new WorkbenchError(
          'query_failed',
          `Could not export the result: ${errorMessage(err)}`,
          'Export works on a single SELECT query; check that the query still runs.',
        );
      } finally {
        job.signal.removeEventListener('abort', onAbort);
      }
    },
  });
  return { jobId: job.jobId, fileName, path };
}
