/** How a chart tab goes: its spec and saved name are forgotten (the chart's data went with its view). */
import type { TabLifecycle } from '../../workbench/tabKinds';
import { forgetChartTab } from './chartStore';

export const chartTabLifecycle: TabLifecycle<'chart'> = {
  kind: 'chart',
  dispose: (tab) => forgetChartTab(tab.id),
};
