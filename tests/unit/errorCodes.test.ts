import { describe, expect, it } from 'vitest';
import { ApiErrorBody, ApiReply } from '../../src/shared/api/contract';
import { ERROR_CODES, ErrorCode, HTTP_STATUS_BY_CODE, toErrorCode } from '../../src/shared/errors';

describe('the one error-code list', () => {
  it('gives every code an HTTP error status, and nothing else one', () => {
    for (const code of ERROR_CODES) {
      const status = HTTP_STATUS_BY_CODE[code];
      expect(Number.isInteger(status), code).toBe(true);
      expect(status, code).toBeGreaterThanOrEqual(400);
      expect(status, code).toBeLessThan(600);
    }
    expect(Object.keys(HTTP_STATUS_BY_CODE).sort()).toEqual([...ERROR_CODES].sort());
    expect(ErrorCode.options).toEqual([...ERROR_CODES]);
  });

  it('keeps 401 for the workbench token alone: a remote refusing credentials is a bad gateway', () => {
    const unauthorized = ERROR_CODES.filter((code) => HTTP_STATUS_BY_CODE[code] === 401);
    expect(unauthorized).toEqual(['unauthorized']);
    expect(HTTP_STATUS_BY_CODE.auth_failed).toBe(502);
    expect(HTTP_STATUS_BY_CODE.internal).toBe(500);
  });

  it('reads every code in an error body as itself', () => {
    for (const code of ERROR_CODES) {
      expect(ApiErrorBody.parse({ code, message: 'm' }).code).toBe(code);
      const reply = ApiReply.parse({ ok: false, error: { code, message: 'm', hint: 'h' } });
      expect(reply.ok ? null : reply.error).toEqual({ code, message: 'm', hint: 'h' });
    }
  });

  it('reads a code this build does not know (a newer server) as internal, not as a malformed reply', () => {
    expect(ApiErrorBody.parse({ code: 'made_up', message: 'm' })).toEqual({ code: 'internal', message: 'm' });
    expect(ApiErrorBody.parse({ code: '', message: 'm' }).code).toBe('internal');
    expect(ApiReply.safeParse({ ok: false, error: { code: 'from_the_future', message: 'm' } }).success).toBe(true);
    expect(toErrorCode('made_up')).toBe('internal');
    expect(toErrorCode('heavy_read')).toBe('heavy_read');
  });

  it('still refuses an error body without a code, or with one that is not text', () => {
    expect(ApiErrorBody.safeParse({ message: 'm' }).success).toBe(false);
    expect(ApiErrorBody.safeParse({ code: 404, message: 'm' }).success).toBe(false);
    expect(ApiErrorBody.safeParse({ code: 'not_found' }).success).toBe(false);
  });
});
