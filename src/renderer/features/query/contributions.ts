/**
 * What the query feature adds to the workbench: the SQL tab, "open SQL" for everyone,
 * the editor's run marks and DuckDB's SQL language in Monaco.
 */
import { provideIntent } from '../../workbench/intents';
import { registerTabKind } from '../../workbench/tabKinds';
import { attachRunMarkers, newQueryTab, openGeneratedSql } from './queryActions';
import { clearRunMarkers, markRunError } from './editorModels';
import { QueryTabView } from './QueryTabView';
import { registerSqlLanguage } from './sqlLanguage';
import { sqlTabLifecycle } from './sqlTabKind';

export function contributeQuery(): Array<() => void> {
  return [
    registerTabKind({ ...sqlTabLifecycle, View: QueryTabView }),
    provideIntent('sql.open', ({ sql, title, target, generated }) =>
      generated ? openGeneratedSql(sql, title ?? 'Query', target) : newQueryTab(sql, title, target),
    ),
    attachRunMarkers({
      clear: clearRunMarkers,
      markError: (tabId, origin, sql, message) => void markRunError(tabId, origin, sql, message),
    }),
    registerSqlLanguage(),
  ];
}
