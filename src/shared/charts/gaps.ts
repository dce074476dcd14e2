/**
 * Gaps as gaps: where two neighbouring points are much further apart than the
 * series usually is, a null goes between them so ECharts breaks the line
 * instead of drawing across missing data.
 */

/** The median spacing of sorted times, or 0 for fewer than two points. */
export function medianStep(times: readonly number[]): number {
  if (times.length < 2) return 0;
  const steps: number[] = [];
  for (let i = 1; i < times.length; i++) steps.push(times[i]! - times[i - 1]!);
  steps.sort((a, b) => a - b);
  return steps[Math.floor(steps.length / 2)]!;
}

export interface GapOptions {
  /** A gap is a step longer than this many median steps (default 3). */
  factor?: number;
  /** And longer than this (e.g. two pixel columns when aggregated): M4 columns are uneven inside. */
  minGap?: number;
}

/** Times and values with a null inserted midway through every gap. */
export function insertGaps(
  times: readonly number[],
  values: readonly (number | null)[],
  options: GapOptions = {},
): { t: number[]; v: (number | null)[]; gaps: number } {
  const threshold = Math.max((options.factor ?? 3) * medianStep(times), options.minGap ?? 0);
  const t: number[] = [];
  const v: (number | null)[] = [];
  let gaps = 0;
  for (let i = 0; i < times.length; i++) {
    if (i > 0 && threshold > 0 && times[i]! - times[i - 1]! > threshold) {
      t.push((times[i]! + times[i - 1]!) / 2);
      v.push(null);
      gaps++;
    }
    t.push(times[i]!);
    v.push(values[i] ?? null);
  }
  return { t, v, gaps };
}
