/**
 * The names a result's columns get in Arrow and in the interactive engine, and
 * how the API describes them. DuckDB's names ignore (ASCII) case, and
 * DuckDB-WASM renames a clash on its own (`A` beside `a` becomes `A_1`) while
 * the grid would still ask for `A`; a column called `rowid` would hide the row
 * id the grid pages by. So a name taken already (in any case), and `rowid`, get
 * the first free `name_N`, and the API says what the query called it.
 */
import type { ColumnInfo } from './api/contract';

export function resultColumnNames(names: readonly string[]): string[] {
  const taken = new Set<string>(['rowid']);
  return names.map((name) => {
    let free = name;
    for (let n = 1; taken.has(foldCase(free)); n++) free = `${name}_${n}`;
    taken.add(foldCase(free));
    return free;
  });
}

/** A result's columns as the API describes them: the engine's name, the type, and the query's name where it differs. */
export function resultColumnInfo(queryNames: readonly string[], types: readonly string[]): ColumnInfo[] {
  return resultColumnNames(queryNames).map((name, i) => {
    const queryName = queryNames[i]!;
    return { name, type: types[i] ?? 'unknown', ...(name === queryName ? {} : { queryName }) };
  });
}

/** DuckDB folds only ASCII letters when it compares names: `Ä` and `ä` are two columns to it. */
export function foldCase(name: string): string {
  return name.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}
