/**
 * A process that downloads one object into a BronzeCache and reports its
 * progress, for a test to kill -9 mid-download.
 * Usage: node --import tsx downloadChild.ts <cacheDir> <endpoint> <bucket> <key>
 * Prints one JSON line `{"bytesDone": N}` per chunk written.
 */
import { Transform } from 'node:stream';
import { BronzeCache } from '../../../src/main/services/cache/BronzeCache';
import { S3ObjectStore } from '../../../src/main/services/objectStore/S3ObjectStore';
import { s3rverCredentials } from './s3rverChild';
import { storeWithGet } from './storeWith';

const [dir, endpoint, bucket, key] = process.argv.slice(2) as [string, string, string, string];
const store = new S3ObjectStore({ endpoint, bucket, ...s3rverCredentials });
// Loopback is faster than any real link: bodies are slowed (a few ms a chunk) so
// the kill lands mid-download, as it would over a real network.
const slowed = storeWithGet(store, async (key, options, real) => {
  const got = await real.get(key, options);
  if (got.notModified) return got;
  const slow = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      setTimeout(() => done(null, chunk), 3);
    },
  });
  got.body.once('error', (err) => slow.destroy(err));
  slow.once('close', () => got.body.destroy());
  return { ...got, body: got.body.pipe(slow) };
});
const cache = new BronzeCache({ dir, store: slowed, storeId: bucket, quotaBytes: 1e12 });
await cache.download([key], {
  progressIntervalMs: 0,
  onProgress: (p) => process.stdout.write(`${JSON.stringify({ bytesDone: p.bytesDone })}\n`),
});
store.close();
