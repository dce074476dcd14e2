/** Exporting a query's full result to a file in the workspace's `exports/` folder. */
import { z } from 'zod';
import type { GridViewSpec } from '../gridView';

export const ExportFormat = z.enum(['csv', 'parquet']);
export type ExportFormat = z.infer<typeof ExportFormat>;

/** A plain file name: no folders, no leading dot, nothing a shell or a path would read specially. */
export const ExportFileName = z
  .string()
  .min(1)
  .max(120)
  .regex(/^[A-Za-z0-9][A-Za-z0-9 _.()-]*$/, 'use letters, digits, spaces and _ . ( ) - only');

const ColumnName = z.string().min(1).max(1000);

/** The grid's view of the result (shared/gridView's GridViewSpec): names are checked against the query's columns. */
export const ExportView = z.object({
  sort: z.array(z.object({ column: ColumnName, desc: z.boolean() })).max(100),
  filters: z
    .array(
      z.object({
        column: ColumnName,
        kind: z.enum(['integer', 'float', 'timestamp', 'date', 'boolean', 'text', 'other']),
        op: z.enum(['contains', 'eq', 'lt', 'gt', 'is_null', 'not_null']),
        value: z.string().max(10_000),
      }),
    )
    .max(100),
  /** Visible columns in display order. */
  columns: z.array(ColumnName).min(1, 'no column is visible').max(10_000),
}) satisfies z.ZodType<GridViewSpec>;
export type ExportView = z.infer<typeof ExportView>;

export const ResultExportRequest = z.object({
  /** The tab's query: every row of it, not the page the grid shows. */
  sql: z.string().min(1, 'the query is empty').max(1_000_000),
  format: ExportFormat,
  /** What the grid shows (sort, filters, visible columns); the query's own result when absent. */
  view: ExportView.optional(),
  /** Without the extension; a name from the time is chosen when absent. */
  fileName: ExportFileName.optional(),
});
export type ResultExportRequest = z.infer<typeof ResultExportRequest>;

export const ResultExportStarted = z.object({
  jobId: z.string(),
  /** The file's name in `exports/` once the job succeeds (written under a `.part` name until then). */
  fileName: z.string(),
  /** The absolute path on the machine running the workbench. */
  path: z.string(),
});
export type ResultExportStarted = z.infer<typeof ResultExportStarted>;

/** Every kind of file an export writes (result exports and the inspector's), as the browser shell serves it. */
const EXPORT_CONTENT_TYPES = new Map([
  ['csv', 'text/csv; charset=utf-8'],
  ['jsonl', 'application/x-ndjson'],
  ['parquet', 'application/vnd.apache.parquet'],
]);

/**
 * The content type of a finished export, by its file name; null for anything
 * else: a folder, a `..`, a `.part` file still being written.
 */
export function exportContentType(name: string): string | null {
  const ext = /^[A-Za-z0-9][A-Za-z0-9 _.()-]*\.([a-z]+)$/.exec(name)?.[1];
  return (ext && EXPORT_CONTENT_TYPES.get(ext)) || null;
}
