import type { FileHandle } from 'node:fs/promises';

/** Bytes gathered before one write: a body arrives in 16–64 KB chunks, and each write is a trip to the thread pool. */
const BATCH_BYTES = 1 << 20;

/**
 * Batches no writer holds, kept for the next: a new buffer per batch (or per
 * small file) had the garbage collector running for much of a download.
 */
const idle: Buffer[] = [];
const IDLE_KEPT = 8;

function takeBatch(): Buffer {
  return idle.pop() ?? Buffer.allocUnsafe(BATCH_BYTES);
}

function release(buffer: Buffer | null): void {
  if (buffer && idle.length < IDLE_KEPT) idle.push(buffer);
}

/**
 * Writes a body's chunks to a file from `position` on, as few large writes:
 * chunks are copied into a 1 MB batch, and one batch is written while the next
 * fills, so the body keeps flowing during a write. `onWritten` hears each batch
 * once it is on disk (never before), with the file's position after it.
 */
export class PartWriter {
  private batch = takeBatch();
  private spare: Buffer | null = null;
  private filled = 0;
  private writing: Promise<void> = Promise.resolve();
  private done = false;

  constructor(
    private readonly file: FileHandle,
    private position: number,
    private readonly onWritten: (bytes: number, end: number) => void,
  ) {}

  /** Takes `chunk` (copied: the caller may reuse it); waits only while the previous batch is still being written. */
  async write(chunk: Uint8Array): Promise<void> {
    if (this.done) throw new Error('PartWriter: write after flush');
    for (let offset = 0; offset < chunk.length;) {
      const n = Math.min(chunk.length - offset, this.batch.length - this.filled);
      this.batch.set(chunk.subarray(offset, offset + n), this.filled);
      this.filled += n;
      offset += n;
      if (this.filled === this.batch.length) await this.writeBatch();
    }
  }

  /** Writes what is gathered and waits for every write; throws the first write's failure. The writer is done after it. */
  async flush(): Promise<void> {
    if (this.done) return;
    try {
      if (this.filled > 0) await this.writeBatch();
      await this.writing;
    } finally {
      await this.writing.catch(() => undefined);
      this.done = true;
      release(this.batch);
      release(this.spare);
      this.spare = null;
    }
  }

  private async writeBatch(): Promise<void> {
    await this.writing;
    const buffer = this.batch;
    const length = this.filled;
    const at = this.position;
    this.position += length;
    this.filled = 0;
    this.batch = this.spare ?? takeBatch();
    this.spare = null;
    this.writing = writeAll(this.file, buffer, length, at).then(() => {
      this.spare = buffer;
      this.onWritten(length, at + length);
    });
    // Seen by the next write or flush; never an unhandled rejection meanwhile.
    this.writing.catch(() => undefined);
  }
}

async function writeAll(file: FileHandle, buffer: Buffer, length: number, position: number): Promise<void> {
  for (let done = 0; done < length;) {
    const { bytesWritten } = await file.write(buffer, done, length - done, position + done);
    done += bytesWritten;
  }
}
