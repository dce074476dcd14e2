/** What the query feature adds to the workbench: the SQL tab, "open SQL" for everyone, the editor's run marks. */
import { provideIntent } from '../../workbench/intents';
import { registerTabKind } from '../../workbench/tabKinds';
import { attachRunMarkers, disposeQueryTab, newQueryTab, openGeneratedSql } from './queryActions';
import { clearRunMarkers, disposeEditorModel, markRunError } from './editorModels';
import { isDirty } from './sqlFilesStore';
import { QueryTabView } from './QueryTabView';

export function contributeQuery(): Array<() => void> {
  return [
    registerTabKind({
      kind: 'sql',
      View: QueryTabView,
      dirty: isDirty,
      dispose(tab) {
        disposeQueryTab(tab);
        disposeEditorModel(tab.id);
      },
    }),
    provideIntent('sql.open', ({ sql, title, target, generated }) =>
      generated ? openGeneratedSql(sql, title ?? 'Query', target) : newQueryTab(sql, title, target),
    ),
    attachRunMarkers({
      clear: clearRunMarkers,
      markError: (tabId, origin, sql, message) => void markRunError(tabId, origin, sql, message),
    }),
  ];
}
