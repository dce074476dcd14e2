/**
 * A real TimescaleDB server (Debian trixie's PostgreSQL + TimescaleDB, Apache
 * edition) for developers — the same one the integration tests use.
 *
 *   npm run timescaledb -- prepare   build (or reuse) the trixie root and print its path
 *   npm run timescaledb -- start     start a server, print its URL, stop it on Ctrl+C / SIGTERM
 *
 * Needs root and mmdebstrap (apt-get install mmdebstrap). The root goes to
 * DASH_TIMESCALEDB_ROOT or ~/.cache/dash-workbench/timescaledb-trixie.
 */
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { DebianTimescaleDB, prepareTimescaleRoot } from '../tests/setup/DebianTimescaleDB';

const log = (line: string) => process.stderr.write(`${line}\n`);
const out = (line: string) => process.stdout.write(`${line}\n`);

function onPath(name: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, name)));
}

async function prepare(): Promise<number> {
  const result = await prepareTimescaleRoot(log);
  if (!result.ok) {
    log(`Cannot prepare the TimescaleDB root: ${result.reason}`);
    return 1;
  }
  out(result.root);
  return 0;
}

async function start(): Promise<number> {
  const server = await DebianTimescaleDB.start({ log });
  const url = server.url;
  out(`TimescaleDB ${server.info.timescaleVersion} (Debian, Apache edition) is running:`);
  out(`  ${url}`);
  out(
    onPath('psql')
      ? `  psql '${url}'`
      : `  chroot ${server.root} ${server.postgresDir}/bin/psql '${url}'   (no psql on this machine's PATH)`,
  );
  out('Databases are empty: CREATE DATABASE x; then in it CREATE EXTENSION timescaledb;');
  out('Ctrl+C stops it and removes its data.');
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      log(`${signal}: stopping TimescaleDB…`);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    process.once('SIGHUP', stop);
  });
  await server.stop();
  log('Stopped.');
  return 0;
}

const command = process.argv[2];
const commands: Record<string, () => Promise<number>> = { prepare, start };
const run = command ? commands[command] : undefined;
if (!run) {
  log('Usage: npm run timescaledb -- prepare|start');
  process.exit(2);
}
try {
  process.exit(await run());
} catch (err) {
  log(`timescaledb ${command}: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
