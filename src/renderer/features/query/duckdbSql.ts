/**
 * DuckDB's SQL words for highlighting and completion. Monaco's stock SQL
 * tokenizer is T-SQL flavoured (it knows neither QUALIFY nor HUGEINT), so the
 * editor uses this Monarch definition for the `sql` language instead.
 */

export const DUCKDB_KEYWORDS = (
  'ALL ALTER ANALYZE AND ANTI ANY ARRAY AS ASC ASOF ATTACH BEGIN BETWEEN BOTH BY CALL CASCADE CASE CAST CHECK ' +
  'CHECKPOINT COLLATE COLUMN COLUMNS COMMIT CONSTRAINT COPY CREATE CROSS CUBE CURRENT_DATE CURRENT_TIME ' +
  'CURRENT_TIMESTAMP DATABASE DEFAULT DELETE DESC DESCRIBE DETACH DISTINCT DO DROP ELSE END ESCAPE EXCEPT EXCLUDE ' +
  'EXISTS EXPLAIN EXPORT FALSE FILTER FIRST FOLLOWING FOR FOREIGN FROM FULL FUNCTION GLOB GROUP GROUPING HAVING IF ' +
  'ILIKE IMPORT IN INDEX INNER INSERT INSTALL INTERSECT INTO IS ISNULL JOIN KEY LAST LATERAL LEFT LIKE LIMIT LOAD ' +
  'MACRO MATERIALIZED NATURAL NOT NOTNULL NULL NULLS OFFSET ON OR ORDER OUTER OVER PARTITION PIVOT PIVOT_LONGER ' +
  'PIVOT_WIDER POSITIONAL PRAGMA PRECEDING PRIMARY QUALIFY RANGE RECURSIVE REFERENCES RENAME REPLACE RESET RETURNING ' +
  'RIGHT ROLLBACK ROLLUP ROW ROWS SAMPLE SCHEMA SELECT SEMI SEQUENCE SET SETS SHOW SIMILAR SOME SUMMARIZE TABLE ' +
  'TABLESAMPLE TEMP TEMPORARY THEN TO TRANSACTION TRUE TRY_CAST UNBOUNDED UNION UNIQUE UNNEST UNPIVOT UPDATE USE ' +
  'USING VACUUM VALUES VIEW WHEN WHERE WINDOW WITH WITHIN'
).split(' ');

export const DUCKDB_TYPES = (
  'BIGINT BIT BITSTRING BLOB BOOL BOOLEAN BPCHAR BYTEA CHAR DATE DATETIME DECIMAL DOUBLE ENUM FLOAT FLOAT4 FLOAT8 ' +
  'HUGEINT INT INT1 INT2 INT4 INT8 INTEGER INTERVAL JSON LIST LONG MAP NUMERIC REAL SHORT SIGNED SMALLINT STRING ' +
  'STRUCT TEXT TIME TIMESTAMP TIMESTAMPTZ TIMESTAMP_MS TIMESTAMP_NS TIMESTAMP_S TIMETZ TINYINT UBIGINT UHUGEINT ' +
  'UINTEGER UNION USMALLINT UTINYINT UUID VARBINARY VARCHAR ZONE'
).split(' ');

/** A Monarch definition; `functions` are the warehouse's function names when known. */
export function duckdbMonarch(functions: readonly string[]) {
  return {
    defaultToken: '',
    tokenPostfix: '.sql',
    ignoreCase: true,
    brackets: [
      { open: '[', close: ']', token: 'delimiter.square' },
      { open: '(', close: ')', token: 'delimiter.parenthesis' },
      { open: '{', close: '}', token: 'delimiter.curly' },
    ],
    keywords: DUCKDB_KEYWORDS,
    types: DUCKDB_TYPES,
    functions: [...functions],
    operators: ['AND', 'OR', 'NOT', 'IS', 'IN', 'LIKE', 'ILIKE', 'GLOB', 'BETWEEN', 'SIMILAR'],
    tokenizer: {
      root: [
        { include: '@comments' },
        [/\s+/, 'white'],
        [/\d+(\.\d*)?([eE][-+]?\d+)?|\.\d+([eE][-+]?\d+)?/, 'number'],
        [/[eE]'/, { token: 'string', next: '@string' }],
        [/'/, { token: 'string', next: '@string' }],
        [/\$([A-Za-z_]*)\$/, { token: 'string', next: '@dollar.$1' }],
        [/"/, { token: 'identifier.quote', next: '@quotedIdentifier' }],
        [/[;,.]/, 'delimiter'],
        [/[()[\]{}]/, '@brackets'],
        [/\$\d+|\?/, 'variable'],
        [/[A-Za-z_][\w$]*(?=\s*\()/, { cases: { '@keywords': 'keyword', '@types': 'type', '@default': 'predefined' } }],
        [
          /[A-Za-z_][\w$]*/,
          {
            cases: {
              '@operators': 'operator',
              '@types': 'type',
              '@keywords': 'keyword',
              '@functions': 'predefined',
              '@default': 'identifier',
            },
          },
        ],
        [/::|->>|->|[<>=!%&+\-*/|~^@]+/, 'operator'],
      ],
      comments: [
        [/--.*$/, 'comment'],
        [/\/\*/, { token: 'comment', next: '@comment' }],
      ],
      comment: [
        [/[^*/]+/, 'comment'],
        [/\*\//, { token: 'comment', next: '@pop' }],
        [/[*/]/, 'comment'],
      ],
      string: [
        [/[^']+/, 'string'],
        [/''/, 'string'],
        [/'/, { token: 'string', next: '@pop' }],
      ],
      dollar: [
        [/\$([A-Za-z_]*)\$/, { cases: { '$1==$S2': { token: 'string', next: '@pop' }, '@default': 'string' } }],
        [/[^$]+/, 'string'],
        [/\$/, 'string'],
      ],
      quotedIdentifier: [
        [/[^"]+/, 'identifier'],
        [/""/, 'identifier'],
        [/"/, { token: 'identifier.quote', next: '@pop' }],
      ],
    },
  };
}
