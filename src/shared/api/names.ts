/**
 * Names the workbench shows and puts into SQL (pipelines, metrics, series):
 * one line of text, bounded. A line break in a name read from a file or a
 * request could end a SQL comment or fake a line in the editor, so control
 * characters are refused wherever such a name comes in.
 */
import { z } from 'zod';

/** Whether `text` holds a C0 or C1 control, DEL, or Unicode's line or paragraph separator. */
export function hasControlChar(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c === 0x2028 || c === 0x2029) return true;
  }
  return false;
}

/** A one-line name of at most `max` characters; `what` names it in messages ("a metric name"). */
export function lineName(what: string, max: number) {
  return z
    .string()
    .min(1, `${what} is empty`)
    .max(max, `${what} is longer than ${max} characters`)
    .refine((s) => !hasControlChar(s), `${what} cannot contain line breaks or other control characters`);
}

// Bounded as metric sync bounds the server's names (src/shared/api/sync.ts).
/** A pipeline id as the cache and the server have it: free text, but one line. */
export const PipelineName = lineName('a pipeline id', 256);
/** A metric name as the cache and the server have it: free text, but one line. */
export const MetricName = lineName('a metric name', 256);

/** Free text that ends up in a SQL string literal: bounded, and without NUL (no literal can hold one). */
export function literalText(max: number) {
  return z
    .string()
    .max(max)
    .refine((s) => !s.includes('\0'), 'cannot contain a NUL character');
}
