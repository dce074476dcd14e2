/**
 * What to offer at the cursor, from the warehouse catalog: after `schema.`
 * that schema's relations, after `relation.` or an alias its columns,
 * otherwise keywords, relations, functions and the columns of the relations
 * the statement reads. Pure, so it is tested without Monaco.
 */
import type { Catalog, CatalogRelation } from '../../../shared/api/contract';
import type { WarehouseFunction } from '../../../shared/api/queries';
import { relationName, sqlName } from '../../../shared/sql';
import { DUCKDB_KEYWORDS, DUCKDB_TYPES } from './duckdbSql';
import { statementAt } from './statements';

export type SuggestionKind = 'keyword' | 'type' | 'schema' | 'relation' | 'column' | 'function';

export interface Suggestion {
  label: string;
  kind: SuggestionKind;
  detail: string;
  insertText: string;
  documentation?: string;
  /** Monaco sorts on this: columns of the statement's relations first, keywords last. */
  sortText: string;
}

const IDENT = String.raw`(?:"(?:[^"]|"")+"|[A-Za-z_][\w$]*)`;
const QUALIFIER = new RegExp(String.raw`(${IDENT}(?:\s*\.\s*${IDENT})?)\s*\.\s*"?[\w$]*$`);
const SOURCE = new RegExp(
  String.raw`\b(?:from|join)\s+(${IDENT}(?:\s*\.\s*${IDENT})?)(?:\s+(?:as\s+)?(${IDENT}))?`,
  'gi',
);
const NOT_ALIAS = new Set(
  (
    'where on using join left right inner outer full cross natural semi anti asof positional lateral group order ' +
    'limit offset having qualify window union except intersect as select pivot unpivot sample tablesample'
  ).split(' '),
);

function unquote(ident: string): string {
  const trimmed = ident.trim();
  return trimmed.startsWith('"') ? trimmed.slice(1, -1).replaceAll('""', '"') : trimmed;
}

function parts(path: string): string[] {
  return (path.match(new RegExp(IDENT, 'g')) ?? []).map(unquote);
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** The relation a (maybe schema-qualified) name refers to; `main` first for a bare name. */
function findRelation(catalog: Catalog, path: string[]): CatalogRelation | undefined {
  if (path.length === 2) return catalog.relations.find((r) => same(r.schema, path[0]!) && same(r.name, path[1]!));
  const matches = catalog.relations.filter((r) => same(r.name, path[0]!));
  return matches.find((r) => r.schema === 'main') ?? matches[0];
}

/** The relations a statement reads, by the name or alias it uses for them. */
function statementSources(statement: string, catalog: Catalog): Map<string, CatalogRelation> {
  const sources = new Map<string, CatalogRelation>();
  for (const match of statement.matchAll(SOURCE)) {
    const relation = findRelation(catalog, parts(match[1]!));
    if (!relation) continue;
    sources.set(relation.name.toLowerCase(), relation);
    const alias = match[2] ? unquote(match[2]) : null;
    if (alias && !NOT_ALIAS.has(alias.toLowerCase())) sources.set(alias.toLowerCase(), relation);
  }
  return sources;
}

function columnSuggestions(relation: CatalogRelation, sortPrefix: string): Suggestion[] {
  return relation.columns.map((c, i) => ({
    label: c.name,
    kind: 'column',
    detail: `${c.type} — ${relationName(relation.schema, relation.name)}`,
    insertText: sqlName(c.name),
    sortText: `${sortPrefix}${String(i).padStart(4, '0')}`,
  }));
}

function functionSuggestion(fn: WarehouseFunction): Suggestion {
  const more = fn.signatures.length > 1 ? ` (+${fn.signatures.length - 1} more)` : '';
  return {
    label: fn.name,
    kind: 'function',
    detail: `${fn.signatures[0] ?? `${fn.name}()`}${more}`,
    insertText: fn.name,
    documentation: [fn.description, fn.signatures.join('\n')].filter(Boolean).join('\n\n'),
    sortText: `4${fn.name}`,
  };
}

export function suggestionsAt(
  text: string,
  offset: number,
  catalog: Catalog | null,
  functions: readonly WarehouseFunction[],
): Suggestion[] {
  const statement = statementAt(text, offset);
  const from = statement ? Math.min(statement.start, offset) : 0;
  const to = statement ? Math.max(statement.end, offset) : text.length;
  const before = text.slice(from, offset);
  const relations = catalog?.relations ?? [];

  const qualified = QUALIFIER.exec(before);
  if (qualified) {
    if (!catalog) return [];
    const path = parts(qualified[1]!);
    if (path.length === 1) {
      const schemaRelations = relations.filter((r) => same(r.schema, path[0]!));
      if (schemaRelations.length > 0) {
        return schemaRelations.map((r) => ({
          label: r.name,
          kind: 'relation',
          detail: `${r.kind} · ${r.columns.length} columns`,
          insertText: sqlName(r.name),
          sortText: `1${r.name}`,
        }));
      }
    }
    const sources = statementSources(text.slice(from, to), catalog);
    const relation =
      (path.length === 1 ? sources.get(path[0]!.toLowerCase()) : undefined) ?? findRelation(catalog, path);
    return relation ? columnSuggestions(relation, '0') : [];
  }

  const suggestions: Suggestion[] = [];
  const seenColumns = new Set<string>();
  if (catalog) {
    for (const relation of new Set(statementSources(text.slice(from, to), catalog).values())) {
      for (const s of columnSuggestions(relation, '0')) {
        if (seenColumns.has(s.label)) continue;
        seenColumns.add(s.label);
        suggestions.push(s);
      }
    }
  }
  for (const schema of new Set(relations.map((r) => r.schema))) {
    if (schema === 'main') continue;
    suggestions.push({
      label: schema,
      kind: 'schema',
      detail: 'schema',
      insertText: sqlName(schema),
      sortText: `2${schema}`,
    });
  }
  for (const r of relations) {
    const name = relationName(r.schema, r.name);
    suggestions.push({
      label: name,
      kind: 'relation',
      detail: `${r.kind} · ${r.columns
        .map((c) => c.name)
        .slice(0, 6)
        .join(', ')}${r.columns.length > 6 ? ', …' : ''}`,
      insertText: name,
      sortText: `1${name}`,
    });
  }
  for (const fn of functions) suggestions.push(functionSuggestion(fn));
  for (const k of DUCKDB_KEYWORDS)
    suggestions.push({ label: k, kind: 'keyword', detail: 'keyword', insertText: k, sortText: `5${k}` });
  for (const t of DUCKDB_TYPES)
    suggestions.push({ label: t, kind: 'type', detail: 'type', insertText: t, sortText: `6${t}` });
  return suggestions;
}
