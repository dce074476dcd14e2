/** The one interactive engine of this window, started once, and its state for the UI. */
import { create } from 'zustand';
import { errorMessage } from '../../shared/errors';
import { WasmEngine } from './WasmEngine';

export type EngineState = 'starting' | 'ready' | 'failed';

interface EngineStore {
  state: EngineState;
  version: string | null;
  error: string | null;
}

export const useEngineStore = create<EngineStore>(() => ({ state: 'starting', version: null, error: null }));

let starting: Promise<WasmEngine> | null = null;

/** Starts the engine on first use; later calls share the same engine. */
export function getEngine(): Promise<WasmEngine> {
  if (!starting) {
    starting = WasmEngine.start().then(
      (engine) => {
        useEngineStore.setState({ state: 'ready', version: engine.version, error: null });
        return engine;
      },
      (err: unknown) => {
        useEngineStore.setState({ state: 'failed', error: errorMessage(err) });
        throw err;
      },
    );
  }
  return starting;
}

/**
 * Tests give the engine they built (DuckDB-WASM's Node build) instead of starting the browser's.
 * Returns how to take it back: the engine and its state as they were before.
 */
export function provideEngine(engine: WasmEngine): () => void {
  const previous = { starting, state: useEngineStore.getState() };
  const provided = Promise.resolve(engine);
  starting = provided;
  useEngineStore.setState({ state: 'ready', version: engine.version, error: null });
  return () => {
    // A later provideEngine stays in place.
    if (starting !== provided) return;
    starting = previous.starting;
    useEngineStore.setState(previous.state, true);
  };
}

const droppedListeners = new Set<(tableName: string) => void>();

/** Drops a result table, first telling whoever kept pages of it (the grid) to forget them; no table, nothing to do. */
export function dropTable(tableName: string | null | undefined): void {
  if (!tableName) return;
  for (const forget of droppedListeners) forget(tableName);
  void getEngine()
    .then((engine) => engine.drop(tableName))
    .catch(() => undefined);
}

export function onTableDropped(forget: (tableName: string) => void): () => void {
  droppedListeners.add(forget);
  return () => droppedListeners.delete(forget);
}
