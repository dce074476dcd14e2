/** What the renderer's engine holds, for tests that check a tab frees its tables. */
import type { WasmEngine } from '../../../src/renderer/engine/WasmEngine';

/** How long a test waits for the engine's work (vi.waitFor): its first queries are slow on a busy machine. */
export const ENGINE_WAIT = { timeout: 5_000 };

/** The names of the tables in the engine now (after the work queued before this call). */
export async function engineTables(engine: WasmEngine): Promise<string[]> {
  const [tables] = await engine.script(['SELECT table_name FROM duckdb_tables() ORDER BY table_name']);
  return (tables?.rows ?? []).map((row) => String(row[0]));
}
