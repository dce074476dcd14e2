/** How a SQL tab lives and goes: unsaved when its text differs from its saved file; closing cancels and frees. */
import type { TabLifecycle } from '../../workbench/tabKinds';
import { disposeQueryTab } from './queryActions';
import { disposeEditorModel } from './sqlModels';
import { isDirty } from './sqlFilesStore';

export const sqlTabLifecycle: TabLifecycle<'sql'> = {
  kind: 'sql',
  dirty: isDirty,
  dispose(tab) {
    disposeQueryTab(tab);
    disposeEditorModel(tab.id);
  },
};
