/** What the inspector adds to the workbench: its tab, and "show the Bronze records" of a metric point for everyone. */
import { provideIntent } from '../../workbench/intents';
import { registerTabKind } from '../../workbench/tabKinds';
import { disposeInspector, openInspectorTab, openLineage } from './inspectorStore';
import { InspectorView } from './InspectorView';

export function contributeInspector(): Array<() => void> {
  return [
    registerTabKind({ kind: 'inspector', View: InspectorView, dispose: disposeInspector }),
    provideIntent('inspector.open', () => openInspectorTab()),
    provideIntent('lineage.open', (lineage) => void openLineage(lineage)),
  ];
}
