/** What the inspector adds to the workbench: its tab, and "show the Bronze records" of a metric point for everyone. */
import { provideIntent } from '../../workbench/intents';
import { registerTabKind } from '../../workbench/tabKinds';
import { openInspectorTab, openLineage } from './inspectorStore';
import { inspectorTabLifecycle } from './inspectorTabKind';
import { InspectorView } from './InspectorView';

export function contributeInspector(): Array<() => void> {
  return [
    registerTabKind({ ...inspectorTabLifecycle, View: InspectorView }),
    provideIntent('inspector.open', () => openInspectorTab()),
    provideIntent('lineage.open', (lineage) => void openLineage(lineage)),
  ];
}
