/**
 * The S3/R2 driver of the object store, over @aws-sdk/client-s3. Every failure
 * leaves as a WorkbenchError from describeStoreError, and no call waits longer
 * than the configured timeout for an answer: offline must fail fast and say so.
 */
import type { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { WorkbenchError } from '../../../shared/errors';
import type { GetOptions, GetResult, ListOptions, ListPage, ObjectInfo, ObjectStore } from './ObjectStore';
import { describeStoreError } from './storeErrors';

export interface S3ObjectStoreOptions {
  /** e.g. `https://<account>.r2.cloudflarestorage.com` or `http://127.0.0.1:9000`. */
  endpoint: string;
  bucket: string;
  region?: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** How long any one call may wait for an answer, retries included. */
  requestTimeoutMs?: number;
}

/** S3 quotes ETags (`"abc…"`); callers compare them bare. */
function stripQuotes(etag: string | undefined): string {
  return (etag ?? '').replace(/^(W\/)?"(.*)"$/, '$2');
}

function isNotModified(err: unknown): boolean {
  const e = err as { name?: unknown; $metadata?: { httpStatusCode?: unknown } };
  return e?.$metadata?.httpStatusCode === 304 || e?.name === 'NotModified';
}

export class S3ObjectStore implements ObjectStore {
  readonly description: string;
  readonly bucket: string;
  private readonly client: S3Client;
  private readonly timeoutMs: number;

  constructor({
    endpoint,
    bucket,
    region = 'auto',
    accessKeyId,
    secretAccessKey,
    requestTimeoutMs = 15000,
  }: S3ObjectStoreOptions) {
    this.bucket = bucket;
    this.description = `s3://${bucket}`;
    this.timeoutMs = requestTimeoutMs;
    this.client = new S3Client({
      endpoint,
      region,
      credentials: { accessKeyId, secretAccessKey },
      // Path-style and checksums only when required: what R2 and s3rver accept.
      forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      // One retry for a stale keep-alive socket or a passing 5xx; the deadline in
      // send() still bounds the whole call.
      maxAttempts: 2,
      requestHandler: {
        connectionTimeout: requestTimeoutMs,
        requestTimeout: requestTimeoutMs,
        throwOnRequestTimeout: true,
        // A body that stalls mid-download errors instead of hanging forever.
        socketTimeout: requestTimeoutMs,
      },
    });
  }

  async list({ prefix, delimiter, maxKeys, token, signal }: ListOptions): Promise<ListPage> {
    const page = await this.call(signal, undefined, (abortSignal) =>
      this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: prefix,
          Delimiter: delimiter,
          MaxKeys: maxKeys,
          ContinuationToken: token ?? undefined,
        }),
        { abortSignal },
      ),
    );
    return {
      objects: (page.Contents ?? []).map((o) => ({
        key: o.Key ?? '',
        size: o.Size ?? 0,
        etag: stripQuotes(o.ETag),
        lastModified: o.LastModified ?? new Date(0),
      })),
      prefixes: (page.CommonPrefixes ?? []).flatMap((p) => (p.Prefix ? [p.Prefix] : [])),
      nextToken: page.IsTruncated && page.NextContinuationToken ? page.NextContinuationToken : null,
    };
  }

  async head(key: string, signal?: AbortSignal): Promise<ObjectInfo> {
    const out = await this.call(signal, key, (abortSignal) =>
      this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }), { abortSignal }),
    );
    return {
      key,
      size: out.ContentLength ?? 0,
      etag: stripQuotes(out.ETag),
      lastModified: out.LastModified ?? new Date(0),
    };
  }

  async get(key: string, { range, ifNoneMatch, signal }: GetOptions = {}): Promise<GetResult> {
    if (range && (range.start < 0 || range.end < range.start)) {
      throw new WorkbenchError('bad_request', `Invalid byte range ${range.start}-${range.end} for ${key}.`);
    }
    const out = await this.call(signal, key, async (abortSignal) => {
      try {
        return await this.client.send(
          new GetObjectCommand({
            Bucket: this.bucket,
            Key: key,
            Range: range ? `bytes=${range.start}-${range.end}` : undefined,
            IfNoneMatch: ifNoneMatch ? `"${stripQuotes(ifNoneMatch)}"` : undefined,
          }),
          { abortSignal },
        );
      } catch (err) {
        // The SDK throws for 304; here it is an answer, not a failure.
        if (isNotModified(err)) return null;
        throw err;
      }
    });
    if (out === null) return { notModified: true, info: null, body: null };
    const contentLength = out.ContentLength ?? 0;
    // For a range answer the object's size is after the slash of Content-Range.
    const total = /\/(\d+)$/.exec(out.ContentRange ?? '')?.[1];
    return {
      notModified: false,
      info: {
        key,
        size: total !== undefined ? Number(total) : contentLength,
        etag: stripQuotes(out.ETag),
        lastModified: out.LastModified ?? new Date(0),
      },
      body: out.Body as Readable,
      contentLength,
    };
  }

  /** Lets go of the client's sockets; the store is unusable afterwards. */
  close(): void {
    this.client.destroy();
  }

  /**
   * Runs one SDK call under a deadline of `timeoutMs` for the answer's headers
   * (a body then streams under the socket's idle timeout), and describes any failure.
   */
  private async call<T>(
    signal: AbortSignal | undefined,
    key: string | undefined,
    run: (abortSignal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), this.timeoutMs);
    try {
      return await run(signal ? AbortSignal.any([signal, deadline.signal]) : deadline.signal);
    } catch (err) {
      // The SDK's AbortError does not say which signal fired; the caller's cancel
      // wins over a deadline that fired at the same moment.
      const cause = signal?.aborted
        ? Object.assign(new Error('cancelled'), { name: 'AbortError' })
        : deadline.signal.aborted
          ? Object.assign(new Error('deadline passed'), { name: 'TimeoutError' })
          : err;
      throw describeStoreError(cause, this.description, { key, timeoutMs: this.timeoutMs });
    } finally {
      clearTimeout(timer);
    }
  }
}
