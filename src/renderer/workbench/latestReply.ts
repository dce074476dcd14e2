/**
 * Requests of one kind where only the latest reply counts: the user picked
 * again, listed another folder, or closed the dialog, so a reply to an earlier
 * request must change nothing.
 */
export interface LatestReply {
  /** A new request: from now on only its reply counts. Returns whether it still does. */
  ask(): () => boolean;
  /** Whether the latest request's reply still counts, for work that joins it (the next page of a listing). */
  current(): () => boolean;
  /** Asks a moment after the last call (`delayMs`): a call before then replaces the one waiting. */
  askSoon(delayMs: number, run: (counts: () => boolean) => void): void;
  /** No reply asked for so far counts any more, and a request waiting in `askSoon` is not sent. */
  drop(): void;
}

export function latestReply(): LatestReply {
  let latest = 0;
  let waiting: ReturnType<typeof setTimeout> | undefined;
  const current = (): (() => boolean) => {
    const mine = latest;
    return () => mine === latest;
  };
  const drop = (): void => {
    clearTimeout(waiting);
    latest++;
  };
  return {
    ask() {
      drop();
      return current();
    },
    current,
    askSoon(delayMs, run) {
      drop();
      const counts = current();
      waiting = setTimeout(() => run(counts), delayMs);
    },
    drop,
  };
}
