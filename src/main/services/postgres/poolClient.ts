/**
 * A client checked out of a pool for a few queries. While it is out, the pool
 * does not listen to it: a server that goes away between two queries would
 * emit an 'error' nobody hears, which crashes a Node process. Here it is heard
 * (the next query fails and says why) until the client goes back.
 */
import pg from 'pg';

export interface HeldClient {
  client: pg.PoolClient;
  /** Returns the client; `broken` drops its connection instead (after a failed COPY or ROLLBACK). */
  release(broken?: boolean | Error): void;
}

export async function checkOut(pool: pg.Pool): Promise<HeldClient> {
  const client = await pool.connect();
  const ignore = () => undefined;
  client.on('error', ignore);
  return {
    client,
    release(broken) {
      client.removeListener('error', ignore);
      client.release(broken || undefined);
    },
  };
}

/** A connection of its own, outside any pool, whose 'error' is heard for the same reason; the caller ends it. */
export async function connectClient(config: pg.ClientConfig): Promise<pg.Client> {
  const client = new pg.Client(config);
  client.on('error', () => undefined);
  await client.connect();
  return client;
}
