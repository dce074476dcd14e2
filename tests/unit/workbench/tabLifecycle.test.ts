/**
 * One tab lifecycle: every kind of tab is opened, used (a query loaded, a
 * preview run, a folder listed, a search polling) and closed through `closeTab`
 * 50 times. Afterwards no store is bigger than before, the engine holds no table,
 * no timer is pending, and no subscription or listener was left behind.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { StoreApi } from 'zustand';
import { useEngineStore } from '../../../src/renderer/engine/engineStore';
import {
  openChart,
  newMetricSpec,
  updateResultChart,
  useChartStore,
} from '../../../src/renderer/features/charts/chartStore';
import { contributeCharts } from '../../../src/renderer/features/charts/contributions';
import { contributeGrid } from '../../../src/renderer/features/grid/contributions';
import { useGridStore } from '../../../src/renderer/features/grid/gridStore';
import { contributeInspector } from '../../../src/renderer/features/inspector/contributions';
import { runSearch, useInspectorStore } from '../../../src/renderer/features/inspector/inspectorStore';
import { contributeLake } from '../../../src/renderer/features/lake/contributions';
import { showLakeFolder } from '../../../src/renderer/features/lake/lakeActions';
import { useLakeStore } from '../../../src/renderer/features/lake/lakeStore';
import { useEditorsStore } from '../../../src/renderer/features/pipelines/editorStore';
import { formulaModelCount } from '../../../src/renderer/features/pipelines/formulaModels';
import { loadSample, openPipelineEditor } from '../../../src/renderer/features/pipelines/pipelineActions';
import { pipelineTabLifecycle } from '../../../src/renderer/features/pipelines/pipelineTabKind';
import { useReprocessingStore } from '../../../src/renderer/features/pipelines/reprocessingStore';
import { newQueryTab, runQuery } from '../../../src/renderer/features/query/queryActions';
import { useSqlFiles } from '../../../src/renderer/features/query/sqlFilesStore';
import { sqlEditorStateCount } from '../../../src/renderer/features/query/sqlModels';
import { sqlTabLifecycle } from '../../../src/renderer/features/query/sqlTabKind';
import { contributeSync } from '../../../src/renderer/features/sync/contributions';
import { useWorkspaceStore } from '../../../src/renderer/state/workspaceStore';
import { request } from '../../../src/renderer/workbench/intents';
import { closeTab, registerTabKind, tabClosedListenerCount } from '../../../src/renderer/workbench/tabKinds';
import { useTabsStore, type WorkbenchTab } from '../../../src/renderer/workbench/tabsStore';
import { ENGINE_WAIT, engineTables } from '../../support/renderer/engineTables';
import {
  ENERGY_METERS,
  PIPELINE_ID,
  PREVIEW_SCRIPT,
  SAMPLE_RESULT_ID,
  bronzeSample,
  deferred,
  ipcStream,
  matchesPage,
  workspaceStatus,
} from '../../support/renderer/fixtures';
import { provideMemoryClient, type MemoryClient } from '../../support/renderer/memoryClient';
import { useRendererEngine } from '../../support/renderer/rendererEngine';

// Node cannot load Monaco; nothing a tab's lifecycle needs may load it.
vi.mock('monaco-editor/esm/vs/editor/editor.api.js', () => {
  throw new Error('A tab lifecycle loaded Monaco');
});

const CYCLES = 50;
const DAY = 'bronze/energy_meters/date=2026-10-01/';
const COLUMNS = [{ name: 'n', type: 'INTEGER' }];

/** A store's live subscriptions, counted through its own subscribe. */
function countSubscriptions(stores: readonly Pick<StoreApi<unknown>, 'subscribe'>[]): () => number {
  let live = 0;
  for (const store of stores) {
    const subscribe = store.subscribe.bind(store);
    store.subscribe = (listener) => {
      live++;
      const unsubscribe = subscribe(listener);
      let once = true;
      return () => {
        if (once) live--;
        once = false;
        unsubscribe();
      };
    };
  }
  return () => live;
}

/** Every store that may hold per-tab state, by name. */
const stores = {
  tabs: useTabsStore,
  charts: useChartStore,
  grid: useGridStore,
  inspector: useInspectorStore,
  lake: useLakeStore,
  pipelineEditors: useEditorsStore,
  reprocessing: useReprocessingStore,
  sqlFiles: useSqlFiles,
  workspace: useWorkspaceStore,
  engine: useEngineStore,
};
const liveSubscriptions = countSubscriptions(Object.values(stores));

/**
 * How much a store field holds: a record's keys, an array's items, a Map's or
 * Set's size; one for a set scalar (a search id), none for null.
 */
function held(value: unknown): number {
  if (value === null || value === undefined) return 0;
  if (value instanceof Map || value instanceof Set) return value.size;
  if (Array.isArray(value)) return value.length;
  if (typeof value === 'object') return Object.keys(value).length;
  return 1;
}

/**
 * How much per-tab state every feature holds now: what every field of every
 * store holds (so a new per-tab record is counted without naming it here), and
 * what the editors keep outside the stores.
 */
function footprint(): Record<string, number> {
  const fields: Record<string, number> = {};
  for (const [name, store] of Object.entries(stores)) {
    for (const [field, value] of Object.entries(store.getState())) {
      // An action is no state.
      if (typeof value !== 'function') fields[`${name}.${field}`] = held(value);
    }
  }
  return { ...fields, sqlEditorState: sqlEditorStateCount(), formulaModels: formulaModelCount() };
}

/** A query's chunk of numbers, or a pipeline sample's Bronze records. */
function resultChunk(resultId: string, chunk: number): Uint8Array {
  if (resultId === SAMPLE_RESULT_ID) return bronzeSample();
  return ipcStream({ n: Int32Array.from([1, 2, 3].map((i) => i + chunk * 3)) });
}

const engine = useRendererEngine();
let server: MemoryClient;
const undo: Array<() => void> = [];

beforeAll(() => {
  useWorkspaceStore.setState({ status: workspaceStatus() });
  // The SQL and pipeline tabs' views load Monaco: their lifecycles are registered without a view.
  const noView = () => null;
  undo.push(
    registerTabKind({ ...sqlTabLifecycle, View: noView }),
    registerTabKind({ ...pipelineTabLifecycle, View: noView }),
    ...contributeGrid(),
    ...contributeCharts(),
    ...contributeLake(),
    ...contributeInspector(),
    ...contributeSync(),
  );
});

afterAll(() => {
  for (const step of undo.reverse()) step();
  useWorkspaceStore.setState(useWorkspaceStore.getInitialState(), true);
});

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
  server = provideMemoryClient({
    'query.run': ({ queryId }) => ({
      queryId,
      resultId: `r-${queryId}`,
      columns: COLUMNS,
      rowCount: 6,
      chunkCount: 2,
      elapsedMs: 1,
    }),
    'results.chunk': ({ resultId, chunk }) => resultChunk(resultId, chunk),
    'results.release': () => ({ released: true }),
    'query.cancel': () => ({ cancelled: true }),
    'history.list': () => ({ entries: [] }),
    'catalog.get': () => ({ relations: [] }),
    'pipelines.list': () => ({ pipelines: [ENERGY_METERS] }),
    'drafts.read': () => ({ draft: null }),
    ...PREVIEW_SCRIPT,
    'lake.browse': ({ prefix }) => ({
      prefix,
      entries: [{ kind: 'folder', prefix: `${prefix}part/`, name: 'part', partition: null }],
      nextToken: null,
    }),
    'inspector.search': () => ({ searchId: 'search-1', jobId: 'job-1' }),
    'inspector.matches': () => matchesPage('running'),
    'jobs.cancel': () => ({ cancelled: true }),
  });
});

afterEach(() => {
  vi.useRealTimers();
});

/** Opens a tab of `kind`, makes its owner (and the parts inside it) keep state, and says which tab it is. */
async function openAndUse(kind: WorkbenchTab['kind'], cycle: number): Promise<string> {
  switch (kind) {
    case 'sql': {
      const id = newQueryTab('SELECT n FROM numbers');
      if (cycle % 2 === 0) {
        await runQuery(id, 'SELECT n FROM numbers');
        updateResultChart(id, { open: true, timeColumn: null, valueColumns: ['n'] });
        request('grid.filter', {
          gridKey: id,
          columns: COLUMNS,
          change: () => [{ column: 'n', kind: 'integer', op: 'gt', value: '1' }],
        });
      } else {
        // Closed while its second chunk is still on the way: the load stops and its table goes.
        const second = deferred<Uint8Array>();
        server.handle('results.chunk', ({ resultId, chunk }) =>
          chunk === 0 ? resultChunk(resultId, chunk) : second.promise,
        );
        const chunksBefore = server.count('results.chunk');
        const run = runQuery(id, 'SELECT n FROM numbers');
        await vi.waitFor(() => expect(server.count('results.chunk')).toBe(chunksBefore + 2));
        expect(useTabsStore.getState().tabs.find((t) => t.id === id)).toMatchObject({ run: { phase: 'loading' } });
        queueMicrotask(() => second.resolve(ipcStream({ n: Int32Array.from([4, 5, 6]) })));
        closeTab(id);
        await run;
        server.handle('results.chunk', ({ resultId, chunk }) => resultChunk(resultId, chunk));
        return id;
      }
      return id;
    }
    case 'pipeline': {
      openPipelineEditor(PIPELINE_ID, ENERGY_METERS.name);
      const id = useTabsStore.getState().activeTabId!;
      await vi.waitFor(() => expect(useEditorsStore.getState().editors[id]?.loading).toBe(false));
      await loadSample(id, ['s1'], '2026-10-04T00:00:00Z', '2026-10-05T00:00:00Z');
      return id;
    }
    case 'chart':
      return openChart(newMetricSpec(PIPELINE_ID), 'Chart');
    case 'lake': {
      const id = request('lake.open', { prefix: DAY });
      await showLakeFolder(id, DAY);
      return id;
    }
    case 'inspector': {
      const id = request('inspector.open', undefined);
      await runSearch();
      // The search runs on: the inspector polls for more matches.
      expect(vi.getTimerCount()).toBeGreaterThan(0);
      return id;
    }
  }
}

describe('the tab lifecycle', () => {
  it.each(['sql', 'pipeline', 'chart', 'lake', 'inspector'] as const)(
    'opens and closes a %s tab 50 times and keeps nothing of it',
    async (kind) => {
      const before = footprint();
      const tablesBefore = await engineTables(engine());
      const subscriptionsBefore = liveSubscriptions();
      const listenersBefore = server.listenerCount();
      const closedListenersBefore = tabClosedListenerCount();
      const cancelsBefore = server.count('query.cancel') + server.count('jobs.cancel');

      for (let cycle = 0; cycle < CYCLES; cycle++) {
        const id = await openAndUse(kind, cycle);
        if (useTabsStore.getState().tabs.some((t) => t.id === id)) {
          // The tab holds something: the test would see it if closing kept it.
          expect(footprint()).not.toEqual(before);
          closeTab(id);
        }
        expect(useTabsStore.getState().tabs.some((t) => t.id === id)).toBe(false);
      }

      await vi.waitFor(async () => expect(await engineTables(engine())).toEqual(tablesBefore), ENGINE_WAIT);
      expect(footprint()).toEqual(before);
      expect(vi.getTimerCount()).toBe(0);
      expect(liveSubscriptions()).toBe(subscriptionsBefore);
      expect(server.listenerCount()).toBe(listenersBefore);
      expect(tabClosedListenerCount()).toBe(closedListenersBefore);
      const cancels = server.count('query.cancel') + server.count('jobs.cancel') - cancelsBefore;
      // A search still running at close is cancelled on the server. (A SQL tab closed while its
      // rows load stops fetching them: the server's part was done; the queryActions tests cover a
      // close while the server runs.)
      expect(cancels).toBe(kind === 'inspector' ? CYCLES : 0);
    },
    120_000,
  );
});
