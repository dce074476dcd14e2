import { describe, expect, it } from 'vitest';
import { chooseWasmBuild } from '../../../src/renderer/engine/WasmEngine';

describe('the DuckDB-WASM builds a window can run', () => {
  it('is the threaded (coi) build only when the page is isolated and has shared memory and WASM threads', () => {
    expect(chooseWasmBuild({ crossOriginIsolated: true, sharedArrayBuffer: true, wasmThreads: true })).toBe('coi');
    for (const missing of ['crossOriginIsolated', 'sharedArrayBuffer', 'wasmThreads'] as const) {
      const platform = { crossOriginIsolated: true, sharedArrayBuffer: true, wasmThreads: true, [missing]: false };
      expect(chooseWasmBuild(platform), missing).toBe('eh');
    }
  });
});
