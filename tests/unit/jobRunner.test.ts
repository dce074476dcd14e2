import { describe, expect, it } from 'vitest';
import { JobRunner } from '../../src/main/services/jobs/JobRunner';
import type { JobSnapshot } from '../../src/shared/api/contract';
import { JobSnapshot as JobSnapshotSchema } from '../../src/shared/api/contract';

describe('JobRunner', () => {
  it('reports progress and success as contract-valid snapshots', async () => {
    const jobs = new JobRunner();
    const seen: JobSnapshot[] = [];
    jobs.onChange((job) => seen.push(job));
    const job = jobs.start({
      kind: 'test',
      title: 'Counting',
      unit: 'items',
      run: async (ctx) => {
        for (let i = 1; i <= 3; i++) {
          ctx.progress(i, 3, `item ${i}`);
          await new Promise((r) => setTimeout(r, 120));
        }
        return 'done';
      },
    });
    await expect(job.done).resolves.toBe('done');
    const last = seen.at(-1)!;
    expect(last).toMatchObject({ state: 'succeeded', progress: { done: 3, total: 3, unit: 'items' }, error: null });
    expect(seen.some((s) => s.state === 'running' && s.progress.done > 0)).toBe(true);
    for (const s of seen) expect(JobSnapshotSchema.safeParse(s).success).toBe(true);
    expect(jobs.get(job.jobId)?.finishedAt).not.toBeNull();
  });

  it('cancels a job through its signal', async () => {
    const jobs = new JobRunner();
    const job = jobs.start({
      kind: 'test',
      title: 'Waiting',
      run: (ctx) =>
        new Promise((_resolve, reject) => {
          ctx.signal.addEventListener('abort', () => reject(new Error('aborted')));
        }),
    });
    expect(jobs.cancel(job.jobId)).toBe(true);
    await expect(job.done).rejects.toThrow();
    expect(jobs.get(job.jobId)).toMatchObject({ state: 'cancelled', error: null });
    expect(jobs.cancel(job.jobId)).toBe(false);
  });

  it('records a failure with its message and never throws unobserved', async () => {
    const jobs = new JobRunner();
    const job = jobs.start({
      kind: 'test',
      title: 'Failing',
      run: async () => {
        throw new Error('disk full');
      },
    });
    await expect(job.done).rejects.toThrow('disk full');
    expect(jobs.get(job.jobId)).toMatchObject({ state: 'failed', error: 'disk full' });
  });
});
