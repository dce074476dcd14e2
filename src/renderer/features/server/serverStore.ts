/** The server catalog the sidebar shows; serverActions.ts reads it once PostgreSQL is ready and again on refresh. */
import { create } from 'zustand';
import type { ServerCatalog } from '../../../shared/api/server';
import type { ErrorView } from '../../state/errorView';

interface ServerStore {
  catalog: ServerCatalog | null;
  error: ErrorView | null;
  loading: boolean;
}

export const useServerStore = create<ServerStore>(() => ({ catalog: null, error: null, loading: false }));
