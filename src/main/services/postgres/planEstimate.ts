/**
 * How many rows a statement would read on the server, from the planner's
 * estimate (EXPLAIN, nothing runs): what a live query or chart checks before
 * heavy work. Each scan counts the rows it yields, except a sequential scan,
 * which reads its whole table whatever its filter, so it counts the table's
 * row estimate (pg_class.reltuples; on a hypertable, each chunk's). Under a
 * LIMIT a streaming plan stops early, so its scans count the share the limit
 * lets through, unless a sort, hash or whole-input aggregate between them reads
 * everything first. Under a Gather the plan gives rows per process, so they
 * are scaled back up to all the processes (parallelDivisor; under a parallel
 * Append, to the Append's total). Rows under a nested loop's inner side are
 * counted once, as the plan gives them: an estimate to warn on, not a bill.
 */
import type pg from 'pg';
import { quoteIdent } from '../../../shared/sql';

/** What is sent before the statement (an error's position in it is shifted by this). */
export const EXPLAIN_PREFIX = 'EXPLAIN (FORMAT JSON, VERBOSE) ';

/** Scans that read a relation's rows; a decompressing scan counts its rows and not the batches under it. */
const SCANS = new Set([
  'Seq Scan',
  'Index Scan',
  'Index Only Scan',
  'Bitmap Heap Scan',
  'Tid Scan',
  'Tid Range Scan',
  'Sample Scan',
  'Foreign Scan',
]);
const DECOMPRESSING = /DecompressChunk|ColumnarScan/;

export interface RowsRead {
  rows: number;
  /** Relations read from end to end (a sequential scan no LIMIT cuts short), as schema-qualified names. */
  fullScans: string[];
}

interface Walked {
  planned: number;
  /** `share`: the part of the scan a LIMIT above it lets run (1: all of it). */
  fullScans: { name: string; planned: number; share: number }[];
}

/** Nodes that read all their input before giving a row, whatever a LIMIT above them asks for. */
function readsAllInput(type: string, strategy: string): boolean {
  if (type === 'Sort' || type === 'Hash' || type === 'Materialize') return true;
  if (type === 'Aggregate' || type === 'SetOp') return strategy !== 'Sorted' && strategy !== 'Streaming';
  return false;
}

function finite(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : 0;
}

function planRows(node: unknown): number {
  return typeof node === 'object' && node !== null ? finite((node as Record<string, unknown>)['Plan Rows']) : 0;
}

/**
 * What the planner divided a parallel node's rows by, so EXPLAIN shows them
 * per process (get_parallel_divisor in costsize.c): the planned workers plus
 * the leader's part, 1 − 0.3 per worker while above 0 (with
 * parallel_leader_participation on, the default). On PostgreSQL 17 and 18 a
 * parallel index scan's rows times this are the whole scan's again (1 worker
 * ×1.7, 2 ×2.4, 4 ×4). Not "Workers Planned" + 1: the leader is not a whole
 * worker. Not the Gather's rows over its child's: over a partial aggregate
 * (one row a process) that says 1 to 4 whatever was scanned. A Single Copy
 * Gather runs its plan in one process.
 */
function parallelDivisor(gather: Record<string, unknown>): number {
  if (gather['Single Copy'] === true) return 1;
  const workers = finite(gather['Workers Planned']);
  return workers + Math.max(0, 1 - 0.3 * workers);
}

/**
 * Sums the scans of one plan as EXPLAIN (FORMAT JSON, VERBOSE) gives it. The
 * server's JSON is checked field by field: anything else in it is ignored.
 */
export function walkPlan(plan: unknown): Walked {
  const walked: Walked = { planned: 0, fullScans: [] };
  // `processes`: how many processes share the node (under a Gather), its Plan Rows being each one's.
  const visit = (node: unknown, depth: number, share: number, processes: number) => {
    if (depth > 200 || typeof node !== 'object' || node === null) return;
    const n = node as Record<string, unknown>;
    const type = typeof n['Node Type'] === 'string' ? n['Node Type'] : '';
    const custom = typeof n['Custom Plan Provider'] === 'string' ? n['Custom Plan Provider'] : '';
    const strategy = typeof n.Strategy === 'string' ? n.Strategy : '';
    const rows = finite(n['Plan Rows']) * processes;
    if (type === 'Custom Scan' && DECOMPRESSING.test(custom)) {
      walked.planned += rows * share;
      return;
    }
    if (type === 'Seq Scan' && typeof n['Relation Name'] === 'string') {
      const schema = typeof n.Schema === 'string' ? n.Schema : null;
      const name =
        schema === null ? quoteIdent(n['Relation Name']) : `${quoteIdent(schema)}.${quoteIdent(n['Relation Name'])}`;
      walked.fullScans.push({ name, planned: rows, share });
    } else if (SCANS.has(type)) {
      walked.planned += rows * share;
    }
    if (!Array.isArray(n.Plans)) return;
    let childShare = readsAllInput(type, strategy) ? 1 : share;
    if (type === 'Limit') {
      const inputRows = planRows(n.Plans[0]) * processes;
      if (inputRows > 0) childShare = share * Math.min(1, rows / inputRows);
    }
    let childProcesses = processes;
    if (type === 'Gather' || type === 'Gather Merge') childProcesses = parallelDivisor(n);
    else if (n['Parallel Aware'] === true && (type === 'Append' || custom === 'ChunkAppend')) {
      // Each part's rows are per process of its own divisor, which EXPLAIN does not show (a small
      // chunk gets fewer workers); the Append's rows are the parts' total per process of the Gather:
      // that total is shared out over the parts in proportion to their rows.
      const partRows = n.Plans.reduce((sum: number, part: unknown) => sum + planRows(part), 0);
      if (partRows > 0) childProcesses = rows / partRows;
    }
    for (const child of n.Plans) visit(child, depth + 1, childShare, childProcesses);
  };
  visit(plan, 0, 1, 1);
  return walked;
}

/**
 * The rows `sql` would read, planned on `client` (inside the caller's
 * read-only transaction, with its timeout). The statement is planned, never
 * run; one that does not plan (a syntax error) throws as running it would.
 */
export async function estimateRowsRead(client: pg.ClientBase, sql: string): Promise<RowsRead> {
  const { rows } = await client.query<{ 'QUERY PLAN': unknown }>({
    text: `${EXPLAIN_PREFIX}${sql}`,
    queryMode: 'extended',
  } as pg.QueryConfig);
  const document = rows[0]?.['QUERY PLAN'];
  const top = Array.isArray(document) ? (document[0] as Record<string, unknown> | undefined) : undefined;
  const walked = walkPlan(top?.Plan);
  let rowsRead = walked.planned;
  if (walked.fullScans.length) {
    // A table never analysed has reltuples -1 (or 0): the plan's own figure stands for it.
    const names = walked.fullScans.map((s) => s.name);
    const { rows: sizes } = await client.query<{ name: string; tuples: number | null }>(
      'SELECT n AS name, (SELECT c.reltuples FROM pg_class c WHERE c.oid = to_regclass(n)) AS tuples FROM unnest($1::text[]) AS n',
      [names],
    );
    const tuples = new Map(sizes.map((r) => [r.name, Number(r.tuples ?? 0)]));
    for (const scan of walked.fullScans) rowsRead += Math.max(scan.planned, tuples.get(scan.name) ?? 0) * scan.share;
  }
  const whole = walked.fullScans.filter((s) => s.share === 1).map((s) => s.name);
  return { rows: Math.round(rowsRead), fullScans: [...new Set(whole)] };
}
