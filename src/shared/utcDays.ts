/** Calendar days in UTC as `YYYY-MM-DD` text, the way the sync ranges and the server's day partitions name them. */

export const DAY_MS = 86_400_000;

/** The UTC day an instant (epoch milliseconds) falls on. */
export function utcDayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The day `days` after `day` (negative goes back). */
export function addDays(day: string, days: number): string {
  return utcDayOf(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS);
}

/** The last day of a range whose end is exclusive (an instant, as the API gives ranges). */
export function lastDayOf(endExclusive: string): string {
  return utcDayOf(Date.parse(endExclusive) - 1);
}
