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
   * Called when the event stream comes back after a drop: events may have been
   * missed, so the caller re-reads the state. Returns an unsubscribe function.
   */
  onReconnect(listener: () => void): () => void;
}
