/**
 * The statements every DuckDB-WASM connection of the interactive engine runs
 * first, in the window and in the tests' Node build alike.
 *
 * - Extension autoloading is off, so the engine never touches the network.
 * - Tables live in a compressed in-memory database (`ATTACH … (COMPRESS)`),
 *   not in DuckDB's default uncompressed one: the same column compression as a
 *   DuckDB file (bit-packing, ALP for floats, dictionary and FSST for text),
 *   applied as the table grows: 3M rows of a number, a series name, a value
 *   and a time take 11 MB there instead of 163 MB. In Chromium (`npm run
 *   bench`), a 10M-row result leaves the window at 0.65 GB instead of 1.06 GB,
 *   and 0.93 GB instead of 1.37 GB once sorted (grid.load_10m_browser); a
 *   working-set aggregation reads less memory, query.wasm_browser 0.54 -> 0.72.
 */
export const ENGINE_DATABASE = 'workbench';

export const ENGINE_SETUP_SQL: readonly string[] = [
  'SET autoload_known_extensions = false',
  'SET autoinstall_known_extensions = false',
  `ATTACH ':memory:' AS ${ENGINE_DATABASE} (COMPRESS)`,
  `USE ${ENGINE_DATABASE}`,
];
