import { z } from 'zod';

/**
 * The output of a method that answers with raw bytes (Arrow IPC): IPC carries
 * them as a Uint8Array, HTTP as an application/octet-stream body.
 */
export const BinaryOutput = z.custom<Uint8Array>((value) => value instanceof Uint8Array, 'expected bytes');
