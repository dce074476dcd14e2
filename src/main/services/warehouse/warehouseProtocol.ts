/**
 * Messages between the Warehouse (main thread) and its worker thread. Both sides
 * validate what they receive: a thread boundary is a process boundary too.
 */
import { z } from 'zod';
import { ColumnInfo } from '../../../shared/api/contract';

const JsonRow = z.record(z.string(), z.unknown());

export const WarehouseRequest = z.discriminatedUnion('op', [
  z.object({
    op: z.literal('open'),
    reqId: z.number().int(),
    dbPath: z.string(),
    /** DuckDB settings applied at creation, e.g. threads or memory_limit. */
    settings: z.record(z.string(), z.string()),
  }),
  z.object({ op: z.literal('exec'), reqId: z.number().int(), sql: z.string() }),
  /** `oneStatement`: refuse SQL that holds more than one statement (SQL we built, which must be exactly one). */
  z.object({ op: z.literal('rows'), reqId: z.number().int(), sql: z.string(), oneStatement: z.boolean().optional() }),
  z.object({
    op: z.literal('query'),
    reqId: z.number().int(),
    queryId: z.string(),
    sql: z.string(),
    rowsPerChunk: z.number().int().positive(),
    /** The first chunk's rows, when not rowsPerChunk: a streamed result's first rows come sooner. */
    firstChunkRows: z.number().int().positive().optional(),
    /** Refuse SQL holding more than one statement (SQL built from data). */
    oneStatement: z.boolean().optional(),
    /**
     * Streams with flow control: the worker runs at most this many chunks ahead
     * of those the caller says were taken (`taken`), then waits. Absent: no limit.
     */
    window: z.number().int().positive().optional(),
  }),
  /** How many chunks of a streamed query the caller has taken so far: lets the worker run on. */
  z.object({ op: z.literal('taken'), queryId: z.string(), chunks: z.number().int().nonnegative() }),
  /** A statement that returns little (e.g. COPY … TO), cancellable by queryId, with progress replies when `progress` is true (a caller listens). */
  z.object({
    op: z.literal('run'),
    reqId: z.number().int(),
    queryId: z.string(),
    sql: z.string(),
    oneStatement: z.boolean().optional(),
    progress: z.boolean().optional(),
  }),
  z.object({ op: z.literal('cancel'), queryId: z.string() }),
  z.object({ op: z.literal('close'), reqId: z.number().int() }),
]);
export type WarehouseRequest = z.infer<typeof WarehouseRequest>;

const ResultColumns = z.array(ColumnInfo);

export const QueryDone = z.object({
  columns: ResultColumns,
  rowCount: z.number().int().nonnegative(),
  chunkCount: z.number().int().nonnegative(),
});
export type QueryDone = z.infer<typeof QueryDone>;

export const WarehouseReply = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('chunk'),
    reqId: z.number().int(),
    bytes: z.custom<Uint8Array>((value) => value instanceof Uint8Array, 'expected bytes'),
    rows: z.number().int().nonnegative(),
    /** With the first chunk: the result's columns, so a streamed result can be shown before it ends. */
    columns: ResultColumns.optional(),
    /** The query has ended: no chunk follows this one, its `done` comes next. */
    last: z.boolean().optional(),
  }),
  z.object({
    kind: z.literal('progress'),
    reqId: z.number().int(),
    /** DuckDB's own estimate, 0–100, or -1 when it has none. */
    percentage: z.number(),
    rowsProcessed: z.number().nonnegative(),
    totalRows: z.number().nonnegative(),
  }),
  z.object({
    kind: z.literal('done'),
    reqId: z.number().int(),
    query: QueryDone.optional(),
    rows: z.array(JsonRow).optional(),
  }),
  z.object({
    kind: z.literal('error'),
    reqId: z.number().int(),
    code: z.enum(['query_failed', 'cancelled', 'bad_request', 'internal']),
    message: z.string(),
    /** The statement (0-based) that failed: the ones before it ran. */
    statement: z.number().int().nonnegative().optional(),
  }),
]);
export type WarehouseReply = z.infer<typeof WarehouseReply>;
