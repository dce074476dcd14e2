import { describe, expect, it } from 'vitest';
import { SerialQueue, SupersededError } from '../../../src/renderer/engine/SerialQueue';
import { deferred } from '../../support/renderer/fixtures';

describe('SerialQueue', () => {
  it('runs one task at a time, in order', async () => {
    const queue = new SerialQueue();
    const log: string[] = [];
    const gate = deferred<void>();
    const a = queue.run(async () => {
      log.push('a start');
      await gate.promise;
      log.push('a end');
      return 'a';
    });
    const b = queue.run(async () => {
      log.push('b');
      return 'b';
    });
    await Promise.resolve();
    expect(log).toEqual(['a start']);
    gate.resolve();
    expect(await Promise.all([a, b])).toEqual(['a', 'b']);
    expect(log).toEqual(['a start', 'a end', 'b']);
  });

  it('drops a queued request when a newer one with the same key arrives', async () => {
    const queue = new SerialQueue();
    const gate = deferred<void>();
    const ran: string[] = [];
    const busy = queue.run(() => gate.promise);
    const older = queue.run(async () => ran.push('older'), 'grid-1');
    const other = queue.run(async () => ran.push('other grid'), 'grid-2');
    const newer = queue.run(async () => ran.push('newer'), 'grid-1');
    await expect(older).rejects.toBeInstanceOf(SupersededError);
    gate.resolve();
    await Promise.all([busy, other, newer]);
    expect(ran).toEqual(['other grid', 'newer']);
  });

  it('cancel(key) drops the queued tasks with that key and signals the running one, and no other', async () => {
    const queue = new SerialQueue();
    const gate = deferred<void>();
    const signals: AbortSignal[] = [];
    const running = queue.run(async (signal) => {
      signals.push(signal);
      await gate.promise;
      if (signal.aborted) throw new SupersededError();
      return 'finished';
    }, 'preview-1');
    const queued = queue.run(async () => 'ran', 'preview-1');
    const other = queue.run(async (signal) => (signal.aborted ? 'stopped' : 'ran'), 'grid-1');
    await Promise.resolve();
    expect(signals[0]?.aborted).toBe(false);
    queue.cancel('preview-1');
    expect(signals[0]?.aborted).toBe(true);
    await expect(queued).rejects.toBeInstanceOf(SupersededError);
    gate.resolve();
    await expect(running).rejects.toBeInstanceOf(SupersededError);
    expect(await other).toBe('ran');
    // Nothing runs with that key now: cancelling again touches nothing.
    queue.cancel('preview-1');
    expect(await queue.run(async (signal) => signal.aborted, 'preview-1')).toBe(false);
  });

  it('keeps going after a task fails', async () => {
    const queue = new SerialQueue();
    const failed = queue.run(() => Promise.reject(new Error('boom')));
    const next = queue.run(async () => 'still runs');
    await expect(failed).rejects.toThrow('boom');
    expect(await next).toBe('still runs');
  });
});
