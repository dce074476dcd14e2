/**
 * The renderer's own WasmEngine (loading results, paging, profiles, charts) over
 * DuckDB-WASM's Node build, for tests of the renderer's stores and actions: the
 * same engine code and the same DuckDB-WASM as the window, without a Worker.
 */
import { afterAll, beforeAll } from 'vitest';
import { provideEngine } from '../../../src/renderer/engine/engineStore';
import { WasmEngine } from '../../../src/renderer/engine/WasmEngine';
import { NodeWasmEngine } from '../NodeWasmEngine';

export async function startRendererEngine(): Promise<WasmEngine> {
  return (await startRecordingEngine()).engine;
}

/** What the engine asked of DuckDB-WASM: its statements in order, how many Arrow inserts, and how many stops. */
export interface EngineLog {
  statements: string[];
  inserts: number;
  stops: number;
}

/**
 * A renderer engine that logs what it runs (for tests of which SQL a path takes),
 * and the Node engine under it (to check its tables directly). The Node build runs
 * a statement to its end before anything else can happen; `hold` makes one wait
 * (a promise to wait for, or undefined) so that it stands for a statement still running.
 */
export async function startRecordingEngine(
  options: { hold?: (sql: string) => Promise<void> | undefined } = {},
): Promise<{ engine: WasmEngine; node: NodeWasmEngine; log: EngineLog }> {
  const node = await NodeWasmEngine.start();
  const log: EngineLog = { statements: [], inserts: 0, stops: 0 };
  let running = false;
  const run = async (sql: string) => {
    log.statements.push(sql);
    running = true;
    try {
      const held = options.hold?.(sql);
      if (held) await held;
      return node.query(sql);
    } finally {
      running = false;
    }
  };
  const engine = WasmEngine.over(
    {
      query: run,
      queryStoppable: run,
      // A held statement ends as it would have anyway: the engine decides what a stop means.
      stop: async () => {
        log.stops++;
        return running;
      },
      insertArrowFromIPCStream: async (buffer, { name, create }) => {
        log.inserts++;
        node.insertArrow(name, buffer, create);
      },
      close: async () => node.close(),
    },
    'node-blocking',
  );
  return { engine, node, log };
}

/** How long the engine may take to start on a busy machine. */
const START_TIMEOUT = 60_000;

function isUndo(value: unknown): value is () => void {
  return typeof value === 'function';
}

/**
 * Starts one renderer engine for the file (or describe block) and makes it the
 * engine the stores use; stops it after the last test. Returns the engine's getter.
 */
export function useRendererEngine(): () => WasmEngine {
  let engine: WasmEngine | undefined;
  let undo: unknown;
  beforeAll(async () => {
    engine = await startRendererEngine();
    // provideEngine may give back how to take the engine back.
    undo = provideEngine(engine);
  }, START_TIMEOUT);
  afterAll(async () => {
    if (isUndo(undo)) undo();
    await engine?.close();
  });
  return () => {
    if (!engine) throw new Error('The renderer engine is not started: call it from a test or hook');
    return engine;
  };
}
