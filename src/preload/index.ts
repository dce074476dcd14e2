/**
 * The preload exposes exactly one thing: the typed API bridge. The renderer
 * validates every reply and event against the contract; here we only refuse
 * calls that are not even shaped like one.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';

contextBridge.exposeInMainWorld('dashBridge', {
  call(method: unknown, input: unknown): Promise<unknown> {
    if (typeof method !== 'string' || method.length > 64) {
      return Promise.resolve({
        ok: false,
        error: { code: 'unknown_method', message: 'API method must be a short string' },
      });
    }
    return ipcRenderer.invoke('dash:call', method, input);
  },
  onEvent(listener: (event: unknown) => void): () => void {
    const forward = (_event: IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on('dash:event', forward);
    return () => {
      ipcRenderer.removeListener('dash:event', forward);
    };
  },
});
