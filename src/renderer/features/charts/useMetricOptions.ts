/**
 * What a metric chart can draw, from where its points come: the cached
 * metrics or the pipeline definitions on the server (with the server's
 * zoom-out range). chartActions asks the workbench; these hooks hold the answers.
 */
import { useEffect, useMemo, useState } from 'react';
import type { ChartDataSource } from '../../../shared/api/charts';
import { toErrorView, type ErrorView } from '../../state/errorView';
import { cachedRangeKey, loadMetricOptions, loadServerExtent } from './chartActions';
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
    cachedRanges: Map<string, ChartWindow>;
    error: ErrorView | null;
  }>({ from, pipelines: null, cachedRanges: new Map(), error: null });
  const [version, setVersion] = useState(0);
  useEffect(() => {
    let live = true;
    setState({ from, pipelines: null, cachedRanges: new Map(), error: null });
    loadMetricOptions(from).then(
      (answer) => live && setState({ from, ...answer, error: null }),
      (err: unknown) => live && setState({ from, pipelines: null, cachedRanges: new Map(), error: toErrorView(err) }),
    );
    return () => {
      live = false;
    };
  }, [from, version]);
  // A switch of source shows nothing of the other source's answer.
  const current = state.from === from;
  return {
    pipelines: current ? state.pipelines : null,
    cachedRanges: current ? state.cachedRanges : new Map(),
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
    loadServerExtent(pipelineId, metrics).then(
      (r) => live && setServer({ key, ...r, error: null }),
      (err: unknown) => live && setServer({ key, extent: null, empty: false, error: toErrorView(err) }),
    );
    return () => {
      live = false;
    };
  }, [from, key]);
  const ranges = metrics.flatMap((m) => {
    const r = cachedRanges.get(cachedRangeKey(pipelineId, m));
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
