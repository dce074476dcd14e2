/**
 * The statement under the editor's cursor, from the shared splitter.
 */
import { splitStatements, type SqlStatement } from '../../../shared/sqlText';

/**
 * The statement the cursor is in. Between statements, the one that ends on
 * the cursor's line wins (the cursor usually sits just after its `;`), else
 * the next one, else the last one before the cursor.
 */
export function statementAt(sql: string, offset: number): SqlStatement | null {
  const statements = splitStatements(sql);
  if (statements.length === 0) return null;
  const inside = statements.find((s) => offset >= s.codeStart && offset <= s.end);
  if (inside) return inside;
  const lineStart = sql.lastIndexOf('\n', offset - 1) + 1;
  const before = statements.filter((s) => s.codeEnd <= offset);
  const last = before[before.length - 1];
  if (last && last.codeEnd >= lineStart) return last;
  return statements.find((s) => s.codeStart >= offset) ?? last ?? null;
}
