/**
 * The COPY codec: how rows cross between PostgreSQL's COPY and the workbench,
 * in one place — the text format's escapes, written or undone in DuckDB SQL.
 */

/** Text-format COPY needs these escaped; our ids never contain them, but the format is the format. */
export function copyTextSql(column: string): string {
  return `replace(replace(replace(replace(${column}, '\\', '\\\\'), chr(9), '\\t'), chr(10), '\\n'), chr(13), '\\r')`;
}

/** COPY text escapes (backslash, tab, newline, CR) undone; ids almost never have them, so only those that do pay. */
export function unescapeCopyTextSql(column: string): string {
  const undo = `replace(replace(replace(replace(replace(${column}, '\\\\', chr(1)), '\\t', chr(9)), '\\n', chr(10)), '\\r', chr(13)), chr(1), '\\')`;
  return `CASE WHEN contains(${column}, '\\') THEN ${undo} ELSE ${column} END`;
}

// ---------------------------------------------------------------------------
// COPY … (FORMAT binary): PostgreSQL's own wire values, decoded without text parsing.

/** The column types the binary decoder reads; anything else is refused up front. */
export type CopyBinaryColumn = 'timestamptz' | 'text' | 'float8';

/** A COPY binary stream that does not follow the format: always this, never a crash or a wrong row. */
export class CopyFormatError extends Error {
  constructor(message: string) {
    super(`Malformed COPY binary data: ${message}`);
    this.name = 'CopyFormatError';
  }
}

/** "PGCOPY\n\377\r\n\0": the 11-byte signature every binary COPY starts with. */
const COPY_BINARY_SIGNATURE = Buffer.from([0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00]);
/** Signature, flags, header-extension length. */
const COPY_BINARY_HEADER = COPY_BINARY_SIGNATURE.length + 8;
/** Flag bit 16 says each row carries an OID; bits 17–31 are critical flags a reader must refuse. */
const COPY_BINARY_CRITICAL_FLAGS = 0xffff0000;
/** No text field we read is near this; a larger length is a damaged stream, not a value to allocate. */
const COPY_BINARY_MAX_FIELD = 256 * 1024 * 1024;
/** Bytes of the next chunk that finish a row cut at a chunk's end, before the whole chunk is copied instead. */
const PENDING_HEAD = 4096;
/** Microseconds between the Unix epoch and PostgreSQL's (2000-01-01). */
export const PG_EPOCH_MICROS = 946_684_800_000_000;

/**
 * Where each field of the current row lies in `bytes`: `starts[i]` and
 * `lengths[i]` (-1 for NULL). Valid only during the `onRow` call.
 */
export interface CopyBinaryRow {
  bytes: Buffer;
  starts: Int32Array;
  lengths: Int32Array;
}

/**
 * A streaming decoder of COPY … TO STDOUT (FORMAT binary): feed it the chunks
 * as they arrive (rows may span chunks); it checks the header, every field
 * count and length against the expected columns, and the trailer, and calls
 * `onRow` per row with where its fields are. Reading the values is up to the
 * caller (see `copyTimestamptzMicros`, `copyFloat8`), so no row becomes an object.
 */
export class CopyBinaryDecoder {
  private pending: Buffer = Buffer.alloc(0);
  private headerRead = false;
  private ended = false;
  private consumed = 0;
  private rowCount = 0;
  private readonly row: CopyBinaryRow;

  constructor(
    private readonly columns: readonly CopyBinaryColumn[],
    private readonly onRow: (row: CopyBinaryRow) => void,
  ) {
    this.row = {
      bytes: this.pending,
      starts: new Int32Array(columns.length),
      lengths: new Int32Array(columns.length),
    };
  }

  get rows(): number {
    return this.rowCount;
  }

  /** Decodes every complete row in `chunk` (plus what was left over from the last one). */
  push(chunk: Uint8Array): void {
    if (this.ended && chunk.length) this.fail('data after the trailer', 0);
    const whole = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.pending.length && this.headerRead && chunk.length > PENDING_HEAD) {
      // The row cut by the last chunk is finished from the head of this one: copying only that
      // much, not the whole chunk behind it (a row is far shorter than a chunk).
      const carried = this.pending.length;
      const head = Buffer.concat([this.pending, whole.subarray(0, PENDING_HEAD)]);
      const at = this.decodeRows(head, 0);
      if (at > carried) {
        this.consumed += carried;
        this.pending = Buffer.alloc(0);
        this.keep(whole, this.ended ? this.afterTrailer(whole, at - carried) : this.decodeRows(whole, at - carried));
        return;
      }
      // A row longer than the head: the whole chunk is needed after all (nothing was decoded).
    }
    const bytes = this.pending.length ? Buffer.concat([this.pending, chunk]) : whole;
    let at = 0;
    if (!this.headerRead) {
      if (bytes.length < COPY_BINARY_HEADER) {
        this.keep(bytes, 0);
        return;
      }
      at = this.readHeader(bytes);
      if (at < 0) {
        this.keep(bytes, -1);
        return;
      }
    }
    this.keep(bytes, this.decodeRows(bytes, at));
  }

  /** After the trailer, only the end of the data may come. */
  private afterTrailer(bytes: Buffer, at: number): number {
    if (at !== bytes.length) this.fail('data after the trailer', at);
    return at;
  }

  /** Decodes the complete rows of `bytes` from `at`; returns where the first incomplete one starts (or the end). */
  private decodeRows(bytes: Buffer, at: number): number {
    const { starts, lengths } = this.row;
    const width = this.columns.length;
    this.row.bytes = bytes;
    const end = bytes.length;
    while (end - at >= 2) {
      // Field counts and lengths read inline: Buffer's readInt*BE cost more than the rest of a row.
      const fields = (bytes[at]! << 8) | bytes[at + 1]!;
      if (fields === 0xffff) {
        this.ended = true;
        at += 2;
        if (at !== end) this.fail('data after the trailer', at);
        break;
      }
      if (fields !== width) this.fail(`a row has ${(fields << 16) >> 16} fields, expected ${width}`, at);
      let p = at + 2;
      let complete = true;
      for (let i = 0; i < width; i++) {
        if (end - p < 4) {
          complete = false;
          break;
        }
        const length = (bytes[p]! << 24) | (bytes[p + 1]! << 16) | (bytes[p + 2]! << 8) | bytes[p + 3]!;
        p += 4;
        if (length === -1) {
          starts[i] = p;
          lengths[i] = -1;
          continue;
        }
        if (length !== (this.columns[i] === 'text' ? length : 8) || length < 0 || length > COPY_BINARY_MAX_FIELD) {
          this.fail(`field ${i + 1} (${this.columns[i]}) has length ${length}`, p - 4);
        }
        if (end - p < length) {
          complete = false;
          break;
        }
        starts[i] = p;
        lengths[i] = length;
        p += length;
      }
      if (!complete) break;
      this.onRow(this.row);
      this.rowCount++;
      at = p;
    }
    return at;
  }

  /** The stream ended: anything but a complete trailer is a cut-off stream. */
  end(): number {
    if (!this.headerRead) this.fail('the stream ended inside the header', 0);
    if (!this.ended) {
      this.fail(
        this.pending.length ? 'the stream ended inside a row' : 'the stream ended without its trailer',
        this.pending.length,
      );
    }
    return this.rowCount;
  }

  private readHeader(bytes: Buffer): number {
    if (!bytes.subarray(0, COPY_BINARY_SIGNATURE.length).equals(COPY_BINARY_SIGNATURE)) {
      this.fail('the stream does not start with the PGCOPY signature', 0);
    }
    const flags = bytes.readUInt32BE(COPY_BINARY_SIGNATURE.length);
    if (flags & COPY_BINARY_CRITICAL_FLAGS) {
      this.fail(`the header has flags 0x${flags.toString(16)} this reader does not know (e.g. OIDs)`, 11);
    }
    const extension = bytes.readUInt32BE(COPY_BINARY_SIGNATURE.length + 4);
    if (extension > COPY_BINARY_MAX_FIELD) this.fail(`a header extension of ${extension} bytes`, 15);
    if (bytes.length < COPY_BINARY_HEADER + extension) return -1;
    this.headerRead = true;
    return COPY_BINARY_HEADER + extension;
  }

  private keep(bytes: Buffer, at: number): void {
    if (at < 0) {
      // The header extension has not fully arrived: keep it all.
      this.pending = bytes;
      return;
    }
    this.consumed += at;
    this.pending = at >= bytes.length ? Buffer.alloc(0) : Buffer.from(bytes.subarray(at));
  }

  private fail(what: string, at: number): never {
    throw new CopyFormatError(`${what} (at byte ${this.consumed + at})`);
  }
}

/**
 * A binary timestamptz (int8 µs since 2000-01-01) as µs since the Unix epoch.
 * Exact as a JS number for every time within ±142 years of 2000; farther (and
 * ±infinity) is refused rather than rounded.
 */
export function copyTimestamptzMicros(bytes: Buffer, at: number): number {
  const high = bytes.readInt32BE(at);
  const low = bytes.readUInt32BE(at + 4);
  // |high| < 2^20 keeps high·2^32 + low within 2^52: exact.
  if (high >= 0x100000 || high < -0x100000) {
    throw new RangeError(
      `A time ${bytes.readBigInt64BE(at)} µs from 2000-01-01 is outside the years 1858–2142 the sync holds exactly`,
    );
  }
  return high * 4_294_967_296 + low + PG_EPOCH_MICROS;
}

/** A binary float8 (IEEE 754, big-endian), NaN and infinities included. */
export function copyFloat8(bytes: Buffer, at: number): number {
  return bytes.readDoubleBE(at);
}

/** A DuckDB DOUBLE as a COPY text field: its shortest exact text, or `\N` for null. */
export function copyTextValueSql(column: string): string {
  return `coalesce(${column}::VARCHAR, '\\N')`;
}
