/**
 * The metric chart itself: the chart panel over the picked metrics, re-queried
 * on zoom; a server chart's heavy-read notice over the plot and the strip of
 * where its stretches came from under it; "Open Bronze records" for a range.
 */
import { useRef, useState, type ReactNode } from 'react';
import type { ChartSpec } from '../../../shared/api/charts';
import { bronzeRecordsSql } from '../../../shared/charts/bronzeSql';
import { request } from '../../workbench/intents';
import { cancelMetricChart, fetchMetricChart } from './chartActions';
import { metricSourceFrom, updateChartSpec, type MetricSource } from './chartStore';
import { ChartPanel } from './ChartPanel';
import { HeavyNotice, PartsStrip } from './ServerChartNotes';
import type { ChartWindow } from './TimeSeriesChart';
import type { Fetcher } from './useChartData';

export function MetricChartPlot({
  tabId,
  spec,
  source,
  extent,
  timeZone,
  savedName,
  units,
  toolbarExtra,
}: {
  tabId: string;
  spec: ChartSpec;
  source: MetricSource;
  /** Null while the time range is not known: nothing is drawn. */
  extent: ChartWindow | null;
  timeZone: string;
  savedName: string | null;
  units: Map<string, string>;
  toolbarExtra: ReactNode;
}) {
  const from = metricSourceFrom(source);
  // The series of the window drawn, for "Open Bronze records" (read on its click only: no re-render).
  const shownKeys = useRef<string[]>([]);
  // "Draw anyway" holds for the selection it was pressed on.
  const selectionKey = JSON.stringify([from, source.pipelineId, source.metrics, source.seriesIds]);
  const [drawAnyway, setDrawAnyway] = useState<string | null>(null);
  const unbounded = from === 'server' && drawAnyway === selectionKey;
  if (!extent) return null;

  const query = { source, bucket: spec.bucket, compare: spec.compare, timeZone, unbounded };
  const fetcher: Fetcher = async (fetch, requestId) => {
    const fetched = await fetchMetricChart(query, fetch, requestId);
    shownKeys.current = fetched.shownKeys;
    return fetched.data;
  };
  return (
    <ChartPanel
      testId="metric-chart"
      type={spec.type}
      bucket={spec.bucket}
      onChange={(patch) => updateChartSpec(tabId, patch)}
      timeZone={timeZone}
      extent={extent}
      window={spec.window}
      onWindow={(window) => updateChartSpec(tabId, { window })}
      fetcher={fetcher}
      cancel={(requestId) => cancelMetricChart(requestId, spec.compare)}
      signature={JSON.stringify([source, spec.compare, timeZone, unbounded])}
      unitOf={(key) => units.get(key.split(' · ')[0] ?? '') ?? ''}
      exportName={(savedName ?? `${source.pipelineId}-${source.metrics.join('-')}`).replace(/[^\w.-]+/g, '_')}
      emptyText={from === 'server' ? 'No points in this range on the server.' : undefined}
      overlay={(data) =>
        data.heavy ? (
          <HeavyNotice
            heavy={data.heavy}
            onDrawAnyway={() => setDrawAnyway(selectionKey)}
            onSync={() =>
              request('sync.open', {
                pipelineId: source.pipelineId,
                preset: { metrics: source.metrics, from: data.heavy!.fromDay, to: data.heavy!.toDay },
              })
            }
          />
        ) : null
      }
      footer={(data, drawn) =>
        from === 'server' && !data.heavy ? <PartsStrip data={data} timeZone={timeZone} {...drawn} /> : null
      }
      toolbarExtra={toolbarExtra}
      rangeActions={(range) => (
        <button
          type="button"
          className="header-button"
          data-testid="chart-open-bronze"
          title={`Opens the SQL for bronze.${source.pipelineId}, the series shown and this time range, in a new tab (not run yet)`}
          onClick={() =>
            request('sql.open', {
              sql: bronzeRecordsSql({ ...source, seriesKeys: shownKeys.current }, range),
              title: `Bronze · ${source.pipelineId}`,
              generated: true,
            })
          }
        >
          Open Bronze records
        </button>
      )}
    />
  );
}
