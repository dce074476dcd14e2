/** The one schema for the handles the API hands out and takes back (queries, results, jobs, previews). */
import { z } from 'zod';

/**
 * An id the UI hands back to us: 1–128 characters, only ASCII letters, digits
 * and `_ . : -`. No spaces, quotes, slashes or backslashes, so an id can never
 * carry SQL, leave a folder when it names a file, or break a log line or URL;
 * the length cap keeps a hostile one from growing maps and messages.
 */
export const Id = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'must be letters, digits, _ . : -');
export type Id = z.infer<typeof Id>;
