import { describe, expect, it } from 'vitest';
import {
  CopyBinaryDecoder,
  CopyFormatError,
  copyFloat8,
  copyTimestamptzMicros,
  type CopyBinaryColumn,
} from '../../src/main/services/postgres/copyCodec';

const COLUMNS: CopyBinaryColumn[] = ['timestamptz', 'text', 'float8'];
const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

function header(flags = 0, extension = Buffer.alloc(0)): Buffer {
  const fixed = Buffer.alloc(8);
  fixed.writeUInt32BE(flags, 0);
  fixed.writeUInt32BE(extension.length, 4);
  return Buffer.concat([SIGNATURE, fixed, extension]);
}

/** One row the way PostgreSQL writes it: field count, then (length, bytes) per field; null is length -1. */
function row(micros2000: bigint, text: string | null, value: number | null): Buffer {
  const parts: Buffer[] = [];
  const count = Buffer.alloc(2);
  count.writeInt16BE(3);
  parts.push(count);
  const time = Buffer.alloc(12);
  time.writeInt32BE(8, 0);
  time.writeBigInt64BE(micros2000, 4);
  parts.push(time);
  const textLength = Buffer.alloc(4);
  if (text === null) parts.push(Buffer.from([0xff, 0xff, 0xff, 0xff]));
  else {
    const bytes = Buffer.from(text, 'utf8');
    textLength.writeInt32BE(bytes.length);
    parts.push(textLength, bytes);
  }
  if (value === null) parts.push(Buffer.from([0xff, 0xff, 0xff, 0xff]));
  else {
    const v = Buffer.alloc(12);
    v.writeInt32BE(8, 0);
    v.writeDoubleBE(value, 4);
    parts.push(v);
  }
  return Buffer.concat(parts);
}

const TRAILER = Buffer.from([0xff, 0xff]);

/** Decodes `chunks` into plain rows. */
function decode(chunks: Buffer[], columns = COLUMNS): { rows: unknown[][]; count: number } {
  const rows: unknown[][] = [];
  const decoder = new CopyBinaryDecoder(columns, ({ bytes, starts, lengths }) => {
    rows.push([
      copyTimestamptzMicros(bytes, starts[0]!),
      lengths[1]! < 0 ? null : bytes.toString('utf8', starts[1]!, starts[1]! + lengths[1]!),
      lengths[2]! < 0 ? null : copyFloat8(bytes, starts[2]!),
    ]);
  });
  for (const chunk of chunks) decoder.push(chunk);
  return { rows, count: decoder.end() };
}

/** 2026-01-01T00:00:00.000001Z in µs since 2000-01-01 and since 1970-01-01. */
const T2000 = 820_540_800_000_001n;
const T1970 = 1_767_225_600_000_001;

describe('COPY binary decoder', () => {
  const stream = Buffer.concat([
    header(0, Buffer.from('ext')),
    row(T2000, 'dev-1', 1.5),
    row(-1n, '', null),
    row(T2000, 'ünï\ncode,"x"', Number.NaN),
    row(T2000, null, Number.NEGATIVE_INFINITY),
    TRAILER,
  ]);
  const expected = [
    [T1970, 'dev-1', 1.5],
    [946_684_799_999_999, '', null],
    [T1970, 'ünï\ncode,"x"', Number.NaN],
    [T1970, null, Number.NEGATIVE_INFINITY],
  ];

  it('reads times, text, doubles and nulls exactly', () => {
    expect(decode([stream])).toEqual({ rows: expected, count: 4 });
  });

  it('reads the same rows however the stream is cut into chunks', () => {
    for (const size of [1, 2, 3, 7, 19, 64]) {
      const chunks: Buffer[] = [];
      for (let at = 0; at < stream.length; at += size) chunks.push(stream.subarray(at, at + size));
      expect(decode(chunks).rows).toEqual(expected);
    }
  });

  it("reads rows cut by large chunks, whether the cut row is short or longer than the next chunk's head", () => {
    // Many short rows and, among them, rows far longer than the 4 KB a cut row is finished from.
    const long = 'x'.repeat(9000);
    const texts = Array.from({ length: 3000 }, (_, i) => (i % 700 === 5 ? `${long}${i}` : `dev-${i}`));
    const big = Buffer.concat([header(), ...texts.map((t, i) => row(BigInt(i), t, i)), TRAILER]);
    const want = texts.map((t, i) => [946_684_800_000_000 + i, t, i]);
    for (const size of [5000, 8191, 65536]) {
      const chunks: Buffer[] = [];
      for (let at = 0; at < big.length; at += size) chunks.push(big.subarray(at, at + size));
      expect(decode(chunks)).toEqual({ rows: want, count: texts.length });
    }
    // Data after the trailer is refused, even when it arrives in the chunk that finishes a cut row.
    const cut = big.length - 100;
    const tail = Buffer.concat([big.subarray(cut), Buffer.alloc(5000)]);
    expect(() => decode([big.subarray(0, cut), tail])).toThrow(/data after the trailer/);
  });

  const malformed: [string, Buffer[], RegExp][] = [
    ['a wrong signature', [Buffer.from('PGCOPZ\n\xff\r\n\0\0\0\0\0\0\0\0\0', 'latin1'), TRAILER], /PGCOPY signature/],
    ['OIDs in the header flags', [header(1 << 16), TRAILER], /flags 0x10000/],
    ['a row with the wrong field count', [header(), Buffer.from([0, 2]), TRAILER], /2 fields, expected 3/],
    [
      'a timestamp of 4 bytes',
      [header(), Buffer.from([0, 3, 0, 0, 0, 4, 1, 2, 3, 4]), TRAILER],
      /field 1 \(timestamptz\) has length 4/,
    ],
    [
      'a negative text length',
      [header(), row(T2000, 'x', 1).subarray(0, 14), Buffer.from([0xff, 0xff, 0xff, 0xfe])],
      /field 2 \(text\) has length -2/,
    ],
    [
      'a huge text length',
      [header(), row(T2000, 'x', 1).subarray(0, 14), Buffer.from([0x7f, 0xff, 0xff, 0xff])],
      /has length 2147483647/,
    ],
    ['a stream cut inside a row', [header(), row(T2000, 'x', 1).subarray(0, 20)], /ended inside a row/],
    ['a stream without its trailer', [header(), row(T2000, 'x', 1)], /without its trailer/],
    ['a stream cut in the header', [SIGNATURE], /inside the header/],
    ['bytes after the trailer', [header(), TRAILER, Buffer.from([0])], /after the trailer/],
  ];
  for (const [what, chunks, message] of malformed) {
    it(`refuses ${what} with a clear error`, () => {
      let error: unknown;
      try {
        decode(chunks);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(CopyFormatError);
      expect((error as Error).message).toMatch(/^Malformed COPY binary data: /);
      expect((error as Error).message).toMatch(message);
    });
  }

  it('refuses a time it cannot hold exactly instead of rounding it', () => {
    const far = Buffer.concat([header(), row(9_223_372_036_854_775_807n, 'x', 1), TRAILER]);
    expect(() => decode([far])).toThrow(/outside the years 1858–2142/);
  });
});
