import { createServer } from 'node:net';

/**
 * A TCP port that is free on 127.0.0.1 right now. Another process can still
 * take it before the caller binds, so callers that start servers retry.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close((err) => {
        if (err) reject(err);
        else if (port === 0) reject(new Error('The OS did not assign a port'));
        else resolve(port);
      });
    });
  });
}
