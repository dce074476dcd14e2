import { describe, expect, it } from 'vitest';
import { Slots, forEachLimited } from '../../src/main/services/forEachLimited';
import { WorkbenchError } from '../../src/shared/errors';

const tick = (ms = 1) => new Promise((r) => setTimeout(r, ms));

describe('forEachLimited', () => {
  it('runs every item, never more than the limit at once', async () => {
    let running = 0;
    let most = 0;
    const seen: number[] = [];
    await forEachLimited([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      running++;
      most = Math.max(most, running);
      await tick(n % 3);
      seen.push(n);
      running--;
    });
    expect(seen.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(most).toBe(3);
  });

  it('stops at the first failure: no new item starts, the running ones are told, then that error is thrown', async () => {
    const started: number[] = [];
    let toldToStop = 0;
    const run = forEachLimited([1, 2, 3, 4, 5, 6], 2, async (n, signal) => {
      started.push(n);
      if (n === 2) throw new Error('item 2 broke');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 200);
        signal.addEventListener('abort', () => (toldToStop++, clearTimeout(t), resolve()), { once: true });
      });
    });
    await expect(run).rejects.toThrow('item 2 broke');
    expect(started).toEqual([1, 2]);
    expect(toldToStop).toBe(1);
  });

  it('a cancel stops taking items and throws a cancelled error once the running ones have settled', async () => {
    const cancel = new AbortController();
    const finished: number[] = [];
    const items = Array.from({ length: 100 }, (_, i) => i);
    const run = forEachLimited(
      items,
      4,
      async (n, signal) => {
        await tick(5);
        if (signal.aborted) throw new WorkbenchError('cancelled', 'stopped mid-item');
        finished.push(n);
      },
      { signal: cancel.signal, cancelledMessage: 'The search was cancelled' },
    );
    await tick(12);
    cancel.abort();
    const error = await run.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkbenchError);
    expect((error as WorkbenchError).code).toBe('cancelled');
    expect((error as WorkbenchError).message).toBe('The search was cancelled');
    expect(finished.length).toBeLessThan(100);
  });

  it('reads its items lazily, so work found while running joins the pool', async () => {
    const queue = [1];
    const seen: number[] = [];
    const lazy = {
      *[Symbol.iterator]() {
        while (queue.length) yield queue.shift()!;
      },
    };
    await forEachLimited(lazy, 1, async (n) => {
      seen.push(n);
      if (n < 4) queue.push(n + 1);
    });
    expect(seen).toEqual([1, 2, 3, 4]);
  });

  it('does nothing for no items, and refuses to start when already cancelled', async () => {
    await forEachLimited([], 4, async () => undefined);
    const cancel = new AbortController();
    cancel.abort();
    let ran = false;
    await expect(
      forEachLimited([1], 4, async () => void (ran = true), { signal: cancel.signal }),
    ).rejects.toMatchObject({ code: 'cancelled' });
    expect(ran).toBe(false);
  });
});

describe('Slots', () => {
  it('runs at most its limit at once, the others in the order they asked, and frees a slot that failed', async () => {
    const slots = new Slots(2);
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const runs = [1, 2, 3, 4, 5].map((n) =>
      slots
        .run(async () => {
          started.push(n);
          running++;
          most = Math.max(most, running);
          await tick(n === 1 ? 5 : 1);
          running--;
          if (n === 2) throw new Error('second failed');
          return n * 10;
        })
        .catch((err: unknown) => (err as Error).message),
    );
    expect(await Promise.all(runs)).toEqual([10, 'second failed', 30, 40, 50]);
    expect(most).toBe(2);
    // 3 took the slot 2 left when it failed, before 1 was done.
    expect(started).toEqual([1, 2, 3, 4, 5]);
  });
});
