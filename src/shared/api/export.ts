/** Exporting a query's full result to a file in the workspace's `exports/` folder. */
import { z } from 'zod';

export const ExportFormat = z.enum(['csv', 'parquet']);
export type ExportFormat = z.infer<typeof ExportFormat>;

/** A plain file name: no folders, no leading dot, nothing a shell or a path would read specially. */
export const ExportFileName = z
  .string()
  .min(1)
  .max(120)
  .regex(/^[A-Za-z0-9][A-Za-z0-9 _.()-]*$/, 'use letters, digits, spaces and _ . ( ) - only');

export const ResultExportRequest = z.object({
  /** The tab's query: exported in full, not the page the grid shows. */
  sql: z.string().min(1, 'the query is empty').max(1_000_000),
  format: ExportFormat,
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
