import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorRange } from '../../../src/renderer/features/query/errorPosition';

/** What the marker would underline. */
const underlined = (sql: string, message: string) => {
  const range = errorRange(sql, message);
  return range ? sql.slice(range.start, range.end) : null;
};

describe('mapping DuckDB error messages to a position', () => {
  it('reads the LINE n: context and its caret', () => {
    const sql = 'SELECT valu FROM metrics';
    const message =
      'Binder Error: Referenced column "valu" not found in FROM clause!\nCandidate bindings: "value"\n\nLINE 1: SELECT valu FROM metrics\n               ^';
    expect(errorRange(sql, message)).toEqual({ start: 7, end: 11 });
  });

  it('finds the token named by a parser error without a caret, or the end of the input', () => {
    expect(underlined('SELEC 1', 'Parser Error: syntax error at or near "SELEC"')).toBe('SELEC');
    expect(underlined('SELECT 1 FROM metrics WHERE', 'Parser Error: syntax error at end of input')).toBe('WHERE');
    expect(underlined('SELECT 1', 'Some Error without a position')).toBeNull();
  });
});

/** The same against the real engine: its messages are what the users see. */
describe('with real DuckDB errors', () => {
  let db: DuckDBInstance;
  let con: DuckDBConnection;
  beforeAll(async () => {
    db = await DuckDBInstance.create(':memory:', {
      autoload_known_extensions: 'false',
      autoinstall_known_extensions: 'false',
    });
    con = await db.connect();
    await con.run('CREATE TABLE metrics(time TIMESTAMP, value DOUBLE, metric_name VARCHAR)');
  });
  afterAll(() => {
    con.closeSync();
    db.closeSync();
  });

  /** Runs every statement as the warehouse worker does and returns the error message. */
  async function failure(sql: string): Promise<string> {
    try {
      const statements = await con.extractStatements(sql);
      for (let i = 0; i < statements.count; i++) await (await statements.prepare(i)).run();
    } catch (err) {
      return (err as Error).message;
    }
    throw new Error(`expected ${sql} to fail`);
  }

  const cases: [sql: string, marked: string][] = [
    ['SELEC 1', 'SELEC'],
    ['SELECT valu FROM metrics', 'valu'],
    ['SELECT m.valu FROM metrics m', 'm.valu'],
    ['SELECT * FROM no_such_table', 'no_such_table'],
    ['SELECT 1,\n  foo(2) FROM metrics', 'foo'],
    ['SELECT count(*)\nFROM metrics\nGROUP BY metric_nam', 'metric_nam'],
    ["SELECT 'é', valux FROM metrics", 'valux'],
    ['SELECT 1 FROM metrics WHERE', 'WHERE'],
    // A later statement of a script: DuckDB's caret counts from the script's start.
    ['SELECT 1;\nSELECT valuex FROM metrics', 'valuex'],
    ['SELECT 1; SELECT valuex FROM metrics', 'valuex'],
    ['SELECT 1;\n\n\nSELECT\n  valuex FROM metrics', 'valuex'],
    // A long line is cut around the caret.
    [`SELECT ${Array.from({ length: 30 }, (_, i) => `value AS c${i}`).join(', ')}, valux FROM metrics`, 'valux'],
  ];
  for (const [sql, marked] of cases) {
    it(`underlines ${JSON.stringify(marked)} in ${JSON.stringify(sql.slice(0, 50))}`, async () => {
      const message = await failure(sql);
      const range = errorRange(sql, message);
      expect(range, message).not.toBeNull();
      expect(sql.slice(range!.start, range!.end), message).toBe(marked);
    });
  }
});
