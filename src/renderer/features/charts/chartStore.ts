/**
 * The charts' state that outlives their components: each chart tab's spec
 * (what to draw, how, where zoomed) and which SQL tabs show their result as a chart.
 */
import { create } from 'zustand';
import type { ChartDataSource, ChartSpec } from '../../../shared/api/charts';
import { withoutKey } from '../../workbench/records';
import { openChartTab } from '../../workbench/tabsStore';

export interface ChartTabState {
  spec: ChartSpec;
  /** The saved chart this tab shows (`charts/<name>.json`), or null. */
  savedName: string | null;
}

export interface ResultChartState {
  open: boolean;
  timeColumn: string | null;
  valueColumns: string[];
  type: ChartSpec['type'];
}

interface ChartStore {
  tabs: Record<string, ChartTabState>;
  results: Record<string, ResultChartState>;
  savedVersion: number;
}

export const useChartStore = create<ChartStore>(() => ({ tabs: {}, results: {}, savedVersion: 0 }));

export function newMetricSpec(pipelineId = ''): ChartSpec {
  return {
    version: 1,
    source: { kind: 'metrics', pipelineId, metrics: [], seriesIds: [] },
    type: 'line',
    bucket: 'auto',
    compare: 'none',
    window: null,
  };
}

export function openChart(spec: ChartSpec, title: string, savedName: string | null = null): string {
  const id = openChartTab(title);
  useChartStore.setState((s) => ({ tabs: { ...s.tabs, [id]: { spec, savedName } } }));
  return id;
}

export function updateChartSpec(tabId: string, patch: Partial<ChartSpec>): void {
  useChartStore.setState((s) => {
    const tab = s.tabs[tabId];
    return tab ? { tabs: { ...s.tabs, [tabId]: { ...tab, spec: { ...tab.spec, ...patch } } } } : s;
  });
}

/** A metric chart's source (where its points come from and which), as the store holds it now. */
export type MetricSource = Extract<ChartSpec['source'], { kind: 'metrics' }>;

/** Where a metric chart reads its points: a chart saved before the choice existed reads the cache. */
export function metricSourceFrom(source: MetricSource): ChartDataSource {
  return source.from ?? 'cache';
}

/** The metric source of a chart tab as it is now; null for a closed tab or another kind of chart. */
export function currentMetricSource(tabId: string): MetricSource | null {
  const source = useChartStore.getState().tabs[tabId]?.spec.source;
  return source?.kind === 'metrics' ? source : null;
}

/**
 * Patches a metric chart's source as it is in the store now, never as an earlier
 * render saw it: a patch that lands after a slow answer must not undo a choice
 * made meanwhile (a source switched while a series search ran). `resetWindow`
 * when the zoom no longer applies.
 */
export function patchMetricSource(tabId: string, patch: Partial<MetricSource>, resetWindow = false): void {
  const source = currentMetricSource(tabId);
  if (source) updateChartSpec(tabId, { source: { ...source, ...patch }, ...(resetWindow ? { window: null } : {}) });
}

export function setChartSaved(tabId: string, savedName: string): void {
  useChartStore.setState((s) => {
    const tab = s.tabs[tabId];
    return tab ? { tabs: { ...s.tabs, [tabId]: { ...tab, savedName } }, savedVersion: s.savedVersion + 1 } : s;
  });
}

export function resultChart(tabId: string): ResultChartState {
  return useChartStore.getState().results[tabId] ?? { open: false, timeColumn: null, valueColumns: [], type: 'line' };
}

export function updateResultChart(tabId: string, patch: Partial<ResultChartState>): void {
  useChartStore.setState((s) => ({ results: { ...s.results, [tabId]: { ...resultChart(tabId), ...patch } } }));
}

/** A closed chart tab's spec goes with it. */
export function forgetChartTab(tabId: string): void {
  useChartStore.setState((s) => ({ tabs: withoutKey(s.tabs, tabId) }));
}

/** The chart a closed SQL tab drew of its result goes with it. */
export function forgetResultChart(tabId: string): void {
  useChartStore.setState((s) => ({ results: withoutKey(s.results, tabId) }));
}

/** Saves a file the user asked for (PNG, SVG, CSV) through the browser's download. */
export function download(name: string, href: string): void {
  const a = document.createElement('a');
  a.href = href;
  a.download = name;
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  if (href.startsWith('blob:')) setTimeout(() => URL.revokeObjectURL(href), 10_000);
}

export function downloadText(name: string, text: string, type: string): void {
  download(name, URL.createObjectURL(new Blob([text], { type })));
}
