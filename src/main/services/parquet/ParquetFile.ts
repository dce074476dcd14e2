/**
 * Reads a Parquet file's footer and first rows through byte ranges, so a file
 * that is not cached is never downloaded whole to be looked at (native DuckDB
 * here has no httpfs). hyparquet does the Parquet decoding.
 */
import { open } from 'node:fs/promises';
import {
  parquetMetadata,
  parquetMetadataAsync,
  parquetReadObjects,
  type AsyncBuffer,
  type FileMetaData,
} from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import type { ParquetFileInfo } from '../../../shared/api/lake';
import { WorkbenchError } from '../../../shared/errors';
import type { ObjectStore } from '../objectStore/ObjectStore';
import { describeStoreError } from '../objectStore/storeErrors';

/** Enough for most footers in one read, small enough not to fetch small files whole. */
const FOOTER_FETCH_BYTES = 64 * 1024;

type Cell = string | number | boolean | null;

/** A value as JSON carries it. */
export function toCell(value: unknown): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string') return value;
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

/**
 * An AsyncBuffer over one object of the store, counting the bytes it reads.
 * Ranges already fetched are served again from memory (the footer read usually
 * covers the metadata and, for a small file, everything).
 */
async function rangeBuffer(
  store: ObjectStore,
  key: string,
  /** Size and ETag when a listing already gave them: saves a HEAD per file. */
  known?: { size: number; etag: string },
): Promise<{ buffer: AsyncBuffer; read: () => number; size: number; etag: string }> {
  const info = known ?? (await store.head(key));
  let bytesRead = 0;
  const fetched: { start: number; bytes: Buffer }[] = [];
  const fetch = async (start: number, last: number): Promise<Buffer> => {
    const got = await store.get(key, { range: { start, end: last } });
    if (got.notModified) throw new Error('unexpected 304');
    const parts: Buffer[] = [];
    try {
      for await (const part of got.body) parts.push(part as Buffer);
    } catch (err) {
      throw describeStoreError(err, store.description, { key });
    }
    const bytes = Buffer.concat(parts);
    bytesRead += bytes.byteLength;
    fetched.push({ start, bytes });
    return bytes;
  };
  const buffer: AsyncBuffer = {
    byteLength: info.size,
    async slice(start: number, end?: number): Promise<ArrayBuffer> {
      const stop = Math.min(end ?? info.size, info.size);
      if (stop <= start) return new ArrayBuffer(0);
      const hit = fetched.find((f) => f.start <= start && f.start + f.bytes.byteLength >= stop);
      const bytes = hit
        ? hit.bytes.subarray(start - hit.start, stop - hit.start)
        : // A small file is fetched whole on the first read.
          info.size <= FOOTER_FETCH_BYTES
          ? (await fetch(0, info.size - 1)).subarray(start, stop)
          : await fetch(start, stop - 1);
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    },
  };
  return { buffer, read: () => bytesRead, size: info.size, etag: info.etag };
}

export interface ParquetBuffer {
  buffer: AsyncBuffer;
  /** Bytes read so far. */
  read: () => number;
  size: number;
  etag: string;
  close: () => Promise<void>;
}

/**
 * A Parquet file as hyparquet reads it: a local file (folder lake, cache) is
 * opened once and read by position; a remote object through range GETs.
 */
export async function openParquetBuffer(
  store: ObjectStore,
  key: string,
  known?: { size: number; etag: string },
): Promise<ParquetBuffer> {
  if (!store.localPath) return { ...(await rangeBuffer(store, key, known)), close: async () => {} };
  const path = await store.localPath(key);
  const info = known ?? (await store.head(key));
  const handle = await open(path, 'r');
  let bytesRead = 0;
  const buffer: AsyncBuffer = {
    byteLength: info.size,
    async slice(start: number, end?: number): Promise<ArrayBuffer> {
      const length = Math.max(0, Math.min(end ?? info.size, info.size) - start);
      const bytes = new Uint8Array(length);
      let done = 0;
      while (done < length) {
        const { bytesRead: n } = await handle.read(bytes, done, length - done, start + done);
        if (n === 0) break;
        done += n;
      }
      bytesRead += done;
      return bytes.buffer.slice(0, done);
    },
  };
  return { buffer, read: () => bytesRead, size: info.size, etag: info.etag, close: () => handle.close() };
}

function logicalTypeOf(element: FileMetaData['schema'][number]): string | null {
  if (element.logical_type) {
    const { type, ...rest } = element.logical_type as { type: string } & Record<string, unknown>;
    const details = Object.entries(rest)
      .map(([k, v]) => `${k}=${toCell(v)}`)
      .join(', ');
    return details ? `${type}(${details})` : type;
  }
  return element.converted_type ?? null;
}

export async function describeParquetFile(options: {
  store: ObjectStore;
  key: string;
  rows: number;
  source: ParquetFileInfo['source'];
}): Promise<ParquetFileInfo> {
  const { store, key, rows, source } = options;
  const opened = await openParquetBuffer(store, key);
  try {
    return await describeOpened(opened, key, rows, source);
  } finally {
    await opened.close();
  }
}

async function describeOpened(
  { buffer, read, size }: ParquetBuffer,
  key: string,
  rows: number,
  source: ParquetFileInfo['source'],
): Promise<ParquetFileInfo> {
  let metadata: FileMetaData;
  try {
    metadata = await parquetMetadataAsync(buffer, { initialFetchSize: FOOTER_FETCH_BYTES });
  } catch (err) {
    if (err instanceof WorkbenchError) throw err;
    throw new WorkbenchError(
      'bad_request',
      `${key} is not a readable Parquet file: ${(err as Error).message}`,
      'It may be truncated or corrupt; download it again or report it to the pipeline owner.',
    );
  }
  const leaves = metadata.schema.slice(1);
  const firstRows =
    rows > 0 ? await parquetReadObjects({ file: buffer, metadata, rowStart: 0, rowEnd: rows, compressors }) : [];
  const columns = firstRows[0] ? Object.keys(firstRows[0]) : leaves.map((e) => e.name);
  return {
    key,
    size,
    source,
    bytesRead: read(),
    createdBy: metadata.created_by ?? null,
    rowCount: Number(metadata.num_rows),
    schema: leaves.map((element) => ({
      name: element.name,
      physicalType: element.type ?? null,
      logicalType: logicalTypeOf(element),
      repetition: element.repetition_type ?? null,
    })),
    rowGroups: metadata.row_groups.map((group) => ({
      rows: Number(group.num_rows),
      compressedBytes: Number(group.total_compressed_size ?? group.total_byte_size),
      uncompressedBytes: Number(group.total_byte_size),
      columns: group.columns.map((chunk) => {
        const meta = chunk.meta_data;
        const stats = meta?.statistics;
        return {
          name: meta?.path_in_schema.join('.') ?? '',
          compression: meta?.codec ?? 'UNKNOWN',
          nulls: stats?.null_count === undefined ? null : Number(stats.null_count),
          min: toCell(stats?.min_value ?? stats?.min),
          max: toCell(stats?.max_value ?? stats?.max),
        };
      }),
    })),
    keyValue: (metadata.key_value_metadata ?? []).map((kv) => ({ key: kv.key, value: kv.value ?? null })),
    firstRows: { columns, rows: firstRows.map((row) => columns.map((c) => toCell(row[c]))) },
  };
}

/** Footer magic, and the smallest Parquet file: magic, footer length, magic. */
const MAGIC = 'PAR1';
const MIN_PARQUET_BYTES = 12;

/**
 * Why a local Parquet file cannot be read, judged from its footer alone (the
 * trailing magic, the footer length, the metadata itself and where its column
 * chunks start), or null when the footer is sound. Reads the last bytes only.
 * The leading magic is not checked: DuckDB reads files without it.
 */
export async function parquetFooterProblem(path: string): Promise<string | null> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    if (size === 0) return 'the file is empty';
    if (size < MIN_PARQUET_BYTES) return `it has only ${size} bytes, too few for a Parquet file`;
    const tail = Buffer.alloc(8);
    await handle.read(tail, 0, 8, size - 8);
    if (tail.toString('latin1', 4, 8) !== MAGIC) {
      return 'it does not end with the Parquet marker PAR1: it is truncated, or not a Parquet file';
    }
    const metadataBytes = tail.readUInt32LE(0);
    const dataEnd = size - 8 - metadataBytes;
    if (metadataBytes === 0 || dataEnd < 4) {
      return `its footer announces ${metadataBytes} bytes of metadata, but the file has only ${size} bytes`;
    }
    const footer = Buffer.alloc(metadataBytes + 8);
    await handle.read(footer, 0, footer.length, dataEnd);
    let metadata: FileMetaData;
    try {
      metadata = parquetMetadata(footer.buffer.slice(footer.byteOffset, footer.byteOffset + footer.byteLength));
    } catch (err) {
      return `its metadata cannot be read (${(err as Error).message})`;
    }
    if (metadata.schema.length < 2) return 'its metadata lists no columns';
    for (const [i, group] of metadata.row_groups.entries()) {
      for (const chunk of group.columns) {
        const start = chunk.meta_data ? Number(chunk.meta_data.data_page_offset) : null;
        if (start !== null && (start < 4 || start >= dataEnd)) {
          return `row group ${i + 1} of its metadata points outside the file: it is corrupt`;
        }
      }
    }
    return null;
  } finally {
    await handle.close();
  }
}

/**
 * Footer verdicts, remembered per path, size and modification time: a file is
 * read once, and again only when it changed (downloaded again, replaced).
 */
export class ParquetFooterChecks {
  private readonly verdicts = new Map<string, { size: number; mtimeMs: number; problem: string | null }>();

  /** The file's problem, or null; `stat` is what the caller's listing saw. */
  async problemOf(path: string, stat: { size: number; mtimeMs: number }): Promise<string | null> {
    const known = this.verdicts.get(path);
    if (known && known.size === stat.size && known.mtimeMs === stat.mtimeMs) return known.problem;
    const problem = await parquetFooterProblem(path).catch(
      (err: unknown) => `it cannot be read (${err instanceof Error ? err.message : String(err)})`,
    );
    this.verdicts.set(path, { size: stat.size, mtimeMs: stat.mtimeMs, problem });
    return problem;
  }

  /** Records a problem found some other way (a query that failed on the file). */
  remember(path: string, stat: { size: number; mtimeMs: number }, problem: string): void {
    this.verdicts.set(path, { size: stat.size, mtimeMs: stat.mtimeMs, problem });
  }
}
