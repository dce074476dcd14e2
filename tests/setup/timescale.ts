/**
 * Vitest global setup: a real TimescaleDB server (Debian's, from a trixie root;
 * see DebianTimescaleDB.ts) for the whole run, stopped even when tests fail.
 *
 * When it cannot be had, one line on stderr says why and the tests that need it
 * are skipped with the reason in their title — unless DASH_REQUIRE_TIMESCALEDB=1
 * (CI), where the setup fails with the reason.
 */
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { DebianTimescaleDB, type TimescaleProvided } from './DebianTimescaleDB';

declare module 'vitest' {
  export interface ProvidedContext {
    timescale: TimescaleProvided;
  }
}

const reasonOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  try {
    // The first run builds the trixie root (a minute or more): say what is happening.
    const timescale = await DebianTimescaleDB.start({
      log: (line) => process.stderr.write(`[timescaledb] ${line}\n`),
    });
    project.provide('timescale', { available: true, ...timescale.info });
    return () => timescale.stop();
  } catch (err) {
    const reason = reasonOf(err);
    if (process.env.DASH_REQUIRE_TIMESCALEDB === '1') {
      throw new Error(`TimescaleDB is required (DASH_REQUIRE_TIMESCALEDB=1) but could not be started: ${reason}`);
    }
    process.stderr.write(`TimescaleDB tests will NOT run: ${reason.replaceAll('\n', '\n  ')}\n`);
    project.provide('timescale', { available: false, reason });
    return async () => undefined;
  }
}
