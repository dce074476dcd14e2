/**
 * Runs tasks one at a time, in order. DuckDB-WASM answers one query per
 * connection at a time, and a grid that scrolls fast only cares about its
 * latest request: a queued task with the same `key` as a newer one is dropped
 * (rejected with `SupersededError`) before it ever runs. `cancel(key)` also
 * drops the queued ones and tells the running one, through its signal, to stop.
 */
export class SupersededError extends Error {
  constructor() {
    super('Replaced by a newer request');
    this.name = 'SupersededError';
  }
}

interface Pending {
  key: string | undefined;
  start: () => void;
  drop: () => void;
}

export class SerialQueue {
  private readonly waiting: Pending[] = [];
  /** The task running now, if any. */
  private running: { key: string | undefined; stop: AbortController } | null = null;

  /** Number of tasks not yet started. */
  get queued(): number {
    return this.waiting.length;
  }

  run<T>(task: (signal: AbortSignal) => Promise<T>, key?: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (key !== undefined) this.dropQueued(key);
      this.waiting.push({
        key,
        start: () => {
          const stop = new AbortController();
          this.running = { key, stop };
          task(stop.signal)
            .then(resolve, reject)
            .finally(() => this.next());
        },
        drop: () => reject(new SupersededError()),
      });
      if (!this.running) this.next();
    });
  }

  /** Drops the queued tasks with `key` and signals the running one with it to stop (it decides how, and rejects). */
  cancel(key: string): void {
    this.dropQueued(key);
    if (this.running?.key === key) this.running.stop.abort();
  }

  private dropQueued(key: string): void {
    for (let i = this.waiting.length - 1; i >= 0; i--)
      if (this.waiting[i]!.key === key) this.waiting.splice(i, 1)[0]!.drop();
  }

  private next(): void {
    this.running = null;
    this.waiting.shift()?.start();
  }
}
