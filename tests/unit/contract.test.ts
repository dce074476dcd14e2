import { describe, expect, it } from 'vitest';
import { api, apiMethods, isApiMethod, isBinaryMethod } from '../../src/shared/api/contract';
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
});

describe('SQL quoting', () => {
  it('doubles quotes and refuses NUL', () => {
    expect(quoteIdent('a"b')).toBe('"a""b"');
    expect(quoteLiteral("it's")).toBe("'it''s'");
    expect(() => quoteLiteral('a\0b')).toThrow();
  });
});
