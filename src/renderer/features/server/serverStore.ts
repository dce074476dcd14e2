/** The server catalog the sidebar shows, read once PostgreSQL is ready and again on refresh. */
import { create } from 'zustand';
import type { ServerCatalog } from '../../../shared/api/server';
import { toErrorView, type ErrorView } from '../../state/errorView';
import { workbench } from '../../state/workbench';

interface ServerStore {
  catalog: ServerCatalog | null;
  error: ErrorView | null;
  loading: boolean;
}

export const useServerStore = create<ServerStore>(() => ({ catalog: null, error: null, loading: false }));

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
