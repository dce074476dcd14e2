// A real S3 API server (s3rver) for the tests, in its own process because its
// ListObjectsV2 pagination needs Node's legacy OpenSSL provider (single DES).
// Usage: node --openssl-legacy-provider s3rverProcess.mjs <dir> <bucket>
// Prints one JSON line {"port": N} when ready; exits when stdin closes, so a
// test run that dies never leaves it behind.
import { createRequire } from 'node:module';
import S3rver from 's3rver';

// s3rver prunes every directory below a common prefix before it has seen an
// object there, so `prefix=bronze/, delimiter=/` over `bronze/<p>/date=…/x`
// (two levels deep) returns no common prefixes at all, where S3 and R2 return
// `bronze/<p>/`. Descend below a common prefix only until it is known.
const require = createRequire(import.meta.url);
const FilesystemStore = require('s3rver/lib/stores/filesystem');
const { walk } = require('s3rver/lib/utils');
FilesystemStore.prototype.listObjects = async function listObjects(bucket, options) {
  const { delimiter = '', startAfter = '', prefix = '', maxKeys = Infinity } = options;
  const bucketPath = this.getBucketPath(bucket);
  const prefixPath = `${bucketPath}/${prefix}`;
  const objectSuffix = '._S3rver_object';
  const commonPrefixes = new Set();
  const commonPrefixOf = (key) => {
    const idx = delimiter ? key.slice(prefix.length).indexOf(delimiter) : -1;
    return idx === -1 ? null : key.slice(0, prefix.length + idx + delimiter.length);
  };
  const descend = (dirPath) => {
    if (!dirPath.startsWith(prefixPath)) return prefixPath.startsWith(dirPath);
    const common = commonPrefixOf(`${dirPath.slice(bucketPath.length + 1)}/`);
    return common === null || !commonPrefixes.has(common);
  };
  const keys = [];
  let isTruncated = false;
  for (const keyPath of walk(bucketPath, descend)) {
    if (!keyPath.endsWith(objectSuffix)) continue;
    const key = keyPath.slice(bucketPath.length + 1, -objectSuffix.length);
    if (key <= startAfter || !key.startsWith(prefix)) continue;
    const common = commonPrefixOf(key);
    if (common !== null) {
      commonPrefixes.add(common);
      continue;
    }
    if (keys.length < maxKeys) keys.push(key);
    else {
      isTruncated = true;
      break;
    }
  }
  const S3Object = require('s3rver/lib/models/object');
  const found = await Promise.all(
    keys.map(async (key) => {
      try {
        return new S3Object(bucket, key, null, await this.getMetadata(bucket, key));
      } catch (err) {
        if (err.code === 'ENOENT') return null;
        throw err;
      }
    }),
  );
  return { objects: found.filter((o) => o !== null), commonPrefixes: [...commonPrefixes].sort(), isTruncated };
};

const [dir, bucket] = process.argv.slice(2);
const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  directory: dir,
  silent: true,
  configureBuckets: [{ name: bucket }],
});
const address = await server.run();
process.stdout.write(`${JSON.stringify({ port: address.port })}\n`);

const stop = async () => {
  await server.close();
  process.exit(0);
};
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
