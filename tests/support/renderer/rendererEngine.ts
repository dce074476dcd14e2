/**
 * The renderer's own WasmEngine (loading results, paging, profiles, charts) over
 * DuckDB-WASM's Node build, for tests of the renderer's stores and actions: the
 * same engine code and the same DuckDB-WASM as the window, without a Worker.
 */
import { WasmEngine } from '../../../src/renderer/engine/WasmEngine';
import { NodeWasmEngine } from '../NodeWasmEngine';

export async function startRendererEngine(): Promise<WasmEngine> {
  const node = await NodeWasmEngine.start();
  return WasmEngine.over(
    {
      query: async (sql) => node.query(sql),
      insertArrowFromIPCStream: async (buffer, { name, create }) => node.insertArrow(name, buffer, create),
      close: async () => node.close(),
    },
    'node-blocking',
  );
}
