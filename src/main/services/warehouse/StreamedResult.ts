/**
 * A warehouse result the renderer reads while the query still runs: chunks are
 * kept from the worker's arrival until the renderer takes them (then let go),
 * a chunk not produced yet is waited for, and a failure after the first chunk
 * reaches every waiter (and every later read) as the query's error.
 */
import type { ResultGrowth } from '../../../shared/api/contract';
import { WorkbenchError } from '../../../shared/errors';

export class StreamedResult {
  /** Chunks by number; a taken chunk's slot is emptied (its bytes went to the renderer). */
  private readonly chunks: (Uint8Array | null)[] = [];
  private rows = 0;
  private taken = 0;
  private complete = false;
  private failure: Error | null = null;
  private readonly waiters = new Set<() => void>();

  /**
   * @param onTaken told how many chunks have been taken, so the worker may run on
   */
  constructor(
    readonly resultId: string,
    readonly queryId: string,
    private readonly onTaken: (chunks: number) => void,
  ) {}

  get chunkCount(): number {
    return this.chunks.length;
  }

  get rowCount(): number {
    return this.rows;
  }

  get done(): boolean {
    return this.complete;
  }

  get failed(): boolean {
    return this.failure !== null;
  }

  growth(): ResultGrowth {
    return { rowCount: this.rows, chunkCount: this.chunks.length, done: this.complete };
  }

  add(bytes: Uint8Array, rows: number): void {
    if (this.complete || this.failure) return;
    this.chunks.push(bytes);
    this.rows += rows;
    this.wake();
  }

  finish(): void {
    this.complete = true;
    this.wake();
  }

  fail(err: Error): void {
    if (this.complete || this.failure) return;
    this.failure = err;
    this.chunks.length = 0;
    this.wake();
  }

  /** The chunk's bytes, waiting while the query has not produced it; each chunk is given out once. */
  async take(chunk: number): Promise<Uint8Array> {
    await this.until(() => chunk < this.chunks.length || this.complete);
    const bytes = this.chunks[chunk];
    if (bytes === undefined)
      throw new WorkbenchError('not_found', `The result has no chunk ${chunk} (it has ${this.chunks.length})`);
    if (bytes === null)
      throw new WorkbenchError(
        'not_found',
        `Chunk ${chunk} of this result was already fetched`,
        'Run the query again.',
      );
    this.chunks[chunk] = null;
    this.onTaken(++this.taken);
    return bytes;
  }

  /** Waits until the result has more than `knownChunks` chunks or is complete. */
  async grown(knownChunks: number): Promise<ResultGrowth> {
    await this.until(() => this.chunks.length > knownChunks || this.complete);
    return this.growth();
  }

  private async until(ready: () => boolean): Promise<void> {
    while (!this.failure && !ready()) await new Promise<void>((resolve) => this.waiters.add(resolve));
    if (this.failure) throw this.failure;
  }

  private wake(): void {
    const waiting = [...this.waiters];
    this.waiters.clear();
    for (const resolve of waiting) resolve();
  }
}
