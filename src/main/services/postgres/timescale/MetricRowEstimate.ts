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
 * Rows of `filter` in `range`. Batch rows are filtered by it directly (their
 * segment-by columns are plain values, so long IN lists are exact there); the
 * planner is asked per `plannerParts` — disjoint filters whose union is `filter`,
 * one pipeline and metric each — since it takes a long IN list's values as
 * independent once their frequencies add up to more than 1.
 */
export async function estimateMetricRows(
  client: pg.ClientBase | pg.Pool,
  selection: { filter: MetricFilter; plannerParts: MetricFilter[] },
  range: TimeRange,
): Promise<MetricRowEstimate> {
  const chunks = await metricChunks(client, range);
  const heaps = chunks.filter((c) => c.compression !== 'compressed');
  const batched = chunks.filter((c) => c.batches !== null);

  const heapRows = await plannedRows(
    client,
    heaps.flatMap((chunk) => selection.plannerParts.map((part) => heapSelect(chunk, heapConditions(part, range)))),
  );
  const queries = batched.map((chunk) => batchRowsSql(chunk.batches!, selection.filter, range));
  const notApplied = [...new Set(queries.flatMap((q) => q.notApplied))].sort();
  let batchRows = await sumRows(
    client,
    queries.map((q) => q.sql),
  );
  // Batches not segmented by some filter column: scale by that filter's share in the heaps.
  if (batchRows > 0 && notApplied.length) {
    batchRows *= await heapShare(client, heaps, selection.plannerParts, notApplied, range);
  }

  return {
    rows: Math.round(heapRows + batchRows),
    chunks: {
      compressed: chunks.filter((c) => c.compression === 'compressed').length,
      partial: chunks.filter((c) => c.compression === 'partial').length,
      uncompressed: chunks.filter((c) => c.compression === 'none').length,
    },
    serverBytes: chunks.reduce((sum, c) => sum + c.heapBytes + c.compressedBytes, 0),
    sharedColumns: notApplied,
  };
}

/**
 * The share of rows that `columns`' conditions of `parts` keep, as the planner
 * sees it in the heaps of `inRange` — or, when those have no rows to judge by,
 * in the newest heaps of the hypertable. 1 when no heap has rows.
 */
async function heapShare(
  client: pg.ClientBase | pg.Pool,
  inRange: MetricChunk[],
  parts: MetricFilter[],
  columns: string[],
  range: TimeRange,
): Promise<number> {
  const loosen = (part: MetricFilter): MetricFilter => {
    const loose = { ...part };
    for (const column of columns) loose[WITHOUT[column]!] = null;
    return loose;
  };
  // Loosening can make parts equal (two metrics of one pipeline): count each once.
  const loosened = [...new Map(parts.map((p) => [JSON.stringify(loosen(p)), loosen(p)])).values()];
  const share = async (heaps: MetricChunk[], within: TimeRange) => {
    const selects = (filters: MetricFilter[]) =>
      heaps.flatMap((c) => filters.map((f) => heapSelect(c, heapConditions(f, within))));
    const all = await plannedRows(client, selects(loosened));
    if (all <= 0) return null;
    return Math.min(1, (await plannedRows(client, selects(parts))) / all);
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
