import { describe, expect, it } from 'vitest';
import { api, apiMethods, isApiMethod, isBinaryMethod } from '../../src/shared/api/contract';
import { Id } from '../../src/shared/api/ids';
import { quoteIdent, quoteLiteral } from '../../src/shared/sql';

describe('the API contract', () => {
  it('has an input and output schema for every method', () => {
    for (const method of apiMethods) {
      expect(api[method].input, method).toBeDefined();
      expect(api[method].output, method).toBeDefined();
    }
    expect(isApiMethod('query.run')).toBe(true);
    expect(isApiMethod('__proto__')).toBe(false);
    expect(isApiMethod('toString')).toBe(false);
    expect(isBinaryMethod('results.chunk')).toBe(true);
    expect(isBinaryMethod('query.run')).toBe(false);
  });

  it('refuses ids that could smuggle anything', () => {
    expect(api['query.run'].input.safeParse({ sql: 'SELECT 1', queryId: 'q-1' }).success).toBe(true);
    expect(api['query.run'].input.safeParse({ sql: 'SELECT 1', queryId: "x'; DROP" }).success).toBe(false);
    expect(api['query.run'].input.safeParse({ sql: '', queryId: 'q' }).success).toBe(false);
    expect(api['results.chunk'].input.safeParse({ resultId: 'r', chunk: -1 }).success).toBe(false);
    expect(api['app.info'].input.safeParse({ extra: 1 }).success).toBe(false);
  });

  it('has one id schema: short, printable, no separators', () => {
    for (const ok of ['q-1', 'job_42', 'a.b:c-d', 'x'.repeat(128), '0f8c2a1e-9b7d-4c3e-8a6f-1d2e3f4a5b6c']) {
      expect(Id.safeParse(ok).success, ok).toBe(true);
    }
    for (const bad of ['', '../x', 'a/b', 'a\\b', 'a b', "x'; DROP", 'a\nb', 'é', 'x'.repeat(129), 'x'.repeat(300)]) {
      expect(Id.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
    // Every id field of the contract is that schema, whichever module declares it.
    expect(api['jobs.cancel'].input.safeParse({ jobId: '../x' }).success).toBe(false);
    expect(api['preview.result'].input.safeParse({ previewId: 'a b' }).success).toBe(false);
    expect(api['chart.cancel'].input.safeParse({ requestId: 'x'.repeat(300) }).success).toBe(false);
    expect(api['chart.cancel'].input.safeParse({ requestId: 'zoom-3' }).success).toBe(true);
  });
});

describe('SQL quoting', () => {
  it('doubles quotes and refuses NUL', () => {
    expect(quoteIdent('a"b')).toBe('"a""b"');
    expect(quoteLiteral("it's")).toBe("'it''s'");
    expect(() => quoteLiteral('a\0b')).toThrow();
  });
});
