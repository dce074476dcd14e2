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
