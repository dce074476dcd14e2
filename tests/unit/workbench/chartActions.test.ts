/**
 * The charts' actions over an in-memory workbench: the saved charts in the
 * sidebar (list, reopen, delete), what a metric chart can pick from the cache or
 * the server, its zoom-out range and its series; what each sends, what it gives
 * back, and a failed reply as the error the UI shows.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  cachedRangeKey,
  deleteSavedChart,
  listSavedCharts,
  loadMetricOptions,
  loadServerExtent,
  newChart,
  pickFirstPipeline,
  reopenSavedChart,
  searchSeries,
} from '../../../src/renderer/features/charts/chartActions';
import { newMetricSpec, patchMetricSource, useChartStore } from '../../../src/renderer/features/charts/chartStore';
import { toErrorView } from '../../../src/renderer/state/errorView';
import { useTabsStore } from '../../../src/renderer/workbench/tabsStore';
import type { ChartSpec, SavedChartInfo } from '../../../src/shared/api/charts';
import { failure } from '../../support/failure';
import { fails, provideMemoryClient } from '../../support/renderer/memoryClient';

const offline = fails('offline', 'The workbench is offline', 'Start it again');
const offlineView = { code: 'offline', message: 'The workbench is offline', hint: 'Start it again' };

const spec: ChartSpec = {
  ...newMetricSpec('meter'),
  source: { kind: 'metrics', pipelineId: 'meter', metrics: ['kwh'], seriesIds: ['m-1'], from: 'cache' },
  window: { fromMs: 1000, toMs: 2000 },
};

/** The tab the action opened (the active one) and the chart it shows. */
function openedChart() {
  const { activeTabId, tabs } = useTabsStore.getState();
  const tab = tabs.find((t) => t.id === activeTabId);
  return { tab, chart: tab ? useChartStore.getState().tabs[tab.id] : undefined };
}

afterEach(() => {
  useTabsStore.setState(useTabsStore.getInitialState(), true);
  useChartStore.setState(useChartStore.getInitialState(), true);
});

describe('saved charts', () => {
  it('list the workspace’s saved charts', async () => {
    const charts: SavedChartInfo[] = [{ name: 'daily-load', bytes: 120, modifiedAt: '2026-03-29T00:00:00Z' }];
    const memory = provideMemoryClient({ 'charts.list': () => ({ charts }) });
    await expect(listSavedCharts()).resolves.toEqual(charts);
    expect(memory.calls).toEqual([{ method: 'charts.list', input: {} }]);
  });

  it('fail to list with the error the section shows', async () => {
    provideMemoryClient({ 'charts.list': offline });
    expect(toErrorView(await failure(listSavedCharts()))).toEqual(offlineView);
  });

  it('reopen a saved chart in a new tab that saves under its name', async () => {
    const memory = provideMemoryClient({ 'charts.read': ({ name }) => ({ name, spec }) });
    await expect(reopenSavedChart('daily-load')).resolves.toBeNull();
    expect(memory.calls).toEqual([{ method: 'charts.read', input: { name: 'daily-load' } }]);
    const { tab, chart } = openedChart();
    expect(tab).toMatchObject({ kind: 'chart', title: 'daily-load' });
    expect(chart).toEqual({ spec, savedName: 'daily-load' });
  });

  it('give back the failure to reopen, and open no tab', async () => {
    provideMemoryClient({ 'charts.read': offline });
    const before = useTabsStore.getState().tabs.length;
    await expect(reopenSavedChart('daily-load')).resolves.toEqual(offlineView);
    expect(useTabsStore.getState().tabs).toHaveLength(before);
    expect(useChartStore.getState().tabs).toEqual({});
  });

  it('delete a saved chart, or give back the failure to', async () => {
    const memory = provideMemoryClient({ 'charts.delete': () => ({ deleted: true }) });
    await expect(deleteSavedChart('daily-load')).resolves.toBeNull();
    expect(memory.calls).toEqual([{ method: 'charts.delete', input: { name: 'daily-load' } }]);

    memory.handle('charts.delete', offline);
    await expect(deleteSavedChart('daily-load')).resolves.toEqual(offlineView);
  });

  it('start a new chart without asking the workbench', () => {
    const memory = provideMemoryClient({});
    newChart();
    const { tab, chart } = openedChart();
    expect(tab).toMatchObject({ kind: 'chart', title: 'Chart' });
    expect(chart).toEqual({ spec: newMetricSpec(), savedName: null });
    expect(memory.calls).toEqual([]);
  });
});

describe('what a metric chart can pick', () => {
  it('group the cached metrics by pipeline, with their counts and cached ranges', async () => {
    const memory = provideMemoryClient({
      'chart.catalog': () => ({
        entries: [
          { pipelineId: 'meter', metric: 'kwh', series: 3, points: 12345, fromMs: 100, toMs: 900 },
          { pipelineId: 'meter', metric: 'kw', series: 2, points: 10, fromMs: 200, toMs: 800 },
          { pipelineId: 'weather', metric: 'temp', series: 1, points: 5, fromMs: 0, toMs: 50 },
        ],
      }),
    });
    const answer = await loadMetricOptions('cache');
    expect(memory.calls).toEqual([{ method: 'chart.catalog', input: {} }]);
    expect(answer.pipelines).toEqual([
      {
        id: 'meter',
        metrics: [
          { name: 'kwh', title: '3 series · 12,345 points' },
          { name: 'kw', title: '2 series · 10 points' },
        ],
      },
      { id: 'weather', metrics: [{ name: 'temp', title: '1 series · 5 points' }] },
    ]);
    expect(answer.cachedRanges.get(cachedRangeKey('meter', 'kwh'))).toEqual({ fromMs: 100, toMs: 900 });
    expect(answer.cachedRanges.get(cachedRangeKey('weather', 'temp'))).toEqual({ fromMs: 0, toMs: 50 });
    expect(answer.cachedRanges.size).toBe(3);
  });

  it('take the server’s pipeline definitions, with no cached ranges', async () => {
    const memory = provideMemoryClient({
      'sync.options': () => ({
        mode: 'timescaledb',
        pipelines: [{ id: 'meter', name: 'Meter', metrics: ['kwh', 'kw'] }],
      }),
    });
    const answer = await loadMetricOptions('server');
    expect(memory.calls).toEqual([{ method: 'sync.options', input: {} }]);
    expect(answer).toEqual({
      pipelines: [
        {
          id: 'meter',
          metrics: [
            { name: 'kwh', title: '' },
            { name: 'kw', title: '' },
          ],
        },
      ],
      cachedRanges: new Map(),
    });
  });

  it('fail with the error the chart shows', async () => {
    provideMemoryClient({ 'chart.catalog': offline, 'sync.options': offline });
    for (const from of ['cache', 'server'] as const) {
      expect(toErrorView(await failure(loadMetricOptions(from)))).toEqual(offlineView);
    }
  });

  it('read the server’s time range, its end one past the last row, or say it is empty', async () => {
    const memory = provideMemoryClient({ 'chart.serverExtent': () => ({ fromMs: 1000, toMs: 4999 }) });
    await expect(loadServerExtent('meter', ['kwh', 'kw'])).resolves.toEqual({
      extent: { fromMs: 1000, toMs: 5000 },
      empty: false,
    });
    expect(memory.inputsOf('chart.serverExtent')).toEqual([{ pipelineId: 'meter', metrics: ['kwh', 'kw'] }]);

    memory.handle('chart.serverExtent', () => ({ fromMs: null, toMs: null }));
    await expect(loadServerExtent('meter', ['kwh'])).resolves.toEqual({ extent: null, empty: true });

    memory.handle('chart.serverExtent', offline);
    expect(toErrorView(await failure(loadServerExtent('meter', ['kwh'])))).toEqual(offlineView);
  });
});

describe('series search', () => {
  it('search the cached series, saying how many more match', async () => {
    const memory = provideMemoryClient({ 'chart.seriesList': () => ({ series: ['m-1', 'm-2'], total: 7 }) });
    const request = { pipelineId: 'meter', metrics: ['kwh'], search: 'm-', limit: 300 };
    await expect(searchSeries('cache', request)).resolves.toEqual({ series: ['m-1', 'm-2'], more: 5 });
    expect(memory.calls).toEqual([{ method: 'chart.seriesList', input: request }]);
  });

  it('search the server’s series, at most 500, saying only whether more match', async () => {
    const memory = provideMemoryClient({ 'sync.series': () => ({ series: ['m-1'], more: true }) });
    const request = { pipelineId: 'meter', metrics: ['kwh'], search: 'm-', limit: 3 };
    await expect(searchSeries('server', request)).resolves.toEqual({ series: ['m-1'], more: 1 });
    await expect(searchSeries('server', { ...request, limit: 5000 })).resolves.toEqual({ series: ['m-1'], more: 1 });
    expect(memory.inputsOf('sync.series')).toEqual([
      { pipelines: ['meter'], search: 'm-', limit: 3 },
      { pipelines: ['meter'], search: 'm-', limit: 500 },
    ]);

    memory.handle('sync.series', () => ({ series: [], more: false }));
    await expect(searchSeries('server', request)).resolves.toEqual({ series: [], more: 0 });
  });

  it('fail with the error the picker shows', async () => {
    provideMemoryClient({ 'chart.seriesList': offline });
    const searching = searchSeries('cache', { pipelineId: 'meter', metrics: ['kwh'], search: '', limit: 3 });
    expect(toErrorView(await failure(searching))).toEqual(offlineView);
  });
});

describe("a chart's first pick", () => {
  const pipelines = [
    { id: 'empty', metrics: [] },
    { id: 'meter', metrics: [{ name: 'kwh', title: '' }] },
  ];
  /** A new chart tab, and a cached series search that answers only when `answer` is called. */
  function newChartWithSlowSearch() {
    let answer = () => undefined as void;
    provideMemoryClient({
      'chart.seriesList': () =>
        new Promise((resolve) => (answer = () => resolve({ series: ['m-1', 'm-2', 'm-3'], total: 9 }))),
    });
    newChart();
    const { tab } = openedChart();
    return { tabId: tab!.id, answer: () => answer() };
  }

  it('takes the first pipeline with a metric, that metric and three series', async () => {
    const { tabId, answer } = newChartWithSlowSearch();
    const picking = pickFirstPipeline(tabId, 'cache', pipelines);
    await new Promise((r) => setTimeout(r, 0));
    answer();
    await picking;
    expect(useChartStore.getState().tabs[tabId]!.spec.source).toEqual({
      kind: 'metrics',
      pipelineId: 'meter',
      metrics: ['kwh'],
      seriesIds: ['m-1', 'm-2', 'm-3'],
    });
  });

  it('never undoes a source switched, or a pipeline picked, while its series were searched', async () => {
    const switched = newChartWithSlowSearch();
    const picking = pickFirstPipeline(switched.tabId, 'cache', pipelines);
    // "Server (live)" chosen before the cached series came back.
    patchMetricSource(switched.tabId, { from: 'server' });
    await new Promise((r) => setTimeout(r, 0));
    switched.answer();
    await picking;
    expect(useChartStore.getState().tabs[switched.tabId]!.spec.source).toEqual({
      kind: 'metrics',
      pipelineId: '',
      metrics: [],
      seriesIds: [],
      from: 'server',
    });

    const picked = newChartWithSlowSearch();
    const picking2 = pickFirstPipeline(picked.tabId, 'cache', pipelines);
    patchMetricSource(picked.tabId, { pipelineId: 'other', metrics: ['temp'] });
    await new Promise((r) => setTimeout(r, 0));
    picked.answer();
    await picking2;
    expect(useChartStore.getState().tabs[picked.tabId]!.spec.source).toMatchObject({
      pipelineId: 'other',
      metrics: ['temp'],
    });
  });
});
