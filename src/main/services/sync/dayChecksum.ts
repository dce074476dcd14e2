/**
 * The per-day checksum of synced metrics, in both places it is computed: as
 * SQL on the server (to find what changed) and in JavaScript over the rows a
 * sync fetched (so recording a fetched day costs no second scan of the server).
 * Both must give the same text for the same rows, bit for bit: the JavaScript
 * side reimplements PostgreSQL's hashtext/hashfloat8 (hash_bytes, Bob Jenkins'
 * lookup3, as src/common/hashfn.c on a little-endian machine) for that.
 */

/**
 * An order-independent sum of per-row hashes over every column, so an added,
 * removed or edited row changes it (pipeline_id is the day's own key).
 */
export function checksumSql(filter?: string): string {
  const sum = `sum(
    hashtext(series_id || chr(31) || metric_name)::bigint
    + 3 * coalesce(hashfloat8(value), 7)::bigint
    + 5 * hashfloat8(date_part('epoch', time))::bigint
  )`;
  return filter ? `${sum} FILTER (WHERE ${filter})` : sum;
}

const rot = (x: number, k: number) => (x << k) | (x >>> (32 - k));

/** hash_bytes' final mix of (a, b, c); returns c as a signed int4, as hashtext/hashfloat8 return it. */
function finalMix(a: number, b: number, c: number): number {
  c ^= b;
  c = (c - rot(b, 14)) | 0;
  a ^= c;
  a = (a - rot(c, 11)) | 0;
  b ^= a;
  b = (b - rot(a, 25)) | 0;
  c ^= b;
  c = (c - rot(b, 16)) | 0;
  a ^= c;
  a = (a - rot(c, 4)) | 0;
  b ^= a;
  b = (b - rot(a, 14)) | 0;
  c ^= b;
  c = (c - rot(b, 24)) | 0;
  return c;
}

const word = (k: Uint8Array, i: number) => k[i]! | (k[i + 1]! << 8) | (k[i + 2]! << 16) | (k[i + 3]! << 24);

/** PostgreSQL's hash_bytes over `k[start, end)`, as the signed int4 hashtext returns. */
export function pgHashBytes(k: Uint8Array, start: number, end: number): number {
  let len = end - start;
  let a = (0x9e3779b9 + len + 3923095) | 0;
  let b = a;
  let c = a;
  let i = start;
  while (len >= 12) {
    a = (a + word(k, i)) | 0;
    b = (b + word(k, i + 4)) | 0;
    c = (c + word(k, i + 8)) | 0;
    // mix(a, b, c)
    a = (a - c) | 0;
    a ^= rot(c, 4);
    c = (c + b) | 0;
    b = (b - a) | 0;
    b ^= rot(a, 6);
    a = (a + c) | 0;
    c = (c - b) | 0;
    c ^= rot(b, 8);
    b = (b + a) | 0;
    a = (a - c) | 0;
    a ^= rot(c, 16);
    c = (c + b) | 0;
    b = (b - a) | 0;
    b ^= rot(a, 19);
    a = (a + c) | 0;
    c = (c - b) | 0;
    c ^= rot(b, 4);
    b = (b + a) | 0;
    i += 12;
    len -= 12;
  }
  // The last 11 bytes; the lowest byte of c is reserved for the length.
  if (len > 10) c = (c + (k[i + 10]! << 24)) | 0;
  if (len > 9) c = (c + (k[i + 9]! << 16)) | 0;
  if (len > 8) c = (c + (k[i + 8]! << 8)) | 0;
  if (len > 7) b = (b + (k[i + 7]! << 24)) | 0;
  if (len > 6) b = (b + (k[i + 6]! << 16)) | 0;
  if (len > 5) b = (b + (k[i + 5]! << 8)) | 0;
  if (len > 4) b = (b + k[i + 4]!) | 0;
  if (len > 3) a = (a + (k[i + 3]! << 24)) | 0;
  if (len > 2) a = (a + (k[i + 2]! << 16)) | 0;
  if (len > 1) a = (a + (k[i + 1]! << 8)) | 0;
  if (len > 0) a = (a + k[i]!) | 0;
  return finalMix(a, b, c);
}

const float8 = new Float64Array(1);
const float8Words = new Int32Array(float8.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const CANONICAL_NAN = new Float64Array(new BigUint64Array([0x7ff8000000000000n]).buffer)[0]!;
const INIT_8 = (0x9e3779b9 + 8 + 3923095) | 0;

/** PostgreSQL's hashfloat8: 0 for ±0, one hash for every NaN, else hash_bytes of the double's bytes. */
export function pgHashFloat8(value: number): number {
  if (value === 0) return 0;
  // Every NaN hashes as the one get_float8_nan() gives (0x7ff8000000000000): its bits may differ.
  float8[0] = Number.isNaN(value) ? CANONICAL_NAN : value;
  const low = LITTLE_ENDIAN ? float8Words[0]! : float8Words[1]!;
  const high = LITTLE_ENDIAN ? float8Words[1]! : float8Words[0]!;
  return finalMix((INIT_8 + low) | 0, (INIT_8 + high) | 0, INIT_8);
}

/** Flush the running sum to a bigint before it could pass 2^53 (each row adds at most 9·2^31). */
const FLUSH_EVERY = 100_000;

/** The summary of a day's rows as the server would compute it: count, max(time), checksum. */
export class DayChecksum {
  private total = 0n;
  private partial = 0;
  private sinceFlush = 0;
  private count = 0;
  private maxMicros = -Infinity;

  /** One row: `pairHash` is pgHashBytes of `series_id || chr(31) || metric_name` (the same for many rows). */
  add(micros: number, pairHash: number, value: number | null): void {
    this.partial += pairHash + 3 * (value === null ? 7 : pgHashFloat8(value)) + 5 * pgHashFloat8(micros / 1_000_000);
    if (micros > this.maxMicros) this.maxMicros = micros;
    this.count++;
    if (++this.sinceFlush === FLUSH_EVERY) this.flush();
  }

  summary(): { rows: number; maxTime: string; checksum: string } | null {
    if (this.count === 0) return null;
    this.flush();
    return { rows: this.count, maxTime: isoUtcMicros(this.maxMicros), checksum: this.total.toString() };
  }

  private flush(): void {
    this.total += BigInt(this.partial);
    this.partial = 0;
    this.sinceFlush = 0;
  }
}

/** µs since 1970 as the server's isoUtcSql writes it: 2026-01-31T12:00:00.000000Z. */
export function isoUtcMicros(micros: number): string {
  const ms = Math.floor(micros / 1000);
  const sub = micros - ms * 1000;
  return `${new Date(ms).toISOString().slice(0, 23)}${String(sub).padStart(3, '0')}Z`;
}
