/**
 * What a push would do, without writing anything: the delta per day and
 * metric, the grants the pushing role lacks, and on TimescaleDB the chunks,
 * the compressed batches the push decompresses (only those holding a key it
 * touches) and the continuous aggregates it refreshes.
 */
import type pg from 'pg';
import type { PipelineDefinition } from '../../../shared/api/contract';
import type { DiffCounts } from '../../../shared/api/push';
import { WorkbenchError } from '../../../shared/errors';
import { detectServerMode, timescaleAtLeast, type ServerModeInfo } from '../postgres/ServerMode';
import {
  decompressedBatchesCondition,
  metricChunks,
  type BatchLayout,
  type ChunkCompression,
} from '../postgres/timescale/MetricChunks';
import {
  describeBucket,
  metricAggregates,
  refreshChecks,
  refreshWindows,
} from '../postgres/timescale/MetricAggregates';
import { checkRange, withClient, type PushRange } from './pushConnection';

export interface PlanDay {
  day: string;
  metricName: string;
  /** Rows deleted or overwritten: the delta's removed and changed keys. */
  rowsToDelete: number;
  /** Rows written: the delta's added and changed keys. */
  rowsToInsert: number;
  /** What happens to this day's and metric's values (exact). */
  values: DiffCounts;
}

/** The keys of one metric of one series that a push touches, from its first to its last time. */
export interface TouchedSeries {
  metricName: string;
  seriesId: string;
  first: string;
  last: string;
}

/** The delta a push would write, counted where it is (the preview's warehouse). */
export interface PushDelta {
  /** Per UTC day and metric, exact: added, removed, changed and unchanged keys. */
  perDay: { day: string; metricName: string; values: DiffCounts }[];
  /** Which series' batches a push may decompress on TimescaleDB. */
  touched: TouchedSeries[];
  /** Delta rows outside the push's range (the push would refuse them). */
  outsideRange: number;
}

export interface PlannedAggregate {
  name: string;
  owner: string;
  /** e.g. `1 day`, `1 day (Europe/Berlin)`; null when the server does not say. */
  bucket: string | null;
  /** The range widened to whole buckets of this aggregate; null when it cannot be computed by this role. */
  window: PushRange | null;
  /** Whether the role the plan was checked as may refresh it. */
  canRefresh: boolean;
  reason: string | null;
}

export interface PushPlan {
  pipelineId: string;
  serverVersion: number;
  /** The version the pipeline will have after the push. */
  newVersion: number;
  range: PushRange;
  days: PlanDay[];
  rowsToDelete: number;
  rowsToInsert: number;
  values: DiffCounts;
  mode: 'timescaledb' | 'plain';
  /** The role the plan was made as: privileges and limits below are that role's. */
  checkedAs: string;
  /** Privileges a push needs that `checkedAs` lacks, as GRANT statements. */
  missingGrants: string[];
  /** TimescaleDB only: the chunks the range touches. */
  chunks: {
    name: string;
    rangeStart: string;
    rangeEnd: string;
    compression: ChunkCompression;
    approximateRows: number;
  }[];
  /** TimescaleDB only: the limit on tuples one DML transaction may decompress (null: unlimited or unknown). */
  maxTuplesDecompressed: number | null;
  /** Rows of this pipeline's compressed batches the push would decompress (TimescaleDB). */
  tuplesToDecompress: number;
  /** Continuous aggregates over dash.pipeline_metrics that the push will refresh, with their windows. */
  continuousAggregates: PlannedAggregate[];
  /** Plain-language warnings, e.g. a decompression over the limit. */
  warnings: string[];
}

/** The table privileges a push uses (docs/data-contract.md, "Roles and grants"). */
const PUSH_PRIVILEGES: [table: string, privilege: string][] = [
  ['dash.pipelines', 'SELECT'],
  ['dash.pipelines', 'UPDATE'],
  ['dash.pipeline_versions', 'SELECT'],
  ['dash.pipeline_versions', 'INSERT'],
  ['dash.pipeline_metrics', 'SELECT'],
  ['dash.pipeline_metrics', 'INSERT'],
  ['dash.pipeline_metrics', 'DELETE'],
  ['dash.metric_pushes', 'SELECT'],
  ['dash.metric_pushes', 'INSERT'],
  ['dash.metric_push_replaced_rows', 'SELECT'],
  ['dash.metric_push_replaced_rows', 'INSERT'],
];

/** The privileges a push needs that the connected role lacks, as GRANT statements. */
async function missingPushGrants(client: pg.ClientBase, user: string): Promise<string[]> {
  const { rows } = await client.query<{ tbl: string; privilege: string; ok: boolean }>(
    `SELECT t.tbl, t.privilege, has_table_privilege(t.tbl, t.privilege) AS ok
     FROM unnest($1::text[], $2::text[]) AS t(tbl, privilege)`,
    [PUSH_PRIVILEGES.map(([t]) => t), PUSH_PRIVILEGES.map(([, p]) => p)],
  );
  const missing = new Map<string, string[]>();
  for (const r of rows.filter((r) => !r.ok)) missing.set(r.tbl, [...(missing.get(r.tbl) ?? []), r.privilege]);
  return [...missing].map(
    ([table, privileges]) => `GRANT ${privileges.join(', ')} ON ${table} TO ${client.escapeIdentifier(user)};`,
  );
}

/**
 * The batches a push of exactly the `touched` keys decompresses: DML on a
 * compressed chunk decompresses the batches that may hold a key it deletes or
 * inserts — of the key's segment, over its time — and no others. ($1..$4: the
 * touched arrays.) An upper bound: a series' keys are taken from first to last.
 */
function touchedBatchesCondition(layout: BatchLayout, pipelineLiteral: string): string {
  const segment = (column: string, value: string) =>
    layout.segmentBy.includes(column) ? `${column} = ${value}` : null;
  const perKey = [
    segment('metric_name', 't.m'),
    segment('series_id', 't.s'),
    layout.minTime && layout.maxTime ? `${layout.maxTime} >= t.f AND ${layout.minTime} <= t.l` : null,
  ].filter((c) => c !== null);
  return [
    segment('pipeline_id', pipelineLiteral),
    `EXISTS (SELECT 1 FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[]) AS t(m, s, f, l)
             WHERE ${perKey.length ? perKey.join(' AND ') : 'true'})`,
  ]
    .filter((c) => c !== null)
    .join(' AND ');
}

/**
 * TimescaleDB's part of a plan: the chunks the range touches and their
 * compression, the rows of this pipeline's compressed batches a push would
 * decompress (against the server's limit for this role), and the continuous
 * aggregates with the window each would be refreshed over and whether this
 * role may. `touched`: the keys the push writes; null for a push of the whole
 * range (a DELETE of the range). Read-only: runs on any server, the PGlite one
 * of the tests too.
 */
export async function planOnTimescale(
  client: pg.ClientBase,
  info: ServerModeInfo,
  pipelineId: string,
  range: PushRange,
  touched: TouchedSeries[] | null = null,
): Promise<
  Pick<PushPlan, 'chunks' | 'tuplesToDecompress' | 'maxTuplesDecompressed' | 'continuousAggregates' | 'warnings'>
> {
  const ext = info.timescale;
  if (!ext)
    return { chunks: [], tuplesToDecompress: 0, maxTuplesDecompressed: null, continuousAggregates: [], warnings: [] };
  const warnings: string[] = [];
  const chunks = await metricChunks(client, range);
  // From 2.21 a DELETE removes batches wholly inside its range without decompressing them — unless a
  // row-level DELETE trigger must see each row, as the continuous aggregates' invalidation trigger does.
  const { rows: triggers } = await client.query<{ row_delete_triggers: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = 'dash.pipeline_metrics'::regclass
                    AND (tgtype & 1) <> 0 AND (tgtype & 8) <> 0) AS row_delete_triggers`,
  );
  const directDelete = timescaleAtLeast(ext, 2, 21) && triggers[0]?.row_delete_triggers !== true;
  // One pass over each compressed chunk's batch rows: all its rows, and those the push decompresses.
  const batched = chunks.filter((c) => c.batches !== null);
  const batchRows = new Map<string, { total: number; decompressed: number }>();
  if (batched.length) {
    const condition = (layout: BatchLayout) =>
      touched === null
        ? decompressedBatchesCondition(layout, pipelineId, range, directDelete)
        : touchedBatchesCondition(layout, client.escapeLiteral(pipelineId));
    const sql = batched
      .map(
        (c) =>
          `SELECT ${client.escapeLiteral(c.table)} AS chunk, coalesce(sum(_ts_meta_count), 0)::float8 AS total,
             coalesce(sum(_ts_meta_count) FILTER (WHERE ${condition(c.batches!)}), 0)::float8 AS decompressed
           FROM ${c.batches!.table}`,
      )
      .join(' UNION ALL ');
    const { rows } = await client.query<{ chunk: string; total: number; decompressed: number }>(
      sql,
      touched === null
        ? []
        : [
            touched.map((t) => t.metricName),
            touched.map((t) => t.seriesId),
            touched.map((t) => t.first),
            touched.map((t) => t.last),
          ],
    );
    for (const r of rows) batchRows.set(r.chunk, { total: Number(r.total), decompressed: Number(r.decompressed) });
  }
  const tuplesToDecompress = [...batchRows.values()].reduce((sum, b) => sum + b.decompressed, 0);
  const { rows: setting } = await client.query<{ value: string | null }>(
    "SELECT current_setting('timescaledb.max_tuples_decompressed_per_dml_transaction', true) AS value",
  );
  const limit = setting[0]?.value ? Number(setting[0].value) : null;
  const maxTuplesDecompressed = limit !== null && Number.isFinite(limit) && limit > 0 ? limit : null;
  if (maxTuplesDecompressed !== null && tuplesToDecompress > maxTuplesDecompressed) {
    warnings.push(
      `The push would decompress about ${tuplesToDecompress.toLocaleString('en-US')} rows of compressed batches, over the server's limit of ${maxTuplesDecompressed.toLocaleString('en-US')} per transaction for "${info.user}" (timescaledb.max_tuples_decompressed_per_dml_transaction): the server would refuse it. Push a shorter range, or ask the server team to raise the limit for this role (ALTER ROLE … SET timescaledb.max_tuples_decompressed_per_dml_transaction = 0 lifts it).`,
    );
  }

  const aggregates = await metricAggregates(client);
  const checks = await refreshChecks(client, ext, aggregates);
  const windows = ext.usable ? await refreshWindows(client, ext, aggregates, range) : new Map<string, PushRange>();
  const continuousAggregates = aggregates.map((agg) => {
    const check = checks.find((c) => c.name === agg.name);
    return {
      name: agg.name,
      owner: agg.owner,
      bucket: agg.bucket ? describeBucket(agg.bucket) : null,
      window: windows.get(agg.name) ?? null,
      canRefresh: check?.canRefresh ?? false,
      reason: check?.reason ?? null,
    };
  });
  const blocked = continuousAggregates.filter((a) => !a.canRefresh);
  if (blocked.length) {
    warnings.push(
      `${blocked.length === 1 ? 'One continuous aggregate' : `${blocked.length} continuous aggregates`} cannot be refreshed by "${info.user}" after the push (${blocked.map((b) => b.name).join(', ')}): they will show the old values until their refresh policy runs.`,
    );
  }
  return {
    chunks: chunks.map((c) => ({
      name: `${c.schema}.${c.name}`,
      rangeStart: c.rangeStart,
      rangeEnd: c.rangeEnd,
      compression: c.compression,
      approximateRows: Math.round(c.heapRowsEstimate + (batchRows.get(c.table)?.total ?? 0)),
    })),
    tuplesToDecompress: Math.round(tuplesToDecompress),
    maxTuplesDecompressed,
    continuousAggregates,
    warnings,
  };
}

const NO_VALUES: DiffCounts = { added: 0, removed: 0, changed: 0, unchanged: 0 };

function addValues(a: DiffCounts, b: DiffCounts): DiffCounts {
  return {
    added: a.added + b.added,
    removed: a.removed + b.removed,
    changed: a.changed + b.changed,
    unchanged: a.unchanged + b.unchanged,
  };
}

/**
 * What a push of `delta` over `range` would do, without writing anything: a
 * read-only transaction, as whichever role `connect` logs in as — the
 * exploration role, or the push's own to check it.
 */
export async function planPush(
  connect: () => Promise<pg.Client>,
  request: {
    pipelineId: string;
    definition: PipelineDefinition | null;
    range: PushRange;
    delta: PushDelta;
  },
): Promise<PushPlan> {
  checkRange(request.range);
  return withClient(connect, async (client) => {
    try {
      await client.query('BEGIN READ ONLY');
      const { rows: pipelines } = await client.query<{ version: number }>(
        'SELECT version FROM dash.pipelines WHERE id = $1',
        [request.pipelineId],
      );
      const serverVersion = pipelines[0]?.version;
      if (serverVersion === undefined)
        throw new WorkbenchError('not_found', `The server has no pipeline "${request.pipelineId}".`);
      const cells = new Map<string, PlanDay>();
      for (const r of request.delta.perDay) {
        const key = `${r.day}\u0000${r.metricName}`;
        const values = addValues(cells.get(key)?.values ?? NO_VALUES, r.values);
        cells.set(key, {
          day: r.day,
          metricName: r.metricName,
          rowsToDelete: values.removed + values.changed,
          rowsToInsert: values.added + values.changed,
          values,
        });
      }
      // By day, then metric, in byte order: keys in the cell map are exactly that.
      const days = [...cells.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, cell]) => cell);
      const warnings: string[] = [];
      if (request.delta.outsideRange > 0) {
        warnings.push(`${request.delta.outsideRange} recomputed rows fall outside the range and would be refused.`);
      }
      const info = await detectServerMode(client);
      const missingGrants = await missingPushGrants(client, info.user);
      const timescale = await planOnTimescale(client, info, request.pipelineId, request.range, request.delta.touched);
      return {
        pipelineId: request.pipelineId,
        serverVersion,
        newVersion: request.definition ? serverVersion + 1 : serverVersion,
        range: request.range,
        days,
        rowsToDelete: days.reduce((n, d) => n + d.rowsToDelete, 0),
        rowsToInsert: days.reduce((n, d) => n + d.rowsToInsert, 0),
        values: days.reduce((sum, d) => addValues(sum, d.values), NO_VALUES),
        mode: info.mode,
        checkedAs: info.user,
        missingGrants,
        ...timescale,
        warnings: [...warnings, ...timescale.warnings],
      };
    } finally {
      await client.query('ROLLBACK').catch(() => undefined);
    }
  });
}
