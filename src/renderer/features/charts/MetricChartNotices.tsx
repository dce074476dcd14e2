/** Above a metric chart: why it cannot draw (what failed to read, nothing to pick, no rows) and a failed save. */
import type { ChartDataSource } from '../../../shared/api/charts';
import type { ErrorView } from '../../state/errorView';
import { ErrorPanel } from '../common/ErrorPanel';
import type { MetricOptions } from './useMetricOptions';

export function MetricChartNotices({
  from,
  options,
  range,
  saveError,
  metricCount,
}: {
  from: ChartDataSource;
  options: Pick<MetricOptions, 'pipelines' | 'error'>;
  /** The chart's time range: `empty` when the server holds no rows of these metrics. */
  range: { empty: boolean; error: ErrorView | null };
  saveError: ErrorView | null;
  /** How many metrics are picked. */
  metricCount: number;
}) {
  const noMetrics = options.pipelines !== null && !options.pipelines.some((p) => p.metrics.length > 0);
  return (
    <>
      {options.error ? (
        <ErrorPanel
          error={options.error}
          title={from === 'server' ? 'Could not read the pipelines on the server' : 'Could not read the cached metrics'}
          testId="chart-options-error"
        />
      ) : null}
      {range.error ? (
        <ErrorPanel error={range.error} title="Could not read the server's time range" testId="chart-extent-error" />
      ) : null}
      {saveError ? (
        <div className="error-hint" role="alert">
          {saveError.message} {saveError.hint}
        </div>
      ) : null}
      {noMetrics && from === 'cache' ? (
        <div className="empty-result" data-testid="chart-no-metrics">
          No metrics in the local cache yet. Pull some with sidebar → Pipelines → Sync metrics…, then ↻.
        </div>
      ) : null}
      {noMetrics && from === 'server' ? (
        <div className="empty-result" data-testid="chart-no-metrics">
          The pipelines on the server define no metrics yet.
        </div>
      ) : null}
      {options.pipelines && !noMetrics && metricCount === 0 ? (
        <div className="empty-result">Pick at least one metric to draw.</div>
      ) : null}
      {range.empty && metricCount > 0 ? (
        <div className="empty-result" data-testid="chart-empty">
          No points in this range on the server: it holds no rows of these metrics.
        </div>
      ) : null}
    </>
  );
}
