/**
 * The benchmark harness: every figure is our time (or throughput) against a
 * baseline measured in the same run on the same machine — the physical limit
 * we are measured against — reported as a speed ratio (higher is better,
 * 1.0 = as fast as the baseline).
 */
export interface Measurement {
  value: number;
  unit: string;
}

export interface FigureResult {
  id: string;
  ours: Measurement;
  baseline: (Measurement & { name: string }) | null;
  /** baseline time ÷ our time, or our throughput ÷ baseline throughput. */
  speed_ratio: number | null;
  notes?: string;
}

export interface Figure {
  id: string;
  description: string;
  run(ctx: BenchContext): Promise<FigureResult>;
}

export interface BenchContext {
  /** A folder kept between runs for generated fixtures. */
  cacheDir: string;
  /** Rows in the main benchmark dataset. */
  rows: number;
  log(line: string): void;
}

/** Median wall time of `repeat` runs after `warmup` unmeasured ones, in ms. */
export async function medianMs(fn: () => Promise<unknown> | unknown, repeat = 5, warmup = 1): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const started = performance.now();
    await fn();
    times.push(performance.now() - started);
  }
  return median(times);
}

/**
 * Runs `baseline` and `ours` alternately, so a busy moment of the machine
 * weighs on both sides alike: one unmeasured warm-up round (run 0), then
 * `repeat` measured ones. Each side returns its own time in ms, so it can
 * leave its set-up out.
 */
export async function alternatingRuns(
  repeat: number,
  sides: { baseline: (run: number) => Promise<number>; ours: (run: number) => Promise<number> },
  log?: (run: number, oursMs: number, baselineMs: number) => void,
): Promise<{ ours: number[]; baseline: number[] }> {
  const ours: number[] = [];
  const baseline: number[] = [];
  for (let run = 0; run <= repeat; run++) {
    const baselineMs = await sides.baseline(run);
    const oursMs = await sides.ours(run);
    if (run === 0) continue;
    baseline.push(baselineMs);
    ours.push(oursMs);
    log?.(run, oursMs, baselineMs);
  }
  return { ours, baseline };
}

/** The middle value (the upper one of the two middle values of an even count). */
export function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}

/** A time figure: lower is better for both, so the ratio is baseline ÷ ours. */
export function timeFigure(
  id: string,
  oursMs: number,
  baselineName: string,
  baselineMs: number,
  notes?: string,
): FigureResult {
  return {
    id,
    ours: { value: round(oursMs), unit: 'ms' },
    baseline: { name: baselineName, value: round(baselineMs), unit: 'ms' },
    speed_ratio: round(baselineMs / oursMs, 3),
    ...(notes ? { notes } : {}),
  };
}

export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
