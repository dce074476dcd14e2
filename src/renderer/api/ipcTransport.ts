/** Electron: calls and events go through the preload's `window.dashBridge`. */
import { WorkbenchError, errorMessage } from '../../shared/errors';
import type { Transport } from './transport';

export function createIpcTransport(bridge: DashBridge): Transport {
  return {
    kind: 'ipc',
    async send(method, input) {
      try {
        return await bridge.call(method, input);
      } catch (err) {
        // A rejected invoke means the main process did not answer at all.
        throw new WorkbenchError('unavailable', `The workbench did not answer ${method}: ${errorMessage(err)}`);
      }
    },
    subscribe(listener) {
      return bridge.onEvent(listener);
    },
    onStreamOpen() {
      // IPC events flow from the first subscription and do not drop while the window lives.
      return () => undefined;
    },
  };
}
