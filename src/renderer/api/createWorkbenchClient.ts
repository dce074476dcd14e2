/** Picks the transport for this shell: the Electron bridge when present, else HTTP. */
import { createClient, type TransportClient } from './client';
import { addressWithoutToken, tokenInAddress } from './address';
import { createHttpTransport } from './httpTransport';
import { createIpcTransport } from './ipcTransport';

const TOKEN_KEY = 'dash-token';
/** Where storage is refused (e.g. site data blocked), the token lives as long as the page. */
let remembered: string | null = null;

function rememberToken(token: string): void {
  remembered = token;
  try {
    sessionStorage.setItem(TOKEN_KEY, token);
  } catch {
    // Kept in memory only: a reload then needs the URL with ?token= again.
  }
}

/** The token this tab was opened with, or null (an address that never had it). */
function sessionToken(): string | null {
  if (remembered !== null) return remembered;
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function createWorkbenchClient(): TransportClient {
  const bridge = window.dashBridge;
  return createClient(bridge ? createIpcTransport(bridge) : createHttpTransport('/api', sessionToken));
}

/** Keeps `?token=` for the API calls and drops it from the address bar so it is not shared by accident. */
export function takeTokenFromAddressBar(): void {
  const token = tokenInAddress(window.location.href);
  if (token !== null) rememberToken(token);
  const cleaned = addressWithoutToken(window.location.href);
  if (cleaned !== null) window.history.replaceState(window.history.state, '', cleaned);
}
