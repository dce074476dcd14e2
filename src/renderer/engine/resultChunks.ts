/**
 * The one way a server result reaches the engine: its Arrow chunks, fetched in
 * order from `results.chunk`, for `WasmEngine.loadResult`. A warehouse result
 * still growing (`done: false`) is read while its query runs: `results.wait`
 * says when more chunks exist, and how many rows there are so far.
 */
import type { QueryResultMeta, ResultGrowth } from '../../shared/api/contract';
import type { WorkbenchClient } from '../../shared/api/handlers';
import { WorkbenchError } from '../../shared/errors';

/**
 * Yields the result's chunks in order, fetching the next known one while the engine
 * loads the current one. `onGrowth` hears of each step of a result still growing.
 */
export async function* fetchChunks(
  client: WorkbenchClient,
  meta: QueryResultMeta,
  signal?: AbortSignal,
  onGrowth?: (growth: ResultGrowth) => void,
) {
  const fetchOne = (chunk: number) => {
    const bytes = client.call('results.chunk', { resultId: meta.resultId, chunk });
    // Marks the prefetch as handled in case we stop early; awaiting it still throws.
    bytes.catch(() => undefined);
    return bytes;
  };
  let known = meta.chunkCount;
  let done = meta.done ?? true;
  let next = known > 0 ? fetchOne(0) : null;
  for (let i = 0; ; i++) {
    while (i >= known && !done) {
      const growth = await client.call('results.wait', { resultId: meta.resultId, knownChunks: known });
      if (signal?.aborted) throw new WorkbenchError('cancelled', 'Query cancelled');
      known = growth.chunkCount;
      done = growth.done;
      onGrowth?.(growth);
    }
    if (i >= known) return;
    const current = next ?? fetchOne(i);
    // While the result grows, the next chunk is asked for before it is known: the warehouse answers when it exists.
    next = i + 1 < known || !done ? fetchOne(i + 1) : null;
    const bytes = await current;
    if (signal?.aborted) throw new WorkbenchError('cancelled', 'Query cancelled');
    yield bytes;
  }
}
