/**
 * Turns whatever an object store threw (a Node socket error, an AWS SDK service
 * error, a file-system error) into a WorkbenchError that names the real cause
 * and says what to do about it. Both drivers throw only what this returns, so
 * the UI never has to parse SDK or errno messages.
 */
import { WorkbenchError, errorMessage } from '../../../shared/errors';

export interface StoreErrorContext {
  /** The key being read, for "no such object" messages. */
  key?: string;
  /** The configured timeout, for "did not answer within N s". */
  timeoutMs?: number;
}

/** The fields we read from Node, SDK and DOM errors; all optional, all checked. */
interface ErrorFields {
  name: string;
  code: string;
  message: string;
  hostname: string;
  address: string;
  port: number | undefined;
  syscall: string;
  path: string;
  httpStatus: number | undefined;
}

function fieldsOf(err: unknown): ErrorFields {
  const o = (typeof err === 'object' && err !== null ? err : {}) as Record<string, unknown>;
  const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
  const metadata = o.$metadata as { httpStatusCode?: unknown } | undefined;
  const response = o.$response as { statusCode?: unknown } | undefined;
  const status = metadata?.httpStatusCode ?? response?.statusCode;
  return {
    name: str(o.name),
    code: str(o.Code) || str(o.code),
    message: errorMessage(err),
    hostname: str(o.hostname),
    address: str(o.address),
    port: typeof o.port === 'number' ? o.port : undefined,
    syscall: str(o.syscall),
    path: str(o.path),
    httpStatus: typeof status === 'number' ? status : undefined,
  };
}

/** The error and its causes, outermost first (the SDK wraps aborts and socket errors). */
function chain(err: unknown): ErrorFields[] {
  const out: ErrorFields[] = [];
  let current: unknown = err;
  for (let depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
    out.push(fieldsOf(current));
    current = (current as { cause?: unknown }).cause;
  }
  return out;
}

const TLS_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'EPROTO',
]);

const UNREACHABLE_CODES = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'EHOSTDOWN']);

function seconds(ms: number | undefined): string {
  if (ms === undefined) return 'the configured time';
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}

function where(f: ErrorFields): string {
  if (f.address && f.port !== undefined) return `${f.address}:${f.port}`;
  return f.hostname || f.address || 'the server';
}

/**
 * A WorkbenchError for a failure of `store` (its description, e.g.
 * `s3://dash-bronze` or a folder path). Already-described errors pass through.
 */
export function describeStoreError(err: unknown, store: string, context: StoreErrorContext = {}): WorkbenchError {
  if (err instanceof WorkbenchError) return err;
  const links = chain(err);
  const has = (test: (f: ErrorFields) => boolean): ErrorFields | undefined => links.find(test);
  const outer = links[0]!;
  const what = context.key ? `${context.key} in ${store}` : store;

  // Timeouts first: the SDK renames ECONNRESET/EPIPE to TimeoutError, so a real
  // reset is told apart by its errno code below, before the name is trusted.
  const reset = has((f) => f.code === 'ECONNRESET' || f.code === 'EPIPE');
  if (reset) {
    return new WorkbenchError(
      'offline',
      `The connection to ${store} was dropped before it answered.`,
      'The network or the server went away; check the connection and try again.',
    );
  }
  if (has((f) => f.name === 'TimeoutError' || f.code === 'ETIMEDOUT' || f.code === 'ESOCKETTIMEDOUT')) {
    return new WorkbenchError(
      'timeout',
      `${store} did not answer within ${seconds(context.timeoutMs)}.`,
      'You may be offline, or the endpoint may be wrong or overloaded. Cached files stay usable.',
    );
  }
  if (has((f) => f.name === 'AbortError' || f.code === 'ABORT_ERR')) {
    return new WorkbenchError('cancelled', `The request to ${store} was cancelled.`);
  }

  const dns = has((f) => f.code === 'ENOTFOUND' || f.code === 'EAI_AGAIN' || f.code === 'EAI_NONAME');
  if (dns) {
    return new WorkbenchError(
      'offline',
      `Cannot resolve ${dns.hostname || 'the host'} for ${store}.`,
      dns.code === 'EAI_AGAIN'
        ? 'The name lookup failed for now: you may be offline. Cached files stay usable.'
        : 'Check the endpoint for typos, or the network if you are offline.',
    );
  }
  const refused = has((f) => f.code === 'ECONNREFUSED');
  if (refused) {
    return new WorkbenchError(
      'offline',
      `${store} refused the connection at ${where(refused)}.`,
      'Nothing is listening there: check the endpoint and port, and that the server is running.',
    );
  }
  const unreachable = has((f) => UNREACHABLE_CODES.has(f.code));
  if (unreachable) {
    return new WorkbenchError(
      'offline',
      `${store} cannot be reached (${unreachable.code}).`,
      'You seem to be offline; cached files stay usable.',
    );
  }
  const tls = has((f) => TLS_CODES.has(f.code) || f.code.startsWith('ERR_SSL_') || f.code.startsWith('ERR_TLS_'));
  if (tls) {
    return new WorkbenchError(
      'tls_failed',
      `The secure connection to ${store} failed: ${tls.message}`,
      tls.code.includes('SELF_SIGNED') || tls.code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'
        ? 'The server’s certificate is not trusted by this machine; use a trusted certificate or the right endpoint.'
        : tls.code.startsWith('ERR_SSL_') || tls.code === 'EPROTO'
          ? 'The endpoint may not speak HTTPS: check http:// versus https:// and the port.'
          : 'Check the endpoint’s certificate (expired, wrong host name) and the system clock.',
    );
  }

  // Service errors: the S3 error code when the server sent a body, else the status.
  const service = outer.code || outer.name;
  const status = outer.httpStatus;
  switch (service) {
    case 'InvalidAccessKeyId':
    case 'SignatureDoesNotMatch':
    case 'InvalidToken':
    case 'ExpiredToken':
    case 'TokenRefreshRequired':
    case 'AuthorizationHeaderMalformed':
      return new WorkbenchError(
        'auth_failed',
        `${store} refused the credentials (${service}).`,
        'Check the access key id and the secret in the connection profile.',
      );
    case 'AccessDenied':
    case 'AllAccessDisabled':
      return new WorkbenchError(
        'forbidden',
        `The credentials have no permission for ${what}.`,
        'Ask for read and list permission on the bucket, or use a key that has it.',
      );
    case 'NoSuchBucket':
      return new WorkbenchError(
        'store_not_found',
        `The bucket of ${store} does not exist.`,
        'Check the bucket name and the endpoint (account) in the connection profile.',
      );
    case 'InvalidRange':
      return new WorkbenchError('bad_request', `The byte range asked for is outside ${what}.`);
    case 'NoSuchKey':
      return new WorkbenchError('not_found', `No object ${what}.`, 'It may have been deleted or moved.');
  }
  if (status === 401 || status === 403) {
    return new WorkbenchError(
      status === 401 ? 'auth_failed' : 'forbidden',
      `${store} refused access to ${context.key ?? 'the bucket'} (HTTP ${status}).`,
      'Check the credentials and that they may read this bucket.',
    );
  }
  if (status === 404) {
    // A HEAD answer has no body, so a missing key and a missing bucket look alike.
    return new WorkbenchError(
      'not_found',
      context.key ? `No object ${what}.` : `${store} was not found.`,
      context.key ? 'It may have been deleted, or the bucket name may be wrong.' : 'Check the bucket name.',
    );
  }
  if (status !== undefined && status >= 500) {
    return new WorkbenchError(
      'unavailable',
      `${store} answered with a server error (HTTP ${status}${service ? ` ${service}` : ''}).`,
      'The service may be having trouble; try again later.',
    );
  }

  // The local-folder driver's file-system errors.
  const fsError = has((f) => f.syscall !== '' || f.code.startsWith('E'));
  switch (fsError?.code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return context.key
        ? new WorkbenchError('not_found', `No object ${what}.`, 'It may have been deleted or moved.')
        : new WorkbenchError(
            'store_not_found',
            `The lake folder ${store} does not exist.`,
            'Pick an existing folder in the connection profile.',
          );
    case 'EACCES':
    case 'EPERM':
      return new WorkbenchError(
        'forbidden',
        `No permission to read ${fsError.path || what}.`,
        'Check the folder’s permissions for your user.',
      );
  }

  return new WorkbenchError(
    'unavailable',
    `${store} failed: ${outer.message}${status !== undefined ? ` (HTTP ${status})` : ''}`,
  );
}
