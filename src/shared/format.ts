/** Human-sized numbers, the same in the UI and in job messages. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** An ISO-8601 UTC instant for people: `2026-10-06 02:15 UTC`, with seconds only where they are not zero. */
export function formatUtcInstant(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const text = date
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, '');
  return `${text.endsWith(':00') ? text.slice(0, -3) : text} UTC`;
}
