/**
 * What the Server section does: read the server's catalog, and open SQL tabs
 * that run on the server, live and read-only (the query feature owns them;
 * asked through the `sql.open` intent).
 */
import type { ServerCatalog, ServerRelation } from '../../../shared/api/server';
import { bucketPreviewSql, liveSelectSql } from '../../../shared/serverSql';
import { toErrorView } from '../../state/errorView';
import { workbench } from '../../state/workbench';
import { request } from '../../workbench/intents';
import { useServerStore } from './serverStore';

export async function refreshServerCatalog(): Promise<void> {
  if (useServerStore.getState().loading) return;
  useServerStore.setState({ loading: true });
  try {
    const catalog = await workbench().call('server.catalog', {});
    useServerStore.setState({ catalog, error: null, loading: false });
  } catch (err) {
    useServerStore.setState({ error: toErrorView(err), loading: false });
  }
}

/** Reads the catalog unless it is already there (PostgreSQL just became ready). */
export function loadServerCatalog(): void {
  if (!useServerStore.getState().catalog) void refreshServerCatalog();
}

/** `SELECT * … LIMIT 1000` of a table or view (a continuous aggregate's too), on the server. */
export function openLiveSelect({ schema, name }: { schema: string; name: string }): void {
  request('sql.open', { sql: liveSelectSql(schema, name), title: `${name} (live)`, target: 'server' });
}

/** Rows per hour of a relation's time column, newest first, counted on the server. */
export function previewBuckets(catalog: ServerCatalog, relation: ServerRelation): void {
  if (!relation.timeColumn) return;
  request('sql.open', {
    sql:
      `-- Rows per hour on the server, newest first (${catalog.mode === 'timescaledb' ? 'time_bucket' : 'date_bin'}).\n` +
      bucketPreviewSql(catalog, relation.schema, relation.name, relation.timeColumn, '1 hour'),
    title: `${relation.name} per hour (live)`,
    target: 'server',
  });
}

/** An empty SQL tab that runs on the server. */
export function newLiveQuery(): void {
  request('sql.open', { sql: '-- Runs on the server, read-only. Ctrl/Cmd+Enter runs it.\n', target: 'server' });
}
