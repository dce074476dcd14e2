/**
 * A transport only moves messages; the client on top of it validates them.
 * Keeping the two apart lets IPC and HTTP share every check.
 */
export interface Transport {
  readonly kind: 'ipc' | 'http';
  /** Sends one call; resolves to the raw, not yet validated, ApiReply. */
  send(method: string, input: unknown): Promise<unknown>;
  /** Delivers raw, not yet validated, events. Returns an unsubscribe function. */
  subscribe(listener: (event: unknown) => void): () => void;
  /**
   * Called each time the event stream opens, the first time included: events
   * sent before it was open (or while it was down) were missed, so the caller
   * re-reads the state. Returns an unsubscribe function.
   */
  onStreamOpen(listener: () => void): () => void;
}
