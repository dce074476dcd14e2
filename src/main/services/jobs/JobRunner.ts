import { randomUUID } from 'node:crypto';
import type { JobSnapshot } from '../../../shared/api/contract';
import { WorkbenchError, errorText } from '../../../shared/errors';
import { fromSystemError } from '../systemErrors';

/** What a running job can do: report progress and notice cancellation. */
export interface JobContext {
  readonly signal: AbortSignal;
  progress(done: number, total: number | null, message?: string): void;
  /** Throws a `cancelled` WorkbenchError once the user has cancelled. */
  throwIfCancelled(): void;
}

export interface JobSpec<T> {
  kind: string;
  title: string;
  unit?: string;
  run(ctx: JobContext): Promise<T>;
}

export interface StartedJob<T> {
  jobId: string;
  done: Promise<T>;
}

const KEEP_FINISHED = 50;
/** Progress events are coalesced so a tight loop cannot flood the UI. */
const PROGRESS_INTERVAL_MS = 100;

/**
 * Runs long work (generation, downloads, syncs, pushes) as jobs with progress and
 * cancel. Listeners get a snapshot on every state change and throttled progress.
 */
export class JobRunner {
  private readonly jobs = new Map<string, { snapshot: JobSnapshot; controller: AbortController }>();
  private readonly listeners = new Set<(job: JobSnapshot) => void>();

  onChange(listener: (job: JobSnapshot) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  list(): JobSnapshot[] {
    return [...this.jobs.values()].map((j) => ({ ...j.snapshot }));
  }

  get(jobId: string): JobSnapshot | undefined {
    const job = this.jobs.get(jobId);
    return job ? { ...job.snapshot } : undefined;
  }

  cancel(jobId: string): boolean {
    const job = this.jobs.get(jobId);
    if (!job || job.snapshot.finishedAt !== null) return false;
    job.controller.abort();
    return true;
  }

  /** Cancels everything still running, e.g. when the app quits. */
  cancelAll(): void {
    for (const id of this.jobs.keys()) this.cancel(id);
  }

  start<T>(spec: JobSpec<T>): StartedJob<T> {
    const jobId = `job-${randomUUID()}`;
    const controller = new AbortController();
    const snapshot: JobSnapshot = {
      jobId,
      kind: spec.kind,
      title: spec.title,
      state: 'running',
      progress: { done: 0, total: null, unit: spec.unit ?? 'steps' },
      message: '',
      error: null,
      startedAt: new Date().toISOString(),
      finishedAt: null,
    };
    this.jobs.set(jobId, { snapshot, controller });
    this.prune();
    this.emit(snapshot);

    let lastEmit = 0;
    let pending: NodeJS.Timeout | null = null;
    const ctx: JobContext = {
      signal: controller.signal,
      progress: (done, total, message) => {
        if (snapshot.finishedAt !== null) return;
        snapshot.progress = { ...snapshot.progress, done, total };
        if (message !== undefined) snapshot.message = message;
        const now = Date.now();
        if (now - lastEmit >= PROGRESS_INTERVAL_MS) {
          lastEmit = now;
          this.emit(snapshot);
        } else if (!pending) {
          pending = setTimeout(() => {
            pending = null;
            lastEmit = Date.now();
            if (snapshot.finishedAt === null) this.emit(snapshot);
          }, PROGRESS_INTERVAL_MS);
        }
      },
      throwIfCancelled: () => {
        if (controller.signal.aborted) throw new WorkbenchError('cancelled', `${spec.title} was cancelled`);
      },
    };

    const done = (async () => {
      try {
        const result = await spec.run(ctx);
        // Work that ignored the signal still counts as cancelled: the user asked.
        if (controller.signal.aborted) throw new WorkbenchError('cancelled', `${spec.title} was cancelled`);
        this.finish(snapshot, 'succeeded', null);
        return result;
      } catch (thrown) {
        const cancelled =
          controller.signal.aborted || (thrown instanceof WorkbenchError && thrown.code === 'cancelled');
        // A file-system failure (disk full, read-only…) names its path and what to do, not errno text.
        const err = fromSystemError(thrown) ?? thrown;
        this.finish(snapshot, cancelled ? 'cancelled' : 'failed', cancelled ? null : errorText(err));
        throw err;
      } finally {
        if (pending) clearTimeout(pending);
      }
    })();
    // The caller may not await; an unobserved failure must not crash the process.
    done.catch(() => undefined);
    return { jobId, done };
  }

  private finish(snapshot: JobSnapshot, state: JobSnapshot['state'], error: string | null): void {
    snapshot.state = state;
    snapshot.error = error;
    snapshot.finishedAt = new Date().toISOString();
    if (state === 'succeeded' && snapshot.progress.total !== null) {
      snapshot.progress = { ...snapshot.progress, done: snapshot.progress.total };
    }
    if (state === 'cancelled') snapshot.message = 'Cancelled';
    this.emit(snapshot);
  }

  private emit(snapshot: JobSnapshot): void {
    const copy = { ...snapshot, progress: { ...snapshot.progress } };
    for (const listener of this.listeners) listener(copy);
  }

  private prune(): void {
    const finished = [...this.jobs.values()].filter((j) => j.snapshot.finishedAt !== null);
    for (const job of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED))) {
      this.jobs.delete(job.snapshot.jobId);
    }
  }
}
