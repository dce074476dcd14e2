/** Picks the transport for this shell: the Electron bridge when present, else HTTP. */
import { createClient, type TransportClient } from './client';
import { addressWithoutToken } from './address';
import { createHttpTransport } from './httpTransport';
import { createIpcTransport } from './ipcTransport';

export function createWorkbenchClient(): TransportClient {
  const bridge = window.dashBridge;
  return createClient(bridge ? createIpcTransport(bridge) : createHttpTransport());
}

/** Drops `?token=` from the address bar so it is not shared by accident. */
export function hideTokenFromAddressBar(): void {
  const cleaned = addressWithoutToken(window.location.href);
  if (cleaned !== null) window.history.replaceState(window.history.state, '', cleaned);
}
