/** How the inspector shows a Bronze value: instants in the workbench's one time format, the rest as text. */
import { formatInstant } from '../../../shared/timeZone';

/** What the services send for a TIMESTAMP WITH TIME ZONE value (Date.toISOString). */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

export function inspectorText(value: unknown, timeZone: string): string {
  if (typeof value === 'string' && ISO_INSTANT.test(value)) {
    const ms = Date.parse(value);
    if (!Number.isNaN(ms)) return formatInstant(ms, timeZone);
  }
  return String(value);
}
