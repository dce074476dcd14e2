import { WorkbenchError } from '../../shared/errors';

export interface LimitedRunOptions {
  /** Stops taking new items when it aborts; items already running get it through their own signal. */
  signal?: AbortSignal;
  /** The error thrown when `signal` aborted and nothing failed first (default: "Cancelled"). */
  cancelledMessage?: string;
}

/**
 * Runs `fn` over `items`, at most `limit` at a time — the one bounded pool of
 * the data plane (cache downloads, ranged reads, record search, metric sync).
 *
 * The first failure stops the rest: no new item starts, the running ones see
 * their signal abort, and once they have settled that first error is thrown
 * (never an unhandled rejection, never work left running behind the caller).
 * A cancel through `options.signal` does the same and throws a `cancelled`
 * error. `items` may be any iterable, read lazily, so a caller can feed work
 * found while the pool runs.
 */
export async function forEachLimited<T>(
  items: Iterable<T>,
  limit: number,
  fn: (item: T, signal: AbortSignal, index: number) => Promise<void>,
  options: LimitedRunOptions = {},
): Promise<void> {
  const stop = new AbortController();
  const outer = options.signal;
  const onAbort = () => stop.abort(outer?.reason);
  if (outer?.aborted) onAbort();
  else outer?.addEventListener('abort', onAbort, { once: true });
  const iterator = items[Symbol.iterator]();
  let index = 0;
  let failure: { error: unknown } | null = null;
  const take = (): { item: T; index: number } | null => {
    if (stop.signal.aborted) return null;
    const next = iterator.next();
    return next.done ? null : { item: next.value, index: index++ };
  };
  const worker = async (): Promise<void> => {
    for (let next = take(); next; next = take()) {
      try {
        await fn(next.item, stop.signal, next.index);
      } catch (error) {
        // A running item that fails because the pool was stopped is not the cause.
        if (!failure && !(outer?.aborted && stop.signal.aborted)) failure = { error };
        stop.abort(error);
        return;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.floor(limit)) }, worker));
  } finally {
    outer?.removeEventListener('abort', onAbort);
  }
  if (failure) throw (failure as { error: unknown }).error;
  if (outer?.aborted) throw new WorkbenchError('cancelled', options.cancelledMessage ?? 'Cancelled');
}

/**
 * At most `limit` runs at once, the others waiting their turn in order: for one
 * kind of work inside a wider pool, such as a search's DuckDB scans among
 * batches that are also being prepared and read.
 */
export class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(limit: number) {
    this.free = Math.max(1, Math.floor(limit));
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await fn();
    } finally {
      // The slot passes straight to the next in line, or is freed.
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    }
  }
}
