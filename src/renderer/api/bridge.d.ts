/**
 * What the Electron preload exposes on `window` (src/preload/index.ts). Replies
 * and events arrive untyped on purpose: the renderer validates them against the
 * contract before anything uses them.
 */
interface DashBridge {
  /** Resolves to an ApiReply-shaped object; for binary methods `result` is a Uint8Array. */
  call(method: string, input: unknown): Promise<unknown>;
  /** Returns an unsubscribe function. */
  onEvent(listener: (event: unknown) => void): () => void;
}

interface Window {
  /** Present only inside the Electron app. */
  dashBridge?: DashBridge;
}
