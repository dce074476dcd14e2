/**
 * A streamed warehouse result on its own (no worker): reads wait for chunks not
 * produced yet, each chunk is given out once (and the worker told), and a failure
 * after the first chunk reaches waiting and later reads as the query's error.
 */
import { describe, expect, it } from 'vitest';
import { StreamedResult } from '../../src/main/services/warehouse/StreamedResult';
import { WorkbenchError } from '../../src/shared/errors';

const bytes = (n: number) => Uint8Array.of(n);

describe('StreamedResult', () => {
  it('waits for a chunk not produced yet, gives each chunk once, and tells how many were taken', async () => {
    const taken: number[] = [];
    const result = new StreamedResult('result-1', 'q-1', (n) => taken.push(n));
    result.add(bytes(0), 10);
    const second = result.take(1);
    const grown = result.grown(1);
    expect(await result.take(0)).toEqual(bytes(0));
    result.add(bytes(1), 5);
    expect(await second).toEqual(bytes(1));
    expect(await grown).toEqual({ rowCount: 15, chunkCount: 2, done: false });
    expect(taken).toEqual([1, 2]);
    await expect(result.take(0)).rejects.toMatchObject({ code: 'not_found' });
    const past = result.take(2);
    result.finish();
    await expect(past).rejects.toMatchObject({ code: 'not_found' });
    expect(await result.grown(2)).toEqual({ rowCount: 15, chunkCount: 2, done: true });
  });

  it('fails mid-stream: waiting and later reads get the query’s error', async () => {
    const result = new StreamedResult('result-2', 'q-2', () => undefined);
    result.add(bytes(0), 10);
    const waiting = result.take(1);
    const growing = result.grown(1);
    result.fail(new WorkbenchError('query_failed', 'Invalid Input Error: boom'));
    await expect(waiting).rejects.toMatchObject({ code: 'query_failed', message: 'Invalid Input Error: boom' });
    await expect(growing).rejects.toMatchObject({ code: 'query_failed' });
    // The chunks it held are let go with it.
    await expect(result.take(0)).rejects.toMatchObject({ code: 'query_failed' });
    expect(result.failed).toBe(true);
  });
});
