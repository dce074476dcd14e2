import { describe, expect, it } from 'vitest';
import { provideIntent, request } from '../../../src/renderer/workbench/intents';
import { WorkbenchError } from '../../../src/shared/errors';
import { failure } from '../../support/failure';

describe('intents', () => {
  it('reach the one feature that provides them, and stop when it takes the handler back', async () => {
    const asked: string[] = [];
    const undo = provideIntent('sql.open', ({ sql }) => {
      asked.push(sql);
      return 'tab-9';
    });
    expect(request('sql.open', { sql: 'SELECT 1' })).toBe('tab-9');
    expect(asked).toEqual(['SELECT 1']);
    expect(() => provideIntent('sql.open', () => 'tab-10')).toThrow(/Two features handle/);
    undo();
    const error = await failure(async () => request('sql.open', { sql: 'SELECT 2' }));
    expect(error).toBeInstanceOf(WorkbenchError);
    expect(error.message).toMatch(/Nothing in this window handles "sql.open"/);
  });
});
