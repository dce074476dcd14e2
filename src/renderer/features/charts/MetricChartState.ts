/**
 * A metric chart tab's state: its spec lives in chartStore; these hooks add what
 * the tab derives from it (the source, what it can pick, its time range) and the
 * save form's name and failure.
 */
import { useEffect, useState } from 'react';
import type { ChartSpec } from '../../../shared/api/charts';
import { toErrorView, type ErrorView } from '../../state/errorView';
import { pickFirstPipeline, saveChart } from './chartActions';
import { metricSourceFrom, newMetricSpec, patchMetricSource, useChartStore, type MetricSource } from './chartStore';
import { useChartExtent, useMetricOptions } from './useMetricOptions';

/** The tab's spec and source, what the source offers, and the time range the chart can zoom out to. */
export function useMetricChartSource(tabId: string) {
  const state = useChartStore((s) => s.tabs[tabId]);
  const spec = state?.spec ?? newMetricSpec();
  const source: MetricSource = spec.source.kind === 'metrics' ? spec.source : (newMetricSpec().source as MetricSource);
  const from = metricSourceFrom(source);
  const options = useMetricOptions(from);
  // ↻ reads the server's time range again too.
  const [extentVersion, setExtentVersion] = useState(0);
  const range = useChartExtent(from, source.pipelineId, source.metrics, options.cachedRanges, extentVersion);

  const setSource = (patch: Partial<MetricSource>, resetWindow = false) => patchMetricSource(tabId, patch, resetWindow);

  // A new chart starts on the first pipeline, its first metric and three series. A switch of
  // source keeps the pipeline and the metrics the other source has too.
  useEffect(() => {
    const list = options.pipelines;
    if (!list) return;
    const current = list.find((p) => p.id === source.pipelineId);
    if (current) {
      const kept = source.metrics.filter((m) => current.metrics.some((c) => c.name === m));
      if (kept.length < source.metrics.length)
        setSource({ metrics: kept.length ? kept : current.metrics.slice(0, 1).map((m) => m.name) });
      return;
    }
    // A saved chart of a pipeline no longer cached stays on it (its list says so).
    if (source.pipelineId && from === 'cache') return;
    void pickFirstPipeline(tabId, from, list);
  }, [options.pipelines]);

  const reload = () => {
    options.reload();
    setExtentVersion((v) => v + 1);
  };
  return { savedName: state?.savedName ?? null, spec, source, from, options, range, setSource, reload };
}

export interface ChartSaving {
  /** The name being typed in the save form; null while the form is closed. */
  name: string | null;
  setName: (name: string | null) => void;
  error: ErrorView | null;
  save: (name: string) => Promise<void>;
}

/** "Save…": the form's name, and the failure of the last save (shown above the chart). */
export function useChartSave(tabId: string, spec: ChartSpec): ChartSaving {
  const [name, setName] = useState<string | null>(null);
  const [error, setError] = useState<ErrorView | null>(null);
  const save = async (saveAs: string) => {
    try {
      await saveChart(tabId, saveAs, spec);
      setName(null);
      setError(null);
    } catch (err) {
      setError(toErrorView(err));
    }
  };
  return { name, setName, error, save };
}
