/** The window's one API client, created on first use with the right transport. */
import type { TransportClient } from '../api/client';
import { createWorkbenchClient } from '../api/createWorkbenchClient';

let client: TransportClient | null = null;

export function workbench(): TransportClient {
  client ??= createWorkbenchClient();
  return client;
}
