/**
 * What the scripted server answers in more than one test: a workspace, one
 * pipeline and its Bronze sample, a search's matches, a job; Arrow chunks; a
 * reply the test settles. Pure data (no window, no client), so the Node-side
 * tests under tests/unit/renderer import it too.
 */
import {
  Float64,
  Table,
  TimestampMicrosecond,
  Utf8,
  Vector,
  makeData,
  tableFromArrays,
  tableToIPC,
  vectorFromArray,
} from 'apache-arrow';
import type {
  ApiOutput,
  ColumnInfo,
  JobSnapshot,
  PhaseState,
  PipelineSummary,
  WorkspaceStatus,
} from '../../../src/shared/api/contract';
import type { ApiParsedInput } from '../../../src/shared/api/handlers';
import type { InspectorMatch, InspectorMatchesPage, InspectorStats } from '../../../src/shared/api/inspector';

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(reason: unknown): void;
}

/** A promise the test settles: a reply that arrives exactly when the test says. */
export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/**
 * One Arrow IPC stream: a result chunk as `results.chunk` sends it. Give a table
 * when a column needs an exact Arrow type (a UTC timestamp), else plain arrays.
 */
export function ipcStream(columns: Table | Parameters<typeof tableFromArrays>[0]): Uint8Array {
  return tableToIPC(columns instanceof Table ? columns : tableFromArrays(columns), 'stream');
}

/** A column of UTC timestamps in microseconds (TIMESTAMP WITH TIME ZONE), for `ipcStream`'s table. */
export function utcMicros(micros: readonly bigint[]): Vector<TimestampMicrosecond> {
  const data = makeData({
    type: new TimestampMicrosecond('UTC'),
    length: micros.length,
    nullCount: 0,
    data: BigInt64Array.from(micros),
  });
  return new Vector([data]);
}

type PhaseId = WorkspaceStatus['phases'][number]['id'];

/** A workspace whose phases are in these states (ready unless said otherwise), with `patch` over it. */
export function workspaceStatus(
  phases: Partial<Record<PhaseId, PhaseState>> = {},
  patch: Partial<WorkspaceStatus> = {},
): WorkspaceStatus {
  const state = (id: PhaseId): PhaseState => phases[id] ?? 'ready';
  const all = (['lake', 'postgres', 'warehouse'] as const).map((id) => state(id));
  return {
    run: 'test-run',
    revision: 1,
    workspaceDir: '/tmp/workspace',
    name: 'Test workspace',
    isDemo: false,
    timeZone: 'UTC',
    state: all.every((s) => s === 'ready') ? 'ready' : 'running',
    phases: [
      { id: 'lake', title: 'Lake', state: state('lake') },
      { id: 'postgres', title: 'PostgreSQL', state: state('postgres') },
      { id: 'warehouse', title: 'Warehouse', state: state('warehouse') },
    ],
    startup: null,
    postgres: null,
    lake: null,
    ...patch,
  };
}

export const PIPELINE_ID = 'energy_meters';

/** The server's definition of the pipeline, at version 7. */
export const ENERGY_METERS: PipelineSummary = {
  id: PIPELINE_ID,
  name: 'Energy meters',
  version: 7,
  definition: {
    source: 'bronze.energy_meters',
    filter: null,
    metrics: [{ name: 'power', formula: 'value * multiplier', unit: 'kW' }],
  },
  updatedAt: '2026-10-01T00:00:00Z',
  updatedBy: 'ana',
  problem: null,
};

export const BRONZE_SCHEMA: ColumnInfo[] = [
  { name: 'record_id', type: 'VARCHAR' },
  { name: 'series_id', type: 'VARCHAR' },
  { name: 'ts', type: 'TIMESTAMP WITH TIME ZONE' },
  { name: 'value', type: 'DOUBLE' },
  { name: 'multiplier', type: 'DOUBLE' },
];

/** The server's id of the Bronze sample `preview.sample` answers; its one chunk is `bronzeSample()`. */
export const SAMPLE_RESULT_ID = 'sample-result-1';

const DAY_MICROS = 1_791_072_000_000_000n; // 2026-10-04 00:00:00 UTC

/**
 * Five records a series, a minute apart, multiplier 2: s1's values 0..3 and a
 * missing one, s2's 10..14. So `value * multiplier` sums to 2 × 66 with one null.
 */
export function bronzeSample(): Uint8Array {
  const rows = ['s1', 's2'].flatMap((series, s) =>
    [0, 1, 2, 3, 4].map((i) => ({
      id: `${series}-${i}`,
      series,
      micros: DAY_MICROS + BigInt(i) * 60_000_000n,
      value: s === 0 && i === 4 ? null : s * 10 + i,
    })),
  );
  return ipcStream(
    new Table({
      record_id: vectorFromArray(
        rows.map((r) => r.id),
        new Utf8(),
      ),
      series_id: vectorFromArray(
        rows.map((r) => r.series),
        new Utf8(),
      ),
      ts: utcMicros(rows.map((r) => r.micros)),
      value: vectorFromArray(
        rows.map((r) => r.value),
        new Float64(),
      ),
      multiplier: vectorFromArray(
        rows.map(() => 2),
        new Float64(),
      ),
    }),
  );
}

/** The pipeline preview's server side: the Bronze schema and series, and the sample's result (its chunk is the test's). */
export const PREVIEW_SCRIPT: {
  [M in 'preview.options' | 'preview.sample']: (input: ApiParsedInput<M>) => ApiOutput<M>;
} = {
  'preview.options': ({ pipelineId }) => ({
    pipelineId,
    columns: BRONZE_SCHEMA,
    series: [
      { seriesId: 's1', records: 5, first: 1_791_072_000_000, last: 1_791_072_240_000 },
      { seriesId: 's2', records: 5, first: 1_791_072_000_000, last: 1_791_072_240_000 },
    ],
    skippedFiles: [],
  }),
  'preview.sample': ({ queryId }) => ({
    queryId,
    resultId: SAMPLE_RESULT_ID,
    columns: BRONZE_SCHEMA,
    rowCount: 10,
    chunkCount: 1,
    elapsedMs: 2,
  }),
};

export const INSPECTOR_STATS: InspectorStats = {
  filesTotal: 3,
  filesSkipped: 1,
  filesScanned: 2,
  rowGroupsScanned: 2,
  rowGroupsSkipped: 0,
  rowsScanned: 120,
  bytesRead: 4096,
  localFiles: 2,
  remoteFiles: 0,
};

/** A page of search-1's matches starting at `offset`; the search has found `offset + matches.length` so far. */
export function matchesPage(
  state: InspectorMatchesPage['state'],
  matches: InspectorMatch[] = [],
  offset = 0,
): InspectorMatchesPage {
  return {
    searchId: 'search-1',
    state,
    error: null,
    total: offset + matches.length,
    limited: false,
    firstMatchMs: 12,
    elapsedMs: 40,
    stats: INSPECTOR_STATS,
    problems: [],
    offset,
    matches,
  };
}

/** A running job (a metrics sync) with `patch` over it. */
export function jobSnapshot(patch: Partial<JobSnapshot> = {}): JobSnapshot {
  return {
    jobId: 'job-1',
    kind: 'sync.metrics',
    title: 'Sync metrics',
    state: 'running',
    progress: { done: 0, total: null, unit: 'days' },
    message: '',
    error: null,
    startedAt: '2026-03-29T00:00:00Z',
    finishedAt: null,
    ...patch,
  };
}
