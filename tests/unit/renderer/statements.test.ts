import { describe, expect, it } from 'vitest';
import { splitStatements } from '../../../src/shared/sqlText';
import { statementAt } from '../../../src/renderer/features/query/statements';

const code = (sql: string) => splitStatements(sql).map((s) => sql.slice(s.codeStart, s.codeEnd));

describe('splitting a script into statements', () => {
  it('splits on ; and leaves out empty statements', () => {
    expect(code('SELECT 1; SELECT 2;\n\n;  ;SELECT 3')).toEqual(['SELECT 1', 'SELECT 2', 'SELECT 3']);
    expect(code('')).toEqual([]);
    expect(code('  -- only a comment\n')).toEqual([]);
  });

  it('does not split inside strings, quoted identifiers, dollar quotes or comments', () => {
    const sql = [
      "SELECT 'a;b', 'it''s; fine' AS \"odd;name\";",
      'SELECT "x"";y" FROM t; -- a comment; still a comment',
      '/* block; comment */ SELECT $$dollar; quoted$$, $tag$ ; $tag$;',
      'SELECT 4',
    ].join('\n');
    expect(code(sql)).toEqual([
      "SELECT 'a;b', 'it''s; fine' AS \"odd;name\"",
      'SELECT "x"";y" FROM t',
      'SELECT $$dollar; quoted$$, $tag$ ; $tag$',
      'SELECT 4',
    ]);
  });

  it('keeps DuckDB’s view of where a statement starts: right after the previous ;', () => {
    const sql = 'SELECT 1;\n  SELECT 2';
    expect(splitStatements(sql)).toEqual([
      { start: 0, end: 8, codeStart: 0, codeEnd: 8 },
      { start: 9, end: sql.length, codeStart: 12, codeEnd: sql.length },
    ]);
  });

  it('tolerates unterminated strings and comments', () => {
    expect(code("SELECT 'open; string")).toEqual(["SELECT 'open; string"]);
    expect(code('SELECT 1 /* open; comment')).toEqual(['SELECT 1']);
  });
});

describe('the statement under the cursor', () => {
  const sql = 'SELECT 1;\n\nSELECT *\nFROM metrics; -- trailing\n\n-- lead\nSELECT 3';
  const at = (offset: number) => {
    const s = statementAt(sql, offset);
    return s ? sql.slice(s.codeStart, s.codeEnd) : null;
  };

  it('is the statement the cursor is in, its ; included', () => {
    expect(at(0)).toBe('SELECT 1');
    expect(at(4)).toBe('SELECT 1');
    expect(at(sql.indexOf('metrics'))).toBe('SELECT *\nFROM metrics');
    expect(at(sql.indexOf('SELECT 3') + 8)).toBe('SELECT 3');
  });

  it('between statements, is the one that ends on the cursor’s line, else the next', () => {
    expect(at(sql.indexOf(';') + 1)).toBe('SELECT 1');
    expect(at(sql.indexOf('-- trailing') + 3)).toBe('SELECT *\nFROM metrics');
    expect(at(sql.indexOf('\n\nSELECT *') + 1)).toBe('SELECT *\nFROM metrics');
    expect(at(sql.indexOf('-- lead') + 2)).toBe('SELECT 3');
  });

  it('falls back to the last statement after the end, and to nothing in an empty script', () => {
    expect(statementAt('SELECT 1;\n\n', 11)).toMatchObject({ codeStart: 0 });
    expect(statementAt('  ', 1)).toBeNull();
  });
});
