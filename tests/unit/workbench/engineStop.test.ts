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
import type { WasmEngine } from '../../../src/renderer/engine/WasmEngine';
import { deferred, type Deferred } from '../../support/renderer/fixtures';
import { startRecordingEngine, type EngineLog } from '../../support/renderer/rendererEngine';

describe('WasmEngine.cancel', () => {
  let engine: WasmEngine;
  let log: EngineLog;
  /** A statement the test holds open: it runs once the test lets it go. */
  let held: { sql: string; gate: Deferred<void>; started: Deferred<void> } | null = null;

  beforeAll(async () => {
    ({ engine, log } = await startRecordingEngine({
      hold: (sql) => {
        if (held?.sql !== sql) return undefined;
        held.started.resolve();
        return held.gate.promise;
      },
    }));
  }, 60_000);
  afterAll(async () => {
    await engine?.close();
  });

  it('stops a running script before its next statement, and the engine goes on', async () => {
    log.statements.length = 0;
    log.stops = 0;
    held = { sql: 'SELECT 2 AS b', gate: deferred<void>(), started: deferred<void>() };
    const stopped = engine.script(['SELECT 1 AS a', 'SELECT 2 AS b', 'SELECT 3 AS c'], 'preview-1');
    const queued = engine.script(['SELECT 4 AS d'], 'preview-1');
    const other = engine.script(['SELECT 5 AS e'], 'preview-2');
    await held.started.promise;

    engine.cancel('preview-1');
    // The statement running was asked to end; the one queued with the same key never runs.
    expect(log.stops).toBe(1);
    await expect(queued).rejects.toBeInstanceOf(SupersededError);
    held.gate.resolve();
    await expect(stopped).rejects.toBeInstanceOf(SupersededError);
    expect((await other)[0]!.rows).toEqual([[5]]);
    expect(log.statements).toEqual(['SELECT 1 AS a', 'SELECT 2 AS b', 'SELECT 5 AS e']);
    held = null;

    // The key is free again: a new script with it runs whole.
    const next = await engine.script(['SELECT 6 AS f', 'SELECT 7 AS g'], 'preview-1');
    expect(next.map((r) => r.rows)).toEqual([[[6]], [[7]]]);
  });

  it('leaves a script with another key, and one already finished, alone', async () => {
    log.stops = 0;
    const done = await engine.script(['SELECT 8 AS h'], 'preview-1');
    engine.cancel('preview-1');
    expect(done[0]!.rows).toEqual([[8]]);
    expect(log.stops).toBe(0);
    const running = engine.script(['SELECT 9 AS i', 'SELECT 10 AS j'], 'grid-1');
    engine.cancel('preview-1');
    expect((await running).map((r) => r.rows)).toEqual([[[9]], [[10]]]);
    expect(log.stops).toBe(0);
  });
});
