/**
 * The SQL tab's actions end to end in Node: the typed client over a scripted
 * in-memory transport stands in for the warehouse, and the renderer's own
 * WasmEngine (DuckDB-WASM's Node build) loads the Arrow chunks it sends.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cancelQuery, disposeQueryTab, newQueryTab, runQuery } from '../../../src/renderer/features/query/queryActions';
import { useWorkspaceStore } from '../../../src/renderer/state/workspaceStore';
import { closeTab, registerTabKind } from '../../../src/renderer/workbench/tabKinds';
import { getTab, useTabsStore, type QueryTab } from '../../../src/renderer/workbench/tabsStore';
import type { ColumnInfo, QueryResultMeta } from '../../../src/shared/api/contract';
import { WorkbenchError } from '../../../src/shared/errors';
import { ENGINE_WAIT, engineTables } from '../../support/renderer/engineTables';
import { deferred, ipcStream, workspaceStatus } from '../../support/renderer/fixtures';
import { fails, provideMemoryClient, type MemoryClient } from '../../support/renderer/memoryClient';
import { useRendererEngine } from '../../support/renderer/rendererEngine';

const COLUMNS: ColumnInfo[] = [
  { name: 'n', type: 'INTEGER' },
  { name: 'label', type: 'VARCHAR' },
];

/** Rows n = from … from+count-1, as one Arrow chunk. */
function chunk(from: number, count: number): Uint8Array {
  const n = Int32Array.from({ length: count }, (_, i) => from + i);
  return ipcStream({ n, label: Array.from(n, (i) => `row ${i}`) });
}

const engine = useRendererEngine();
let server: MemoryClient;
let resultSeq = 0;

/** Scripts `query.run` to answer a result of `chunkCount` chunks of `perChunk` rows each. */
function serveRows(chunkCount: number, perChunk: number): void {
  server.handle('query.run', ({ queryId }) => ({
    queryId,
    resultId: `result-${++resultSeq}`,
    columns: COLUMNS,
    rowCount: chunkCount * perChunk,
    chunkCount,
    elapsedMs: 4,
  }));
  server.handle('results.chunk', ({ chunk: index }) => chunk(index * perChunk, perChunk));
}

function tab(id: string): QueryTab {
  const found = getTab(id);
  if (!found) throw new Error(`no SQL tab ${id}`);
  return found;
}

/** The `n` column of a result table, in load order. */
async function numbers(tableName: string): Promise<number[]> {
  const { rows } = await engine().page(tableName, 0, 10_000);
  return rows.map((row) => Number(row[0]));
}

beforeEach(() => {
  server = provideMemoryClient({
    'results.release': () => ({ released: true }),
    'query.cancel': () => ({ cancelled: true }),
    'history.list': () => ({ entries: [] }),
    'catalog.get': () => ({ relations: [] }),
  });
  useWorkspaceStore.setState({ status: workspaceStatus() });
  useTabsStore.setState(useTabsStore.getInitialState(), true);
});

afterEach(() => {
  useWorkspaceStore.setState(useWorkspaceStore.getInitialState(), true);
});

describe('running a SQL tab', () => {
  it('runs on the warehouse, loads every chunk into the engine, releases the server result and ends idle', async () => {
    serveRows(3, 40);
    const id = newQueryTab('SELECT n, label FROM numbers');
    await runQuery(id, 'SELECT n, label FROM numbers');

    const [run] = server.inputsOf('query.run');
    expect(run?.sql).toBe('SELECT n, label FROM numbers');
    expect(server.inputsOf('results.chunk').map((c) => c.chunk)).toEqual([0, 1, 2]);
    expect(server.inputsOf('results.release')).toEqual([{ resultId: `result-${resultSeq}` }]);

    const { run: state, result, error } = tab(id);
    expect(state).toEqual({ phase: 'idle' });
    expect(error).toBeNull();
    expect(result).toMatchObject({ queryId: run?.queryId, columns: COLUMNS, rowCount: 120, expectedRows: 120 });
    expect(await numbers(result!.tableName!)).toEqual(Array.from({ length: 120 }, (_, i) => i));
  });

  it('shows a failed run as the tab error, code and hint included, and drops the result it showed', async () => {
    serveRows(1, 5);
    const id = newQueryTab();
    await runQuery(id, 'SELECT 1');
    const before = tab(id).result!.tableName!;
    expect(await engineTables(engine())).toContain(before);

    server.handle(
      'query.run',
      fails('query_failed', 'Catalog Error: Table nope does not exist', 'Check the table name'),
    );
    await runQuery(id, 'SELECT * FROM nope');

    expect(tab(id)).toMatchObject({
      run: { phase: 'idle' },
      result: null,
      error: {
        code: 'query_failed',
        message: 'Catalog Error: Table nope does not exist',
        hint: 'Check the table name',
      },
    });
    expect(server.count('results.chunk')).toBe(1); // the first run's only
    await vi.waitFor(async () => expect(await engineTables(engine())).not.toContain(before), ENGINE_WAIT);
  });

  it('refuses an empty query without calling the workbench', async () => {
    const id = newQueryTab();
    await runQuery(id, '  \n ');
    expect(tab(id).error).toMatchObject({ code: 'bad_request', message: 'There is no query to run' });
    expect(tab(id).run).toEqual({ phase: 'idle' });
    expect(server.calls).toEqual([]);
  });

  it('waits for the warehouse while the workspace starts, then runs', async () => {
    useWorkspaceStore.setState({
      status: workspaceStatus({ warehouse: 'running' }),
    });
    serveRows(1, 3);
    const id = newQueryTab();
    const running = runQuery(id, 'SELECT n FROM numbers');
    expect(tab(id).run).toMatchObject({ phase: 'waiting', on: 'warehouse' });
    expect(server.count('query.run')).toBe(0);

    useWorkspaceStore.setState({ status: workspaceStatus() });
    await running;
    expect(server.count('query.run')).toBe(1);
    expect(tab(id)).toMatchObject({ run: { phase: 'idle' }, result: { rowCount: 3 }, error: null });
  });
});

describe('cancelling a SQL tab', () => {
  it('while the warehouse runs it: cancels on the server and keeps the previous result', async () => {
    serveRows(1, 10);
    const id = newQueryTab();
    await runQuery(id, 'SELECT n FROM numbers');
    const previous = tab(id).result!;

    const reply = deferred<QueryResultMeta>();
    server.handle('query.run', () => reply.promise);
    server.handle('query.cancel', () => {
      reply.reject(new WorkbenchError('cancelled', 'Query cancelled'));
      return { cancelled: true };
    });
    const running = runQuery(id, 'SELECT slow()');
    await vi.waitFor(() => expect(server.count('query.run')).toBe(2));
    expect(tab(id).run.phase).toBe('running');

    await cancelQuery(id);
    await running;

    const queryId = server.inputsOf('query.run')[1]!.queryId;
    expect(server.inputsOf('query.cancel')).toEqual([{ queryId }]);
    expect(tab(id)).toMatchObject({ run: { phase: 'idle' }, notice: 'Query cancelled.', error: null });
    expect(tab(id).result).toEqual(previous);
    expect(await numbers(previous.tableName!)).toHaveLength(10);
  });

  it('while its chunks load: keeps the rows already loaded and says how many of how many', async () => {
    serveRows(4, 600);
    const gate = deferred<void>();
    // The first two chunks come at once; the third waits for the test.
    server.handle('results.chunk', async ({ chunk: index }) => {
      if (index >= 2) await gate.promise;
      return chunk(index * 600, 600);
    });
    const id = newQueryTab();
    const running = runQuery(id, 'SELECT n, label FROM big');
    await vi.waitFor(() => expect(tab(id).result?.rowCount).toBe(1200), ENGINE_WAIT);
    expect(tab(id).run).toMatchObject({ phase: 'loading', chunksLoaded: 2, chunkCount: 4 });

    await cancelQuery(id);
    gate.resolve();
    await running;

    const { result, notice, run, error } = tab(id);
    expect(notice).toBe('Loading cancelled: showing the first 1,200 of 2,400 rows.');
    expect(run).toEqual({ phase: 'idle' });
    expect(error).toBeNull();
    expect(result).toMatchObject({ rowCount: 1200, expectedRows: 1200, columns: COLUMNS });
    expect(await numbers(result!.tableName!)).toEqual(Array.from({ length: 1200 }, (_, i) => i));
    // A load is the engine's work: nothing to cancel on the server, which still lets the result go.
    expect(server.count('query.cancel')).toBe(0);
    expect(server.count('results.release')).toBe(1);
  });
});

describe('a warehouse result still growing', () => {
  /** Scripts a result answered at its first chunk: `results.wait` tells of one more chunk each time, `total` in all. */
  function serveGrowing(total: number, perChunk: number, failAt?: number): void {
    server.handle('query.run', ({ queryId }) => ({
      queryId,
      resultId: `result-${++resultSeq}`,
      columns: COLUMNS,
      rowCount: perChunk,
      chunkCount: 1,
      done: false,
      elapsedMs: 4,
    }));
    server.handle('results.wait', ({ knownChunks }) => {
      if (failAt !== undefined && knownChunks + 1 >= failAt)
        throw new WorkbenchError('query_failed', 'Invalid Input Error: boom');
      const chunkCount = Math.min(total, knownChunks + 1);
      return { chunkCount, rowCount: chunkCount * perChunk, done: chunkCount === total };
    });
    server.handle('results.chunk', ({ chunk: index }) => chunk(index * perChunk, perChunk));
  }

  it('loads every chunk as the warehouse produces it, and ends with the whole count', async () => {
    serveGrowing(4, 50);
    const id = newQueryTab();
    await runQuery(id, 'SELECT n, label FROM big');
    expect(server.inputsOf('results.chunk').map((c) => c.chunk)).toEqual([0, 1, 2, 3]);
    expect(tab(id).result).toMatchObject({ rowCount: 200, expectedRows: 200 });
    expect(await numbers(tab(id).result!.tableName!)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(server.count('query.cancel')).toBe(0);
  });

  it('shows a failure after the first chunk as the tab error, and drops what loaded', async () => {
    serveGrowing(4, 50, 2);
    const before = await engineTables(engine());
    const id = newQueryTab();
    await runQuery(id, 'SELECT n, label FROM big');
    expect(tab(id)).toMatchObject({
      run: { phase: 'idle' },
      result: null,
      error: { code: 'query_failed', message: 'Invalid Input Error: boom' },
    });
    await vi.waitFor(async () => expect(await engineTables(engine())).toEqual(before), ENGINE_WAIT);
  });

  it('cancelled while loading: the query is cancelled on the warehouse and the loaded rows stay', async () => {
    serveGrowing(10, 50);
    const gate = deferred<void>();
    // Two chunks come at once; the warehouse then takes its time over the third.
    server.handle('results.wait', async ({ knownChunks }) => {
      if (knownChunks >= 2) await gate.promise;
      return { chunkCount: knownChunks + 1, rowCount: (knownChunks + 1) * 50, done: false };
    });
    const id = newQueryTab();
    const running = runQuery(id, 'SELECT n, label FROM big');
    await vi.waitFor(() => expect(tab(id).result?.rowCount).toBe(100), ENGINE_WAIT);
    const queryId = server.inputsOf('query.run')[0]!.queryId;

    await cancelQuery(id);
    expect(server.inputsOf('query.cancel')).toEqual([{ queryId }]);
    gate.resolve();
    await running;
    expect(tab(id).notice).toBe('Loading cancelled: showing the first 100 rows.');
    expect(tab(id).result).toMatchObject({ rowCount: 100 });
  });
});

describe('closing a SQL tab', () => {
  let undoKind: () => void = () => undefined;
  afterEach(() => undoKind());

  it('while it runs: cancels the query on the server and drops its engine table', async () => {
    // The real kind's view loads Monaco, which Node cannot: the same dispose with no view.
    undoKind = registerTabKind({ kind: 'sql', View: () => null, dispose: disposeQueryTab });
    serveRows(1, 10);
    const id = newQueryTab();
    await runQuery(id, 'SELECT n FROM numbers');
    const shown = tab(id).result!.tableName!;

    const reply = deferred<QueryResultMeta>();
    server.handle('query.run', () => reply.promise);
    const running = runQuery(id, 'SELECT slow()');
    await vi.waitFor(() => expect(server.count('query.run')).toBe(2));
    const queryId = server.inputsOf('query.run')[1]!.queryId;

    closeTab(id);

    expect(getTab(id)).toBeUndefined();
    expect(server.inputsOf('query.cancel')).toEqual([{ queryId }]);
    await vi.waitFor(async () => expect(await engineTables(engine())).not.toContain(shown), ENGINE_WAIT);

    reply.reject(new WorkbenchError('cancelled', 'Query cancelled'));
    await running;
    expect(server.count('results.chunk')).toBe(1); // the first run's only
    expect(getTab(id)).toBeUndefined();
  });
});
