/**
 * Query results held as Arrow IPC chunks until the renderer has fetched them
 * into its DuckDB-WASM working set. The warehouse and live server queries keep
 * theirs the same way, so `results.chunk` serves either.
 */
import type { QueryResultMeta } from '../../../shared/api/contract';
import { WorkbenchError } from '../../../shared/errors';

export class HeldResults {
  private readonly results = new Map<string, { meta: QueryResultMeta; chunks: Uint8Array[] }>();

  /**
   * @param keep how many finished results to hold before the oldest is dropped
   * @param heldBy names the holder in "no longer held" messages
   */
  constructor(
    private readonly keep: number,
    private readonly heldBy: string,
  ) {}

  hold(meta: QueryResultMeta, chunks: Uint8Array[]): void {
    this.results.set(meta.resultId, { meta, chunks });
    while (this.results.size > this.keep) {
      const oldest = this.results.keys().next().value;
      if (oldest === undefined) break;
      this.results.delete(oldest);
    }
  }

  chunk(resultId: string, chunk: number): Uint8Array {
    const stored = this.results.get(resultId);
    if (!stored)
      throw new WorkbenchError('not_found', `This result is no longer held ${this.heldBy}`, 'Run the query again.');
    const bytes = stored.chunks[chunk];
    if (!bytes)
      throw new WorkbenchError('not_found', `The result has no chunk ${chunk} (it has ${stored.chunks.length})`);
    return bytes;
  }

  release(resultId: string): boolean {
    return this.results.delete(resultId);
  }

  clear(): void {
    this.results.clear();
  }
}
