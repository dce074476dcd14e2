/**
 * A chart tab over the metrics: pick where the points come from (the cache, or
 * the server live), a pipeline, metrics and series on the left (MetricPicker);
 * the chart (M4, re-queried on zoom) on the right (MetricChartPlot), with where
 * its stretches came from when live; compare with the previous day/week and
 * save as `charts/<name>.json` (MetricChartToolbar); open the Bronze records
 * behind a selected time range.
 */
import { useWorkspaceStore, useWorkspaceTimeZone } from '../../state/workspaceStore';
import type { ChartTab } from '../../workbench/tabsStore';
import { updateChartSpec } from './chartStore';
import { MetricChartNotices } from './MetricChartNotices';
import { MetricChartPlot } from './MetricChartPlot';
import { useChartSave, useMetricChartSource } from './MetricChartState';
import { MetricChartToolbar } from './MetricChartToolbar';
import { MetricPicker } from './MetricPicker';

export function MetricChartTab({ tab }: { tab: ChartTab }) {
  const { savedName, spec, source, from, options, range, setSource, reload } = useMetricChartSource(tab.id);
  const saving = useChartSave(tab.id, spec);
  const timeZone = useWorkspaceTimeZone();
  const pipelines = useWorkspaceStore((s) => s.pipelines.data?.pipelines ?? []);
  const unitByMetric = new Map(
    (pipelines.find((p) => p.id === source.pipelineId)?.definition.metrics ?? []).map((m) => [m.name, m.unit]),
  );

  return (
    <div className="chart-tab" data-testid="chart-tab">
      <MetricPicker
        source={source}
        pipelines={options.pipelines ?? []}
        units={unitByMetric}
        onReload={reload}
        onChange={setSource}
      />
      <section className="chart-main">
        <MetricChartNotices
          from={from}
          options={options}
          range={range}
          saveError={saving.error}
          metricCount={source.metrics.length}
        />
        <MetricChartPlot
          tabId={tab.id}
          spec={spec}
          source={source}
          extent={range.extent}
          timeZone={timeZone}
          savedName={savedName}
          units={unitByMetric}
          toolbarExtra={
            <MetricChartToolbar
              compare={spec.compare}
              timeZone={timeZone}
              onCompare={(compare) => updateChartSpec(tab.id, { compare })}
              saving={saving}
              savedName={savedName}
              tabTitle={tab.title}
            />
          }
        />
      </section>
    </div>
  );
}
