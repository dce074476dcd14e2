/**
 * Exports a query's full result with the native warehouse (`COPY (…) TO`), as a
 * job with progress and cancel. The file is written under a `.part` name and
 * renamed only when DuckDB has finished it, so a finished-looking file is
 * always complete.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExportFormat, ResultExportRequest, ResultExportStarted } from '../../../shared/api/export';
import { WorkbenchError, errorMessage } from '../../../shared/errors';
import { formatBytes } from '../../../shared/format';
import { quoteLiteral } from '../../../shared/sql';
import { singleStatement } from '../../../shared/sqlText';
import type { JobRunner } from '../jobs/JobRunner';
import type { Warehouse } from '../warehouse/Warehouse';

export const EXPORTS_DIR = 'exports';
const PART = '.part';

export function exportsDir(workspaceDir: string): string {
  return join(workspaceDir, EXPORTS_DIR);
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

export function copySql(sql: string, file: string, format: ExportFormat, timeZone: string): string {
  const options = format === 'csv' ? 'FORMAT csv, HEADER true' : 'FORMAT parquet, COMPRESSION zstd';
  // New lines around the query so a trailing `-- comment` cannot swallow the closing parenthesis.
  return `SET TimeZone = ${quoteLiteral(timeZone)};\nCOPY (\n${copyBody(sql)}\n) TO ${quoteLiteral(file)} (${options})`;
}

function defaultName(now = new Date()): string {
  return `result-${now.toISOString().slice(0, 19).replace(/[T:]/g, '-')}`;
}

/** `name.csv`, or `name (2).csv` when that is taken. */
export async function freeName(dir: string, base: string, ext: string): Promise<string> {
  for (let n = 1; ; n++) {
    const name = n === 1 ? `${base}.${ext}` : `${base} (${n}).${ext}`;
    const taken = await stat(join(dir, name)).then(
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
  const dir = exportsDir(ctx.workspaceDir);
  await mkdir(dir, { recursive: true });
  const ext = request.format;
  const fileName = await freeName(dir, request.fileName?.replace(/\.(csv|parquet)$/i, '') ?? defaultName(), ext);
  const path = join(dir, fileName);
  const partPath = `${path}${PART}`;
  const sql = copySql(request.sql, partPath, request.format, ctx.timeZone);
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
        job.progress(written, written, `${written.toLocaleString('en-US')} rows · ${formatBytes(size)} → ${path}`);
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
