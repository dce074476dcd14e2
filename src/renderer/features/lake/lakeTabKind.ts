/** How a lake tab goes: its listing stops and what it showed (entries, filters, selection, open file) is forgotten. */
import type { TabLifecycle } from '../../workbench/tabKinds';
import { forgetLakeTab } from './lakeActions';

export const lakeTabLifecycle: TabLifecycle<'lake'> = {
  kind: 'lake',
  dispose: (tab) => forgetLakeTab(tab.id),
};
