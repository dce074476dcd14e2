import { describe, expect, it } from 'vitest';
import { StartupProgress } from '../../src/main/services/workspace/StartupProgress';

describe('one start-up progress over weighted steps', () => {
  const steps = [
    { id: 'lake', title: 'Generating the demo lake', weight: 5 },
    { id: 'server', title: 'Starting PostgreSQL', weight: 5 },
  ] as const;

  it('only goes forward, says what runs, and estimates the time left from the pace', () => {
    let now = 0;
    const progress = new StartupProgress([...steps], () => now);
    expect(progress.view()).toEqual({ percent: 0, secondsLeft: null, step: 'Starting' });
    progress.update('lake', 0.5, '105 of 210 files');
    progress.update('server', 0);
    now = 2000;
    expect(progress.view()).toEqual({
      percent: 25,
      secondsLeft: 6,
      step: 'Generating the demo lake (105 of 210 files) · Starting PostgreSQL',
    });
    // A step that reports less than before (a new sub-task starting at 0) does not move the bar back.
    progress.update('lake', 0.1);
    expect(progress.view()!.percent).toBe(25);
    progress.complete('lake');
    progress.complete('server');
    // 99 % until start-up has ended, then nothing to show.
    expect(progress.view()!.percent).toBe(99);
    progress.end();
    expect(progress.view()).toBeNull();
  });
});
