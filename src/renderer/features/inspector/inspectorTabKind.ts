/** How the inspector tab goes: its polling stops, a running search is cancelled and its state is reset. */
import type { TabLifecycle } from '../../workbench/tabKinds';
import { disposeInspector } from './inspectorStore';

export const inspectorTabLifecycle: TabLifecycle<'inspector'> = {
  kind: 'inspector',
  dispose: () => disposeInspector(),
};
