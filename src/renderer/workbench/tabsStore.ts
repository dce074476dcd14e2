/**
 * Per-tab state of the SQL tabs: text, run state, last result and sort. It lives
 * outside the components so switching tabs keeps everything.
 */
import { create } from 'zustand';
import type { ColumnInfo } from '../../shared/api/contract';
import type { SkippedFile } from '../../shared/api/lake';
import type { SortKey } from '../engine/pagingSql';
import type { ErrorView } from '../state/errorView';

const DEMO_SQL = `-- Points and average value per metric, over the demo metrics.
-- Ctrl/Cmd+Enter runs the selection, or everything when nothing is selected.
SELECT pipeline_id, metric_name, count(*) AS points, round(avg(value), 3) AS avg_value
FROM metrics
GROUP BY ALL
ORDER BY ALL;
`;

export interface QueryResultView {
  queryId: string;
  /** The engine table holding the rows; null when the result has no rows to load. */
  tableName: string | null;
  columns: ColumnInfo[];
  rowCount: number;
  serverMs: number;
  loadMs: number;
  /** The query that produced it (Export re-runs it in full). */
  sql: string;
  /** Rows the warehouse returned; more than rowCount while they are still loading. */
  expectedRows: number;
  /** Damaged Parquet files the views read left out. */
  skippedFiles?: SkippedFile[];
}

export type RunState =
  | { phase: 'idle' }
  /** Run was pressed while the workspace starts: the query waits for what it runs on. */
  | { phase: 'waiting'; startedAt: number; on: 'warehouse' | 'postgres' }
  | { phase: 'running'; queryId: string; startedAt: number }
  | { phase: 'loading'; queryId: string; startedAt: number; chunksLoaded: number; chunkCount: number };

export interface QueryTab {
  kind: 'sql';
  id: string;
  title: string;
  sql: string;
  run: RunState;
  result: QueryResultView | null;
  error: ErrorView | null;
  /** A short note shown above the kept result, e.g. after a cancel. */
  notice: string | null;
  /** The statement the server refused as too heavy to read live: "Run anyway" runs exactly it. */
  heavySql?: string | null;
  sort: SortKey[];
  /** Where the SQL runs: the local warehouse (default) or the server, live and read-only. */
  target?: QueryTarget;
  /** The saved query this tab edits (`queries/<name>.sql`) and its text as last saved; dirty when `sql` differs. */
  saved: { name: string; sql: string } | null;
}

/** A Bronze lake browser: where it is in the lake. */
export interface LakeTab {
  kind: 'lake';
  id: string;
  title: string;
  prefix: string;
}

/** A pipeline editor (features/pipelines keeps its draft and preview by tab id). */
export interface PipelineTab {
  kind: 'pipeline';
  id: string;
  title: string;
  pipelineId: string;
}

/** A time-series chart of cached metrics (features/charts keeps its spec by tab id). */
export interface ChartTab {
  kind: 'chart';
  id: string;
  title: string;
}

/** The Bronze record inspector; its state lives in features/inspector/inspectorStore. */
export interface InspectorTab {
  kind: 'inspector';
  id: string;
  title: string;
}

export type WorkbenchTab = QueryTab | LakeTab | PipelineTab | ChartTab | InspectorTab;

interface TabsStore {
  tabs: WorkbenchTab[];
  activeTabId: string | null;
  /** Numbering for "Query n" titles; never reused so titles stay unique. */
  counter: number;
}

export type QueryTarget = 'warehouse' | 'server';

function newTab(id: string, title: string, sql: string): QueryTab {
  return {
    kind: 'sql',
    id,
    title,
    sql,
    run: { phase: 'idle' },
    result: null,
    error: null,
    notice: null,
    sort: [],
    saved: null,
  };
}

export const useTabsStore = create<TabsStore>(() => ({
  tabs: [newTab('tab-1', 'Query 1', DEMO_SQL)],
  activeTabId: 'tab-1',
  counter: 1,
}));

/** The SQL tab with this id (a lake tab is not one). */
export function getTab(id: string): QueryTab | undefined {
  const tab = useTabsStore.getState().tabs.find((t) => t.id === id);
  return tab?.kind === 'sql' ? tab : undefined;
}

/** The id of the tab on screen: the active one while it is open (a primitive, so selecting it re-renders only on a switch). */
export function shownTabId(state: TabsStore): string | null {
  return state.tabs.some((t) => t.id === state.activeTabId) ? state.activeTabId : null;
}

/** Adds the tab `make` builds from the next id and number ("Query n" titles use it), and shows it. */
export function openTab(make: (id: string, n: number) => WorkbenchTab): string {
  const n = useTabsStore.getState().counter + 1;
  const tab = make(`tab-${n}`, n);
  useTabsStore.setState((s) => ({ tabs: [...s.tabs, tab], activeTabId: tab.id, counter: n }));
  return tab.id;
}

export function addTab(
  options: { sql?: string; title?: string; saved?: QueryTab['saved']; target?: QueryTarget } = {},
): string {
  return openTab((id, n) => ({
    ...newTab(id, options.title ?? `Query ${n}`, options.sql ?? ''),
    saved: options.saved ?? null,
    ...(options.target ? { target: options.target } : {}),
  }));
}

/** Opens a lake browser at `prefix`, reusing the open one if there is one. */
export function openLakeTab(prefix: string): string {
  const existing = useTabsStore.getState().tabs.find((t): t is LakeTab => t.kind === 'lake');
  if (existing) {
    useTabsStore.setState((s) => ({
      tabs: s.tabs.map((t) => (t.id === existing.id ? { ...existing, prefix } : t)),
      activeTabId: existing.id,
    }));
    return existing.id;
  }
  return openTab((id) => ({ kind: 'lake', id, title: 'Bronze lake', prefix }));
}

/** Opens the editor of a pipeline, switching to it when it is already open. */
export function openPipelineTab(pipelineId: string, title: string): string {
  const existing = useTabsStore.getState().tabs.find((t) => t.kind === 'pipeline' && t.pipelineId === pipelineId);
  if (existing) {
    activateTab(existing.id);
    return existing.id;
  }
  return openTab((id) => ({ kind: 'pipeline', id, title, pipelineId }));
}

export function openChartTab(title: string): string {
  return openTab((id) => ({ kind: 'chart', id, title }));
}

export function setLakePrefix(id: string, prefix: string): void {
  useTabsStore.setState((s) => ({
    tabs: s.tabs.map((t) => (t.id === id && t.kind === 'lake' ? { ...t, prefix } : t)),
  }));
}

/** Removes the tab and activates its neighbour; the caller frees what the tab held. */
export function removeTab(id: string): void {
  useTabsStore.setState((s) => {
    const index = s.tabs.findIndex((t) => t.id === id);
    if (index < 0) return s;
    const tabs = s.tabs.filter((t) => t.id !== id);
    const activeTabId = s.activeTabId === id ? (tabs[Math.min(index, tabs.length - 1)]?.id ?? null) : s.activeTabId;
    return { tabs, activeTabId };
  });
}

export function activateTab(id: string): void {
  useTabsStore.setState({ activeTabId: id });
}

export function updateTab(id: string, patch: Partial<Omit<QueryTab, 'id' | 'kind'>>): void {
  useTabsStore.setState((s) => ({
    tabs: s.tabs.map((t) => (t.id === id && t.kind === 'sql' ? { ...t, ...patch } : t)),
  }));
}
