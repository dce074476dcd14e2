/**
 * A private in-memory native DuckDB for the demo generator: never reaches for
 * the network (Parquet, JSON and ICU are built in), times in UTC so that
 * `date=` partitions are UTC days.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

export interface LocalDuckDB {
  con: DuckDBConnection;
  close(): void;
}

export async function openDuckDB(signal?: AbortSignal, threads?: number): Promise<LocalDuckDB> {
  const instance = await DuckDBInstance.create(':memory:', {
    autoload_known_extensions: 'false',
    autoinstall_known_extensions: 'false',
  });
  const con = await instance.connect();
  // Cancelling stops the statement that is running, not only the next one.
  const onAbort = (): void => con.interrupt();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await con.run("SET TimeZone = 'UTC'");
    await con.run('SET preserve_insertion_order = true');
    if (threads !== undefined) await con.run(`SET threads = ${Math.max(1, Math.floor(threads))}`);
  } catch (err) {
    con.closeSync();
    instance.closeSync();
    throw err;
  }
  return {
    con,
    close() {
      signal?.removeEventListener('abort', onAbort);
      con.closeSync();
      instance.closeSync();
    },
  };
}
