/**
 * Runs tasks one at a time, in order. DuckDB-WASM answers one query per
 * connection at a time, and a grid that scrolls fast only cares about its
 * latest request: a queued task with the same `key` as a newer one is dropped
 * (rejected with `SupersededError`) before it ever runs.
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
  private busy = false;

  /** Number of tasks not yet started. */
  get queued(): number {
    return this.waiting.length;
  }

  run<T>(task: () => Promise<T>, key?: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (key !== undefined) {
        const older = this.waiting.findIndex((p) => p.key === key);
        if (older >= 0) this.waiting.splice(older, 1)[0]!.drop();
      }
      this.waiting.push({
        key,
        start: () => {
          task()
            .then(resolve, reject)
            .finally(() => this.next());
        },
        drop: () => reject(new SupersededError()),
      });
      if (!this.busy) this.next();
    });
  }

  private next(): void {
    const pending = this.waiting.shift();
    this.busy = pending !== undefined;
    pending?.start();
  }
}
