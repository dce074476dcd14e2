/**
 * The sidebar's view of the workspace's status over an in-memory workbench: the
 * newest status wins whatever order the answers and events arrive in, and the
 * state is read again whenever the event stream opens.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { applyStatus, startWorkspaceSync } from '../../../src/renderer/state/workspaceActions';
import { phaseState, useWorkspaceStore } from '../../../src/renderer/state/workspaceStore';
import type { WorkspaceStatus } from '../../../src/shared/api/contract';
import { deferred, workspaceStatus } from '../../support/renderer/fixtures';
import { fails, provideMemoryClient } from '../../support/renderer/memoryClient';

const initial = useWorkspaceStore.getState();
afterEach(() => useWorkspaceStore.setState(initial, true));

/** The status at `revision` of a run, PostgreSQL in `postgres`'s state. */
function status(revision: number, postgres: 'running' | 'ready', run = 'run-1'): WorkspaceStatus {
  return workspaceStatus({ postgres }, { run, revision });
}

const postgresShown = () => phaseState(useWorkspaceStore.getState().status, 'postgres');

/** Lets pending promise callbacks run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('workspace status', () => {
  it('keeps a newer event over an older answer that arrives after it', async () => {
    const answer = deferred<WorkspaceStatus>();
    const memory = provideMemoryClient({
      'workspace.status': () => answer.promise,
      'jobs.list': () => ({ jobs: [] }),
      'app.info': fails('unavailable', 'Not needed here'),
    });
    const stop = startWorkspaceSync();
    // The server changed between answering the fetch and the answer's arrival.
    memory.emit({ type: 'workspace', status: status(7, 'ready') });
    answer.resolve(status(6, 'running'));
    await settle();
    expect(postgresShown()).toBe('ready');
    expect(useWorkspaceStore.getState().status?.revision).toBe(7);
    stop();
  });

  it('takes a newer answer over an older event, and the same revision again', () => {
    provideMemoryClient();
    applyStatus(status(3, 'running'));
    applyStatus(status(4, 'ready'));
    expect(postgresShown()).toBe('ready');
    applyStatus(status(4, 'ready'));
    expect(postgresShown()).toBe('ready');
  });

  it('takes a restarted server’s status whatever its revision', () => {
    provideMemoryClient();
    applyStatus(status(40, 'ready', 'run-1'));
    applyStatus(status(2, 'running', 'run-2'));
    expect(postgresShown()).toBe('running');
    expect(useWorkspaceStore.getState().status?.run).toBe('run-2');
  });

  it('reads the status and the jobs again each time the event stream opens', async () => {
    let current = status(1, 'running');
    const memory = provideMemoryClient({
      'workspace.status': () => current,
      'jobs.list': () => ({ jobs: [] }),
      'app.info': fails('unavailable', 'Not needed here'),
    });
    const stop = startWorkspaceSync();
    await settle();
    expect(postgresShown()).toBe('running');
    // PostgreSQL became ready before the stream was open: no event carried it.
    current = status(2, 'ready');
    memory.openStream();
    await settle();
    expect(postgresShown()).toBe('ready');
    expect(memory.count('workspace.status')).toBe(2);
    expect(memory.count('jobs.list')).toBe(2);
    stop();
    memory.openStream();
    expect(memory.count('workspace.status')).toBe(2);
  });
});
