/**
 * Vitest global setup for the integration project: real PostgreSQL and S3
 * servers for the whole run, torn down even when tests fail. (TimescaleDB has
 * its own setup, ./timescale.ts, which the end-to-end tests use too.)
 */
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { TestServers, type TestServersInfo } from './TestServers';

declare module 'vitest' {
  export interface ProvidedContext {
    servers: TestServersInfo;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const servers = await TestServers.start();
  project.provide('servers', servers.info);
  return () => servers.stop();
}
