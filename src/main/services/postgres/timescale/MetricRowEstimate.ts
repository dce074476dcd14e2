/**
 * How many rows of dash.pipeline_metrics a selection holds on TimescaleDB,
 * without counting them: compressed batches say how many rows they hold (and
 * their time span), heaps are asked of the planner with each chunk's own
 * statistics. See MetricChunks for why the planner alone is far off on
 * compressed chunks.
 */
import type pg from 'pg';
import {
  batchRowsSql,
  heapConditions,
  heapSelect,
  metricChunks,
  plannedRows,
  sumRows,
  type MetricChunk,
  type MetricFilter,
  type TimeRange,
} from './MetricChunks';

export interface MetricRowEstimate {
  rows: number;
  chunks: { compressed: number; partial: number; uncompressed: number };
  /** What the chunks in the range take on the server (heaps and compressed batches). */
  serverBytes: number;
  /**
   * Filter columns that compressed batches are not segmented by, whose share of the
   * rows was taken from the uncompressed heaps' statistics instead ([] when none).
   */
  sharedColumns: string[];
}

const WITHOUT: Record<string, keyof MetricFilter> = {
  pipeline_id: 'pipelineIds',
  metric_name: 'metricNames',
  series_id: 'seriesIds',
};

/**
 * Rows of the union of `parts` (disjoint filters: asking per pipeline and metric
 * keeps the planner from treating long IN lists as independent) in `range`.
 */
export async function estimateMetricRows(
  client: pg.ClientBase | pg.Pool,
  parts: MetricFilter[],
  range: TimeRange,
): Promise<MetricRowEstimate> {
  const chunks = await metricChunks(client, range);
  const heaps = chunks.filter((c) => c.compression !== 'compressed');
  const batched = chunks.filter((c) => c.batches !== null);

  const heapRows = await plannedRows(
    client,
    heaps.flatMap((chunk) => parts.map((part) => heapSelect(chunk, heapConditions(part, range)))),
  );

  let batchRows = 0;
  const sharedColumns = new Set<string>();
  for (const part of parts) {
    const queries = batched.map((chunk) => batchRowsSql(chunk.batches!, part, range));
    const notApplied = [...new Set(queries.flatMap((q) => q.notApplied))];
    const rows = await sumRows(
      client,
      queries.map((q) => q.sql),
    );
    if (rows === 0) continue;
    if (notApplied.length === 0) {
      batchRows += rows;
      continue;
    }
    // Batches not segmented by some filter column: scale by that filter's share in the heaps.
    notApplied.forEach((c) => sharedColumns.add(c));
    batchRows += rows * (await heapShare(client, heaps, part, notApplied, range));
  }

  return {
    rows: Math.round(heapRows + batchRows),
    chunks: {
      compressed: chunks.filter((c) => c.compression === 'compressed').length,
      partial: chunks.filter((c) => c.compression === 'partial').length,
      uncompressed: chunks.filter((c) => c.compression === 'none').length,
    },
    serverBytes: chunks.reduce((sum, c) => sum + c.heapBytes + c.compressedBytes, 0),
    sharedColumns: [...sharedColumns].sort(),
  };
}

/**
 * The share of rows that `columns`' conditions of `part` keep, as the planner sees
 * it in the heaps of `inRange` — or, when those are empty, in the newest heaps of
 * the hypertable. 1 when no heap has rows to judge by.
 */
async function heapShare(
  client: pg.ClientBase | pg.Pool,
  inRange: MetricChunk[],
  part: MetricFilter,
  columns: string[],
  range: TimeRange,
): Promise<number> {
  const loosened: MetricFilter = { ...part };
  for (const column of columns) loosened[WITHOUT[column]!] = null;
  const share = async (heaps: MetricChunk[], within: TimeRange) => {
    const all = await plannedRows(
      client,
      heaps.map((c) => heapSelect(c, heapConditions(loosened, within))),
    );
    if (all <= 0) return null;
    const kept = await plannedRows(
      client,
      heaps.map((c) => heapSelect(c, heapConditions(part, within))),
    );
    return Math.min(1, kept / all);
  };
  // Only heaps whose statistics have seen rows: the planner never says fewer than 1 row, even of an empty heap.
  const judged = inRange.filter((c) => c.heapRowsEstimate > 0);
  const here = judged.length ? await share(judged, range) : null;
  if (here !== null) return here;
  const anywhere = (await metricChunks(client, { start: null, end: null }))
    .filter((c) => c.compression !== 'compressed' && c.heapRowsEstimate > 0)
    .slice(-4);
  return (anywhere.length ? await share(anywhere, { start: null, end: null }) : null) ?? 1;
}
