/** The window's one API client, created on first use with the right transport; tests provide their own. */
import type { TransportClient } from '../api/client';
import { createWorkbenchClient } from '../api/createWorkbenchClient';

let client: TransportClient | null = null;

export function workbench(): TransportClient {
  client ??= createWorkbenchClient();
  return client;
}

/**
 * Makes `provided` the client every store and action calls, e.g. a client over the
 * in-memory transport in a test. Returns how to go back to the window's own.
 */
export function provideWorkbenchClient(provided: TransportClient): () => void {
  client = provided;
  return () => {
    if (client === provided) client = null;
  };
}
