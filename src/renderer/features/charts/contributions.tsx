/** What the charts feature adds to the workbench: the chart tab, and the chart a SQL tab can draw of its result. */
import { providePart, type Parts } from '../../workbench/parts';
import { onTabClosed, registerTabKind } from '../../workbench/tabKinds';
import { forgetResultChart, useChartStore } from './chartStore';
import { chartTabLifecycle } from './chartTabKind';
import { MetricChartTab } from './MetricChartTab';
import { ResultChart, ResultChartToggle } from './ResultChart';

/** The result's chart, drawn only while the user has it open. */
function ResultChartPart(props: Parts['resultChart']) {
  const open = useChartStore((s) => s.results[props.tabId]?.open ?? false);
  return open ? <ResultChart {...props} /> : null;
}

export function contributeCharts(): Array<() => void> {
  return [
    registerTabKind({ ...chartTabLifecycle, View: MetricChartTab }),
    providePart('resultChart', ResultChartPart),
    providePart('resultChartToggle', ResultChartToggle),
    // A SQL tab's result chart is kept under the SQL tab's id.
    onTabClosed(forgetResultChart),
  ];
}
