/**
 * Re-queries a chart when its window or width changes: debounced, and a newer
 * request cancels the one in flight (its answer, if it still comes, is dropped).
 */
import { useEffect, useRef, useState } from 'react';
import type { ChartData } from '../../../shared/charts/chartQuery';
import { toErrorView, type ErrorView } from '../../state/errorView';
import type { ChartWindow } from './TimeSeriesChart';

export interface ChartFetch {
  window: ChartWindow;
  width: number;
}

export type Fetcher = (request: ChartFetch, requestId: string) => Promise<ChartData>;

export interface ChartDataState {
  data: ChartData | null;
  /** The window and width `data` was computed for. */
  drawn: ChartFetch | null;
  loading: boolean;
  error: ErrorView | null;
  elapsedMs: number | null;
}

const DEBOUNCE_MS = 150;
let nextRequest = 1;

export function useChartData(
  request: ChartFetch | null,
  fetcher: Fetcher,
  cancel: (requestId: string) => void,
  /** Changes when what is charted changes (a new fetcher's inputs). */
  signature: string,
): ChartDataState {
  const [state, setState] = useState<ChartDataState>({
    data: null,
    drawn: null,
    loading: false,
    error: null,
    elapsedMs: null,
  });
  const inFlight = useRef<string | null>(null);
  const fetcherRef = useRef(fetcher);
  fetcherRef.current = fetcher;
  const cancelRef = useRef(cancel);
  cancelRef.current = cancel;
  const key = request
    ? `${signature}|${Math.round(request.window.fromMs)}|${Math.round(request.window.toMs)}|${request.width}`
    : '';

  useEffect(() => {
    if (!request) return;
    setState((s) => ({ ...s, loading: true }));
    const timer = setTimeout(() => {
      if (inFlight.current) cancelRef.current(inFlight.current);
      const requestId = `chart-${nextRequest++}`;
      inFlight.current = requestId;
      const started = performance.now();
      fetcherRef.current(request, requestId).then(
        (data) => {
          if (inFlight.current !== requestId) return; // stale: a newer zoom is on its way
          inFlight.current = null;
          setState({ data, drawn: request, loading: false, error: null, elapsedMs: performance.now() - started });
        },
        (err: unknown) => {
          if (inFlight.current !== requestId) return;
          inFlight.current = null;
          setState((s) => ({ ...s, loading: false, error: toErrorView(err) }));
        },
      );
    }, DEBOUNCE_MS);
    return () => clearTimeout(timer);
    // `key` captures every input of the request.
  }, [key]);

  useEffect(
    () => () => {
      if (inFlight.current) cancelRef.current(inFlight.current);
    },
    [],
  );
  return state;
}
