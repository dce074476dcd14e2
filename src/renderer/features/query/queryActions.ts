/**
 * Running a tab's query end to end: `query.run` on the warehouse (answered at
 * its first chunk), each Arrow chunk fetched and loaded into the WASM engine
 * while the query still runs, the server result released, then the tab shows
 * the engine table. Cancel works in either phase.
 */
import type { ResultGrowth } from '../../../shared/api/contract';
import { HEAVY_SERVER_READ_ROWS } from '../../../shared/api/server';
import { WorkbenchError, errorMessage } from '../../../shared/errors';
import { dropTable, getEngine } from '../../engine/engineStore';
import { fetchChunks } from '../../engine/resultChunks';
import type { WasmEngine } from '../../engine/WasmEngine';
import { toErrorView } from '../../state/errorView';
import { workbench } from '../../state/workbench';
import { refreshSection } from '../../state/workspaceActions';
import { phaseState, useWorkspaceStore, whenPhaseReady } from '../../state/workspaceStore';
import type { RunOrigin } from './editorModels';
import { refreshHistory } from './sqlFilesStore';
import { addTab, getTab, updateTab, type QueryTab, type QueryTarget, type RunState } from '../../workbench/tabsStore';

/**
 * What a run tells the SQL editor: clear the last run's marks, underline an error where
 * the statement started. The editor attaches itself when the workbench starts; the
 * actions run without it (tests, a window without an editor).
 */
export interface RunMarkers {
  clear(tabId: string): void;
  markError(tabId: string, origin: RunOrigin, sql: string, message: string): void;
}
const NO_MARKERS: RunMarkers = { clear: () => undefined, markError: () => undefined };
let markers = NO_MARKERS;

export function attachRunMarkers(attached: RunMarkers): () => void {
  markers = attached;
  return () => {
    if (markers === attached) markers = NO_MARKERS;
  };
}

const running = new Map<string, AbortController>();
/** Runs whose warehouse query still produces chunks while they load: a cancel must reach the warehouse. */
const growing = new Set<string>();
let querySeq = 0;

function newQueryId(tabId: string): string {
  querySeq++;
  return `q-${tabId}-${querySeq}-${Math.random().toString(36).slice(2, 8)}`;
}

function cancelled(): WorkbenchError {
  return new WorkbenchError('cancelled', 'Query cancelled');
}

async function engineOrError(): Promise<WasmEngine> {
  try {
    return await getEngine();
  } catch (err) {
    throw new WorkbenchError(
      'internal',
      `The in-app query engine (DuckDB-WASM) could not start: ${errorMessage(err)}`,
      'Reload the window; if it keeps failing, check the developer console',
    );
  }
}

/**
 * Runs `sql` in the tab; `origin` says where it starts in the editor, to underline an error there.
 * On the server, a statement the planner expects to read more than HEAVY_SERVER_READ_ROWS rows
 * is refused first (the tab offers "Run anyway", which passes `anyway`).
 */
export async function runQuery(
  tabId: string,
  sql: string,
  origin?: RunOrigin,
  options: { anyway?: boolean } = {},
): Promise<void> {
  const tab = getTab(tabId);
  if (!tab || tab.run.phase !== 'idle') return;
  markers.clear(tabId);
  if (sql.trim() === '') {
    updateTab(tabId, {
      error: { code: 'bad_request', message: 'There is no query to run', hint: 'Type a query, then press Ctrl+Enter' },
    });
    return;
  }
  const client = workbench();
  const queryId = newQueryId(tabId);
  const abort = new AbortController();
  running.set(tabId, abort);
  const runsOn = tab.target === 'server' ? 'postgres' : 'warehouse';
  const waiting = phaseState(useWorkspaceStore.getState().status, runsOn) !== 'ready';
  updateTab(tabId, {
    run: waiting
      ? { phase: 'waiting', startedAt: Date.now(), on: runsOn }
      : { phase: 'running', queryId, startedAt: Date.now() },
    error: null,
    notice: null,
    heavySql: null,
  });

  let tableName: string | null = null;
  let engine: WasmEngine | null = null;
  let growth: ResultGrowth = { rowCount: 0, chunkCount: 0, done: true };
  /** Set once the first chunk is showing: the tab already holds this result. */
  let shown = false;
  try {
    if (waiting) {
      // During start-up the query waits for its views (e.g. `metrics`) instead of failing on them.
      await whenPhaseReady(runsOn, abort.signal);
      updateTab(tabId, { run: { phase: 'running', queryId, startedAt: Date.now() } });
    }
    const meta =
      tab.target === 'server'
        ? await client.call('live.run', { sql, queryId, maxRowsRead: options.anyway ? null : HEAVY_SERVER_READ_ROWS })
        : await client.call('query.run', { sql, queryId });
    const loadStarted = performance.now();
    /** Rows the engine holds once the result is loaded (none when it has no chunk). */
    let rowCount = 0;
    // A warehouse result arrives while its query still runs: how far the warehouse has got.
    growth = { rowCount: meta.rowCount, chunkCount: meta.chunkCount, done: meta.done ?? true };
    if (!growth.done) growing.add(queryId);
    try {
      if (abort.signal.aborted) throw cancelled();
      engine = await engineOrError();
      if (meta.chunkCount > 0) {
        const table = engine.newTableName();
        tableName = table;
        const startedAt = Date.now();
        let chunksLoaded = 0;
        const showLoading = () =>
          updateTab(tabId, {
            run: { phase: 'loading', queryId, startedAt, chunksLoaded, chunkCount: growth.chunkCount },
          });
        showLoading();
        const onGrowth = (next: ResultGrowth) => {
          growth = next;
          if (growth.done) growing.delete(queryId);
          showLoading();
        };
        rowCount = await engine.loadResult(table, fetchChunks(client, meta, abort.signal, onGrowth), (p) => {
          chunksLoaded = p.chunks;
          showLoading();
          if (growth.done && p.chunks === growth.chunkCount) return; // the final count is set below
          // Big results show their first rows while the rest loads.
          const current = getTab(tabId);
          if (!current || current.run.phase !== 'loading' || current.run.queryId !== queryId) return;
          if (!shown) dropTable(current.result?.tableName);
          shown = true;
          updateTab(tabId, {
            result: {
              queryId,
              tableName: table,
              columns: meta.columns,
              rowCount: p.rows,
              serverMs: meta.elapsedMs,
              loadMs: performance.now() - loadStarted,
              sql,
              // While the query runs, more rows than loaded are expected: the grid stays in its loading state.
              expectedRows: growth.done ? growth.rowCount : Math.max(growth.rowCount, p.rows + 1),
              skippedFiles: meta.skippedFiles ?? [],
            },
            ...(current.result?.tableName === table ? {} : { sort: [] }),
          });
        });
      }
    } finally {
      // The engine has its own copy now (or we gave up): the server can let go either way.
      void client.call('results.release', { resultId: meta.resultId }).catch(() => undefined);
    }
    const loadMs = performance.now() - loadStarted;
    const current = getTab(tabId);
    if (!current) {
      dropTable(tableName);
      return;
    }
    if (current.result?.tableName !== tableName) dropTable(current.result?.tableName);
    updateTab(tabId, {
      result: {
        queryId,
        tableName,
        columns: meta.columns,
        rowCount,
        serverMs: meta.elapsedMs,
        loadMs,
        sql,
        expectedRows: growth.rowCount,
        skippedFiles: meta.skippedFiles ?? [],
      },
      ...(shown ? {} : { sort: [] }),
    });
    // A statement may have created or dropped views.
    void refreshSection('catalog');
  } catch (err) {
    const view = toErrorView(err);
    const partial = getTab(tabId)?.result;
    if (view.code === 'cancelled' && shown && partial?.tableName === tableName && tableName && engine) {
      // The rows already showing stay: an analyst cancelling a huge load keeps its start.
      const rowCount = await engine.rowCount(tableName).catch(() => partial.rowCount);
      const of = growth.done ? ` of ${growth.rowCount.toLocaleString('en-US')}` : '';
      updateTab(tabId, {
        result: { ...partial, rowCount, expectedRows: rowCount },
        notice: `Loading cancelled: showing the first ${rowCount.toLocaleString('en-US')}${of} rows.`,
      });
      return;
    }
    dropTable(tableName);
    if (view.code === 'cancelled') {
      // Keep what the tab showed before: a cancel should not cost the previous result.
      updateTab(tabId, { notice: 'Query cancelled.' });
    } else {
      const current = getTab(tabId);
      dropTable(current?.result?.tableName);
      updateTab(tabId, { error: view, result: null, heavySql: view.code === 'heavy_read' ? sql : null });
      if (view.code === 'query_failed' && origin) markers.markError(tabId, origin, sql, view.message);
    }
  } finally {
    running.delete(tabId);
    growing.delete(queryId);
    updateTab(tabId, { run: { phase: 'idle' } });
    void refreshHistory();
  }
}

/**
 * Stops the tab's run: the local steps (waiting, fetching, loading) end on the abort, and
 * a query still on the warehouse is cancelled there. The run's own `finally` forgets it.
 */
async function stopRun(tabId: string, run: RunState): Promise<void> {
  const abort = running.get(tabId);
  if (!abort || run.phase === 'idle') return;
  abort.abort();
  // A warehouse query still running while its first chunks load is cancelled there too.
  if (run.phase !== 'running' && !(run.phase === 'loading' && growing.has(run.queryId))) return;
  try {
    await workbench().call('query.cancel', { queryId: run.queryId });
  } catch (err) {
    console.warn('Could not cancel the query:', errorMessage(err));
  }
}

export async function cancelQuery(tabId: string): Promise<void> {
  const tab = getTab(tabId);
  if (tab) await stopRun(tabId, tab.run);
}

export function newQueryTab(sql = '', title?: string, target?: QueryTarget): string {
  return addTab({ sql, ...(title ? { title } : {}), ...(target ? { target } : {}) });
}

/** The note a tab of SQL the workbench wrote for the user shows until it runs. */
export const GENERATED_SQL_NOTICE = 'Generated SQL, not run yet: read it, then press Ctrl/Cmd+Enter or ▶ Run.';

/**
 * Opens SQL the workbench wrote from data (a chart's selection, a saved file)
 * in a new tab for the user to read and run: never run unasked.
 */
export function openGeneratedSql(sql: string, title: string, target?: QueryTarget): string {
  const id = newQueryTab(sql, title, target);
  updateTab(id, { notice: GENERATED_SQL_NOTICE });
  return id;
}

/**
 * What a closed SQL tab gives back (its tab kind's dispose): its running query is
 * cancelled on the server and its engine table dropped. The tab has already left the store.
 */
export function disposeQueryTab(tab: QueryTab): void {
  void stopRun(tab.id, tab.run);
  dropTable(tab.result?.tableName);
}
