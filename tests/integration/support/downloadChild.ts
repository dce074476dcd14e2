/**
 * A process that downloads one object into a BronzeCache and reports its
 * progress, for a test to kill -9 mid-download.
 * Usage: node --import tsx downloadChild.ts <cacheDir> <endpoint> <bucket> <key>
 * Prints one JSON line `{"bytesDone": N}` per chunk written.
 */
import { BronzeCache } from '../../../src/main/services/cache/BronzeCache';
import { S3ObjectStore } from '../../../src/main/services/objectStore/S3ObjectStore';
import { s3rverCredentials } from './s3rverChild';

const [dir, endpoint, bucket, key] = process.argv.slice(2) as [string, string, string, string];
const store = new S3ObjectStore({ endpoint, bucket, ...s3rverCredentials });
const cache = new BronzeCache({ dir, store, storeId: bucket, quotaBytes: 1e12 });
await cache.download([key], {
  progressIntervalMs: 0,
  onProgress: (p) => process.stdout.write(`${JSON.stringify({ bytesDone: p.bytesDone })}\n`),
});
store.close();
