/**
 * The fingerprint of one pipeline's rows in a range (docs/data-contract.md,
 * "The range fingerprint"): `xor64:<rows>:<16 hex>`, the row count and the
 * XOR of PostgreSQL's 64-bit hash of each row. One aggregate on the server
 * instead of streaming every row through a digest; and XOR undoes itself, so
 * the fingerprint after a push follows from the rows it touched alone.
 */
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { WorkbenchError } from '../../../shared/errors';
import { isoUtcSql } from '../../../shared/serverSql';
import type { PushRange } from './pushConnection';

export interface RangeFingerprint {
  rows: number;
  /** Unsigned 64-bit. */
  xor: bigint;
}

const PREFIX = 'xor64:';
const FORMAT = /^xor64:(\d+):([0-9a-f]{16})$/;

/** A row's hash, over columns named as in dash.pipeline_metrics (`value` given: the staging tables name it otherwise). */
export function rowHashSql(value = 'value'): string {
  return `hash_record_extended((metric_name, series_id, time, ${value}), 0)`;
}

/** bit_xor of the rows' hashes (null on no rows) as signed decimal text. */
export function xorSql(value = 'value', filter: string | null = null): string {
  return `coalesce(bit_xor(${rowHashSql(value)})${filter ? ` FILTER (WHERE ${filter})` : ''}, 0)::text`;
}

/** A signed decimal bigint from the server as unsigned 64 bits. */
export function xorOf(text: string): bigint {
  return BigInt.asUintN(64, BigInt(text));
}

export function formatFingerprint(f: RangeFingerprint): string {
  return `${PREFIX}${f.rows}:${f.xor.toString(16).padStart(16, '0')}`;
}

/**
 * The fingerprint a preview recorded. Anything else — a `sha256:` checksum of a
 * workbench before this format, a typo — is refused, never compared loosely.
 */
export function parseFingerprint(text: string): RangeFingerprint {
  const m = FORMAT.exec(text);
  if (!m) {
    throw new WorkbenchError(
      'bad_request',
      `The preview's record of the server's rows ("${text.slice(0, 40)}") is not a range fingerprint this workbench compares (${PREFIX}…). Nothing was written.`,
      'Preview again, then push.',
    );
  }
  return { rows: Number(m[1]), xor: BigInt(`0x${m[2]}`) };
}

/** The fingerprint of the rows of `pipelineId` in `range` as the server holds them now (one aggregate). */
export async function rangeFingerprint(
  client: pg.ClientBase,
  pipelineId: string,
  range: PushRange,
): Promise<RangeFingerprint> {
  const { rows } = await client.query<{ n: string; x: string }>(
    `SELECT count(*)::text AS n, ${xorSql()} AS x FROM dash.pipeline_metrics
     WHERE pipeline_id = $1 AND time >= $2::timestamptz AND time < $3::timestamptz`,
    [pipelineId, range.start, range.end],
  );
  return { rows: Number(rows[0]!.n), xor: xorOf(rows[0]!.x) };
}

/**
 * The server's rows of a pipeline in a range written to `file` as COPY text
 * (`metric_name \t series_id \t time \t value`, time ISO-8601 UTC, value
 * PostgreSQL's shortest exact text, unordered), with their fingerprint from the
 * same snapshot: what a preview compares with and records.
 */
export async function rangeSnapshot(
  client: pg.ClientBase,
  pipelineId: string,
  range: PushRange,
  file: string,
  signal: AbortSignal = new AbortController().signal,
): Promise<{ checksum: string; rows: number }> {
  // One snapshot for both statements: the fingerprint describes exactly the rows written.
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    const fingerprint = await rangeFingerprint(client, pipelineId, range);
    await client.query('SET LOCAL extra_float_digits = 1');
    const copy = client.query(
      copyTo(`COPY (SELECT metric_name, series_id, ${isoUtcSql('time')}, value FROM dash.pipeline_metrics
        WHERE pipeline_id = ${client.escapeLiteral(pipelineId)}
          AND time >= ${client.escapeLiteral(range.start)}::timestamptz
          AND time < ${client.escapeLiteral(range.end)}::timestamptz) TO STDOUT`),
    );
    await pipeline(copy, createWriteStream(file), { signal });
    return { checksum: formatFingerprint(fingerprint), rows: fingerprint.rows };
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
  }
}
