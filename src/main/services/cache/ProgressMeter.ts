/** Progress of a download job: files, bytes, rate and time left, reported at a bounded pace. */
export interface DownloadProgress {
  files: number;
  filesDone: number;
  /** Total bytes of the files whose size is known so far (a file's size is learnt when it starts). */
  bytes: number;
  bytesDone: number;
  /** Bytes of `bytesDone` that were already on disk from an interrupted download. */
  bytesResumed: number;
  bytesPerSecond: number;
  /** null until a rate is known. */
  secondsLeft: number | null;
}

/** The rate is measured over this window, so it follows the network rather than the whole job's average. */
const RATE_WINDOW_MS = 3000;

export class ProgressMeter {
  private readonly progress: DownloadProgress;
  private readonly samples: { at: number; bytes: number }[] = [];
  private lastReport = 0;
  /** Bytes actually fetched in this job, for the rate. */
  private fetched = 0;

  constructor(
    files: number,
    private readonly listener: ((progress: DownloadProgress) => void) | undefined,
    private readonly intervalMs: number,
  ) {
    this.progress = {
      files,
      filesDone: 0,
      bytes: 0,
      bytesDone: 0,
      bytesResumed: 0,
      bytesPerSecond: 0,
      secondsLeft: null,
    };
    this.samples.push({ at: performance.now(), bytes: 0 });
  }

  fileStarted(size: number, resumedFrom: number): void {
    this.progress.bytes += size;
    this.progress.bytesDone += resumedFrom;
    this.progress.bytesResumed += resumedFrom;
    this.report(false);
  }

  bytes(n: number): void {
    this.progress.bytesDone += n;
    this.fetched += n;
    this.report(false);
  }

  fileDone(): void {
    this.progress.filesDone++;
    this.report(false);
  }

  finish(): void {
    this.report(true);
  }

  private report(force: boolean): void {
    if (!this.listener) return;
    const now = performance.now();
    if (!force && now - this.lastReport < this.intervalMs) return;
    this.lastReport = now;
    this.samples.push({ at: now, bytes: this.fetched });
    while (this.samples.length > 2 && now - this.samples[0]!.at > RATE_WINDOW_MS) this.samples.shift();
    const first = this.samples[0]!;
    const seconds = (now - first.at) / 1000;
    const rate = seconds > 0 ? (this.fetched - first.bytes) / seconds : 0;
    this.progress.bytesPerSecond = Math.round(rate);
    this.progress.secondsLeft = rate > 0 ? Math.max(0, (this.progress.bytes - this.progress.bytesDone) / rate) : null;
    this.listener({ ...this.progress });
  }
}
