/**
 * The one way a server result reaches the engine: its Arrow chunks, fetched in
 * order from `results.chunk`, for `WasmEngine.loadResult`.
 */
import type { QueryResultMeta } from '../../shared/api/contract';
import type { WorkbenchClient } from '../../shared/api/handlers';
import { WorkbenchError } from '../../shared/errors';

/** Yields the result's chunks in order, fetching the next while the engine loads the current one. */
export async function* fetchChunks(client: WorkbenchClient, meta: QueryResultMeta, signal?: AbortSignal) {
  const fetchOne = (chunk: number) => {
    const bytes = client.call('results.chunk', { resultId: meta.resultId, chunk });
    // Marks the prefetch as handled in case we stop early; awaiting it still throws.
    bytes.catch(() => undefined);
    return bytes;
  };
  let next = meta.chunkCount > 0 ? fetchOne(0) : null;
  for (let i = 0; i < meta.chunkCount && next; i++) {
    const current = next;
    next = i + 1 < meta.chunkCount ? fetchOne(i + 1) : null;
    const bytes = await current;
    if (signal?.aborted) throw new WorkbenchError('cancelled', 'Query cancelled');
    yield bytes;
  }
}
