/**
 * Stopping a script the engine runs (a preview for a draft the user has already
 * changed), over DuckDB-WASM's Node build: `cancel(key)` stops it before its next
 * statement, asks the connection to end the statement it is in, and the engine
 * goes on with what was asked next. The worker build ends a statement midway
 * (DuckDB-WASM's send and cancelSent); the Node build runs each statement to its
 * end, so here a test holds a statement open to stand for one still running.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SupersededError } from '../../../src/renderer/engine/SerialQueue';
import { WasmEngine } from '../../../src/renderer/engine/WasmEngine';
import { NodeWasmEngine } from '../../support/NodeWasmEngine';
import { deferred, type Deferred } from '../../support/renderer/fixtures';

describe('WasmEngine.cancel', () => {
  let node: NodeWasmEngine;
  let engine: WasmEngine;
  const ran: string[] = [];
  let stops = 0;
  /** A statement the test holds open: it runs once the test lets it go. */
  let held: { sql: string; gate: Deferred<void>; started: Deferred<void> } | null = null;

  beforeAll(async () => {
    node = await NodeWasmEngine.start();
    const run = async (sql: string) => {
      if (held?.sql === sql) {
        held.started.resolve();
        await held.gate.promise;
      }
      ran.push(sql);
      return node.query(sql);
    };
    engine = WasmEngine.over(
      {
        query: run,
        queryStoppable: run,
        stop: async () => {
          stops++;
          return held !== null;
        },
        insertArrowFromIPCStream: async (buffer, { name, create }) => node.insertArrow(name, buffer, create),
        close: async () => node.close(),
      },
      'node-blocking',
    );
  }, 60_000);
  afterAll(async () => {
    await engine?.close();
  });

  it('stops a running script before its next statement, and the engine goes on', async () => {
    ran.length = 0;
    stops = 0;
    held = { sql: 'SELECT 2 AS b', gate: deferred<void>(), started: deferred<void>() };
    const stopped = engine.script(['SELECT 1 AS a', 'SELECT 2 AS b', 'SELECT 3 AS c'], 'preview-1');
    const queued = engine.script(['SELECT 4 AS d'], 'preview-1');
    const other = engine.script(['SELECT 5 AS e'], 'preview-2');
    await held.started.promise;

    engine.cancel('preview-1');
    // The statement running was asked to end; the one queued with the same key never runs.
    expect(stops).toBe(1);
    await expect(queued).rejects.toBeInstanceOf(SupersededError);
    held.gate.resolve();
    await expect(stopped).rejects.toBeInstanceOf(SupersededError);
    expect((await other)[0]!.rows).toEqual([[5]]);
    expect(ran).toEqual(['SELECT 1 AS a', 'SELECT 2 AS b', 'SELECT 5 AS e']);
    held = null;

    // The key is free again: a new script with it runs whole.
    const next = await engine.script(['SELECT 6 AS f', 'SELECT 7 AS g'], 'preview-1');
    expect(next.map((r) => r.rows)).toEqual([[[6]], [[7]]]);
  });

  it('leaves a script with another key, and one already finished, alone', async () => {
    stops = 0;
    const done = await engine.script(['SELECT 8 AS h'], 'preview-1');
    engine.cancel('preview-1');
    expect(done[0]!.rows).toEqual([[8]]);
    expect(stops).toBe(0);
    const running = engine.script(['SELECT 9 AS i', 'SELECT 10 AS j'], 'grid-1');
    engine.cancel('preview-1');
    expect((await running).map((r) => r.rows)).toEqual([[[9]], [[10]]]);
    expect(stops).toBe(0);
  });
});
