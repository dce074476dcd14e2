/**
 * A Parquet file's footer as the lake's file view and the inspector's part read
 * it: a file of an S3/R2 lake is read once however often it is shown, and again
 * once the cache changed; a local folder's file, and a failed read, are not kept.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readParquetFile } from '../../../src/renderer/features/lake/lakeActions';
import { provideWorkbenchClient } from '../../../src/renderer/state/workbench';
import { useWorkspaceStore } from '../../../src/renderer/state/workspaceStore';
import type { ParquetFileInfo } from '../../../src/shared/api/lake';
import { WorkbenchError } from '../../../src/shared/errors';
import { memoryClient, type Handler } from '../../support/renderer/memoryClient';
import { workspaceStatus } from '../../support/renderer/fixtures';

const KEY = 'bronze/energy_meters/date=2026-10-01/batch-0001.parquet';

function info(key: string, source: ParquetFileInfo['source']): ParquetFileInfo {
  return {
    key,
    size: 4096,
    source,
    bytesRead: 512,
    createdBy: 'parquet-cpp',
    rowCount: 1000,
    schema: [{ name: 'ts', physicalType: 'INT64', logicalType: 'TIMESTAMP', repetition: 'REQUIRED' }],
    rowGroups: [],
    keyValue: [],
    firstRows: { columns: ['ts'], rows: [] },
  };
}

function inLake(location: string) {
  return {
    ...workspaceStatus(),
    lake: { driver: 's3' as const, location, connectionId: 'r2', online: true, notRevalidated: [] },
  };
}

let restore: () => void = () => undefined;

function provideFiles(answer: Handler<'lake.file'>) {
  const memory = memoryClient({ 'lake.file': answer });
  restore = provideWorkbenchClient(memory.client);
  return memory;
}

beforeEach(() => useWorkspaceStore.setState({ status: inLake('s3://dash-bronze/bronze/') }));

afterEach(() => {
  restore();
  // Nothing read in one test is kept for the next.
  useWorkspaceStore.setState((s) => ({ status: null, cacheVersion: s.cacheVersion + 1 }));
});

describe('reading a Parquet file', () => {
  it('reads a file of the store once, however often it is shown', async () => {
    const memory = provideFiles(({ key }) => info(key, 'store'));
    const [first, beside] = await Promise.all([readParquetFile(KEY), readParquetFile(KEY)]);
    // The user switched tabs and came back: the view shows the file again.
    const again = await readParquetFile(KEY);
    expect(memory.inputsOf('lake.file')).toEqual([{ key: KEY, rows: 50 }]);
    expect(beside).toBe(first);
    expect(again).toBe(first);
  });

  it('reads it again once the cache changed, and shows where its bytes come from now', async () => {
    const memory = provideFiles(({ key }) => info(key, 'store'));
    expect((await readParquetFile(KEY)).source).toBe('store');
    memory.handle('lake.file', ({ key }) => info(key, 'cache'));
    useWorkspaceStore.setState((s) => ({ cacheVersion: s.cacheVersion + 1 }));
    expect((await readParquetFile(KEY)).source).toBe('cache');
    await readParquetFile(KEY);
    expect(memory.count('lake.file')).toBe(2);
  });

  it('reads the same key of another lake as the other file it is', async () => {
    const memory = provideFiles(({ key }) => info(key, 'store'));
    await readParquetFile(KEY);
    useWorkspaceStore.setState({ status: inLake('s3://other-bucket/bronze/') });
    await readParquetFile(KEY);
    expect(memory.count('lake.file')).toBe(2);
  });

  it('reads a local folder’s file each time it is shown', async () => {
    const memory = provideFiles(({ key }) => info(key, 'local'));
    await readParquetFile(KEY);
    await readParquetFile(KEY);
    expect(memory.count('lake.file')).toBe(2);
  });

  it('keeps no failed read: showing the file again tries again', async () => {
    const memory = provideFiles(() => {
      throw new WorkbenchError('offline', 'The bucket cannot be reached');
    });
    await expect(readParquetFile(KEY)).rejects.toMatchObject({ code: 'offline' });
    memory.handle('lake.file', ({ key }) => info(key, 'store'));
    expect((await readParquetFile(KEY)).key).toBe(KEY);
    expect(memory.count('lake.file')).toBe(2);
  });

  it('keeps the 20 files shown last', async () => {
    const memory = provideFiles(({ key }) => info(key, 'store'));
    const keys = Array.from({ length: 21 }, (_, i) => `${KEY}.${i}`);
    for (const key of keys) await readParquetFile(key);
    await readParquetFile(keys[20]!);
    expect(memory.count('lake.file')).toBe(21);
    // The first one shown was forgotten for the 21st.
    await readParquetFile(keys[0]!);
    expect(memory.count('lake.file')).toBe(22);
  });
});
