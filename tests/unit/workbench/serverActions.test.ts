/**
 * The Server section's actions: the catalog read over an in-memory workbench (a
 * failed reply shown as the section's error), and the live SQL tabs it asks for.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  loadServerCatalog,
  newLiveQuery,
  openLiveSelect,
  previewBuckets,
  refreshServerCatalog,
} from '../../../src/renderer/features/server/serverActions';
import { useServerStore } from '../../../src/renderer/features/server/serverStore';
import { provideWorkbenchClient } from '../../../src/renderer/state/workbench';
import { provideIntent, type Intents } from '../../../src/renderer/workbench/intents';
import type { ServerCatalog, ServerRelation } from '../../../src/shared/api/server';
import { WorkbenchError } from '../../../src/shared/errors';
import { memoryClient, type Script } from '../../support/renderer/memoryClient';

const cleanups: Array<() => void> = [];

function provide(script: Script) {
  const memory = memoryClient(script);
  cleanups.push(provideWorkbenchClient(memory.client));
  return memory;
}

const readings: ServerRelation = {
  schema: 'dash',
  name: 'readings',
  kind: 'table',
  rowEstimate: 1000,
  bytes: 65536,
  columns: [{ name: 'ts', type: 'timestamp with time zone', nullable: false }],
  timeColumn: 'ts',
  isHypertable: false,
};
const catalog: ServerCatalog = {
  mode: 'plain',
  modeLabel: 'plain PostgreSQL',
  serverVersion: '16.4',
  timescaleVersion: null,
  timescaleSchema: null,
  notice: null,
  database: 'dash',
  schemas: [{ name: 'dash', relations: [readings] }],
  hypertables: [],
  continuousAggregates: [],
  jobs: [],
};

afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  useServerStore.setState({ catalog: null, error: null, loading: false });
});

describe('server actions', () => {
  it('read the catalog once, and again on refresh', async () => {
    const memory = provide({ 'server.catalog': () => catalog });
    await refreshServerCatalog();
    expect(useServerStore.getState()).toEqual({ catalog, error: null, loading: false });
    loadServerCatalog();
    expect(memory.count('server.catalog')).toBe(1);
  });

  it('turn a failed read into the section’s error', async () => {
    provide({
      'server.catalog': () => {
        throw new WorkbenchError('not_ready', 'PostgreSQL is starting', 'Wait');
      },
    });
    await refreshServerCatalog();
    expect(useServerStore.getState()).toEqual({
      catalog: null,
      error: { code: 'not_ready', message: 'PostgreSQL is starting', hint: 'Wait' },
      loading: false,
    });
  });

  it('open live, read-only SQL tabs on the server', () => {
    const asked: Intents['sql.open']['input'][] = [];
    cleanups.push(
      provideIntent('sql.open', (input) => {
        asked.push(input);
        return 'tab-2';
      }),
    );
    openLiveSelect(readings);
    previewBuckets(catalog, readings);
    newLiveQuery();
    expect(asked.map((a) => [a.title, a.target])).toEqual([
      ['readings (live)', 'server'],
      ['readings per hour (live)', 'server'],
      [undefined, 'server'],
    ]);
    expect(asked[0]?.sql).toMatch(/FROM .*readings/);
    expect(asked[1]?.sql).toMatch(/^-- Rows per hour on the server, newest first \(date_bin\)/);
  });
});
