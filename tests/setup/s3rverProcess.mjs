// A real S3 API server (s3rver) for the tests, in its own process because its
// ListObjectsV2 pagination needs Node's legacy OpenSSL provider (single DES).
// Usage: node --openssl-legacy-provider s3rverProcess.mjs <dir> <bucket>
// Prints one JSON line {"port": N} when ready; exits when stdin closes, so a
// test run that dies never leaves it behind.
import S3rver from 's3rver';

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
