/**
 * What a metric chart can draw, from where its points come: the cached
 * metrics (`chart.catalog`) or the pipeline definitions on the server
 * (`sync.options`, with `chart.serverExtent` for the zoom-out range); and the
 * series of a pipeline from the same place.
 */
import { useEffect, useMemo, useState } from 'react';
import type { ChartDataSource } from '../../../shared/api/charts';
import { toErrorView, type ErrorView } from '../../state/errorView';
import { workbench } from '../../state/workbench';
import type { ChartWindow } from './TimeSeriesChart';

export interface MetricChoice {
  name: string;
  /** What the metric's tooltip says (series and points in the cache). */
  title: string;
}

export interface PipelineChoice {
  id: string;
  metrics: MetricChoice[];
}

export interface MetricOptions {
  /** Null while loading. */
  pipelines: PipelineChoice[] | null;
  error: ErrorView | null;
  reload: () => void;
}

/** The pipelines and their metrics a chart of `from` can pick. */
export function useMetricOptions(from: ChartDataSource): MetricOptions & {
  /** The cached range of each metric (cache only), for the extent. */
  cachedRanges: Map<string, ChartWindow>;
} {
  const [state, setState] = useState<{
    from: ChartDataSource;
    pipelines: PipelineChoice[] | null;
    ranges: Map<string, ChartWindow>;
    error: ErrorView | null;
  }>({ from, pipelines: null, ranges: new Map(), error: null });
  const [version, setVersion] = useState(0);
  useEffect(() => {
    let live = true;
    setState({ from, pipelines: null, ranges: new Map(), error: null });
    const done = (pipelines: PipelineChoice[], ranges: Map<string, ChartWindow> = new Map()) =>
      live && setState({ from, pipelines, ranges, error: null });
    const failed = (err: unknown) =>
      live && setState({ from, pipelines: null, ranges: new Map(), error: toErrorView(err) });
    if (from === 'server') {
      workbench()
        .call('sync.options', {})
        .then(
          (o) => done(o.pipelines.map((p) => ({ id: p.id, metrics: p.metrics.map((name) => ({ name, title: '' })) }))),
          failed,
        );
    } else {
      workbench()
        .call('chart.catalog', {})
        .then((r) => {
          const byPipeline = new Map<string, MetricChoice[]>();
          const ranges = new Map<string, ChartWindow>();
          for (const e of r.entries) {
            const list = byPipeline.get(e.pipelineId) ?? [];
            list.push({
              name: e.metric,
              title: `${e.series} series · ${e.points.toLocaleString('en-US')} points`,
            });
            byPipeline.set(e.pipelineId, list);
            ranges.set(`${e.pipelineId}\u0001${e.metric}`, { fromMs: e.fromMs, toMs: e.toMs });
          }
          done(
            [...byPipeline].map(([id, metrics]) => ({ id, metrics })),
            ranges,
          );
        }, failed);
    }
    return () => {
      live = false;
    };
  }, [from, version]);
  // A switch of source shows nothing of the other source's answer.
  const current = state.from === from;
  return {
    pipelines: current ? state.pipelines : null,
    cachedRanges: current ? state.ranges : new Map(),
    error: current ? state.error : null,
    reload: () => setVersion((v) => v + 1),
  };
}

/**
 * The time range a chart can zoom out to: the cached metrics' span, or what the
 * server holds for them (null bounds: no rows). Null while not known.
 */
export function useChartExtent(
  from: ChartDataSource,
  pipelineId: string,
  metrics: string[],
  cachedRanges: Map<string, ChartWindow>,
  version: number,
): { extent: ChartWindow | null; empty: boolean; error: ErrorView | null } {
  const [server, setServer] = useState<{
    key: string;
    extent: ChartWindow | null;
    empty: boolean;
    error: ErrorView | null;
  } | null>(null);
  const key = JSON.stringify([pipelineId, metrics, version]);
  useEffect(() => {
    if (from !== 'server' || !pipelineId || metrics.length === 0) return;
    let live = true;
    workbench()
      .call('chart.serverExtent', { pipelineId, metrics })
      .then(
        (r) =>
          live &&
          setServer({
            key,
            extent: r.fromMs === null || r.toMs === null ? null : { fromMs: r.fromMs, toMs: r.toMs + 1 },
            empty: r.fromMs === null || r.toMs === null,
            error: null,
          }),
        (err: unknown) => live && setServer({ key, extent: null, empty: false, error: toErrorView(err) }),
      );
    return () => {
      live = false;
    };
  }, [from, key]);
  const ranges = metrics.flatMap((m) => {
    const r = cachedRanges.get(`${pipelineId}\u0001${m}`);
    return r ? [r] : [];
  });
  const fromMs = ranges.length ? Math.min(...ranges.map((r) => r.fromMs)) : null;
  const toMs = ranges.length ? Math.max(...ranges.map((r) => r.toMs)) + 1 : null;
  const cached = useMemo(() => (fromMs === null || toMs === null ? null : { fromMs, toMs }), [fromMs, toMs]);
  if (from === 'server') {
    return server && server.key === key ? server : { extent: null, empty: false, error: null };
  }
  return { extent: cached, empty: false, error: null };
}

/** A page of a pipeline's series ids matching `search`, from the cache or the server. */
export async function listSeries(
  from: ChartDataSource,
  request: { pipelineId: string; metrics: string[]; search: string; limit: number },
): Promise<{ series: string[]; more: number }> {
  if (from === 'server') {
    const r = await workbench().call('sync.series', {
      pipelines: [request.pipelineId],
      search: request.search,
      limit: Math.min(500, request.limit),
    });
    // The server says only that more match, not how many.
    return { series: r.series, more: r.more ? 1 : 0 };
  }
  const r = await workbench().call('chart.seriesList', request);
  return { series: r.series, more: r.total - r.series.length };
}
