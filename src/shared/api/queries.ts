/**
 * The SQL editor's files as the API carries them: saved queries (one plain
 * `queries/<name>.sql` per query, so they can live in git), the run history,
 * and the warehouse's functions for completion.
 */
import { z } from 'zod';
import { hasControlChar } from './names';

/**
 * A saved query's name is its file name without `.sql`: it must stay a plain
 * file inside `queries/`, on every OS, so separators, `..`, leading dots and
 * characters Windows refuses are out.
 */
export const QueryName = z
  .string()
  .trim()
  .min(1, 'the name is empty')
  .max(120, 'the name is longer than 120 characters')
  .refine((name) => !/[/\\<>:"|?*]/.test(name) && !hasControlChar(name), {
    message: 'a name cannot contain / \\ < > : " | ? * or control characters',
  })
  .refine((name) => !name.startsWith('.') && !name.endsWith('.') && !name.endsWith(' '), {
    message: 'a name cannot start or end with a dot, or end with a space',
  });

export const SavedQueryInfo = z.object({
  name: QueryName,
  bytes: z.number().int().nonnegative(),
  modifiedAt: z.string(),
});
export type SavedQueryInfo = z.infer<typeof SavedQueryInfo>;

export const SaveQueryRequest = z.object({
  name: QueryName,
  sql: z.string().max(1_000_000),
  /** True for a first save under a new name: refuse to overwrite another query's file. */
  createOnly: z.boolean().default(false),
});

export const RenameQueryRequest = z.object({ from: QueryName, to: QueryName });

export const HistoryStatus = z.enum(['ok', 'error', 'cancelled']);
export type HistoryStatus = z.infer<typeof HistoryStatus>;

/** One run of a query, as kept in the workspace's `history.jsonl`. */
export const HistoryEntry = z.object({
  sql: z.string(),
  startedAt: z.string(),
  elapsedMs: z.number().nonnegative(),
  rowCount: z.number().int().nonnegative().nullable(),
  status: HistoryStatus,
  /** The first line of the error, for a failed run. */
  error: z.string().nullable(),
});
export type HistoryEntry = z.infer<typeof HistoryEntry>;

/** A warehouse function (overloads folded) for completion: how to call it and what it does. */
export const WarehouseFunction = z.object({
  name: z.string(),
  kind: z.enum(['scalar', 'aggregate', 'table', 'macro', 'pragma']),
  /** Up to a few signatures, e.g. `date_trunc(part VARCHAR, timestamp TIMESTAMP) → TIMESTAMP`. */
  signatures: z.array(z.string()),
  description: z.string().nullable(),
});
export type WarehouseFunction = z.infer<typeof WarehouseFunction>;

export const queryApi = {
  'queries.list': { input: z.object({}).strict(), output: z.object({ queries: z.array(SavedQueryInfo) }) },
  'queries.read': { input: z.object({ name: QueryName }), output: z.object({ name: QueryName, sql: z.string() }) },
  'queries.save': { input: SaveQueryRequest, output: SavedQueryInfo },
  'queries.delete': { input: z.object({ name: QueryName }), output: z.object({ deleted: z.boolean() }) },
  'queries.rename': { input: RenameQueryRequest, output: SavedQueryInfo },
  'history.list': {
    input: z.object({ limit: z.number().int().min(1).max(1000).default(200) }),
    output: z.object({ entries: z.array(HistoryEntry) }),
  },
  'catalog.functions': {
    input: z.object({}).strict(),
    output: z.object({ functions: z.array(WarehouseFunction) }),
  },
} as const;
