/**
 * A process that starts an EmbeddedServer and stays up, for a test to kill -9
 * (its PostgreSQL then keeps running, as after a crash of the app).
 * Usage: node --import tsx embeddedServerChild.ts <dataDir>
 * Prints one JSON line with the server's connection settings once it is ready.
 */
import { EmbeddedServer } from '../../../src/main/services/postgres/EmbeddedServer';

const [dataDir] = process.argv.slice(2) as [string];
const server = await EmbeddedServer.start({ dataDir, database: 'keep' });
process.stdout.write(`${JSON.stringify(server.connectionConfig())}\n`);
setInterval(() => undefined, 60_000);
