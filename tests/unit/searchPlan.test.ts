/**
 * The record search's planner: which files, which row groups, which SQL — all
 * decided without reading anything.
 */
import type { FileMetaData } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import {
  candidateCondition,
  candidateSql,
  fileSchema,
  filterSignature,
  GLOB_CHARACTERS,
  groupMayMatch,
  nativeBatches,
  planSearch,
  rowTest,
  schemaVerdict,
  typesSeen,
  driftProblems,
  type Element,
  type SearchPlan,
} from '../../src/main/services/inspector/searchPlan';
import { InspectorCriteria, type InspectorCriteriaInput } from '../../src/shared/api/inspector';

const listed = (keys: string[]) => keys.map((key, i) => ({ key, size: 1000 + i, etag: `e${i}` }));
const plan = (input: InspectorCriteriaInput, keys: string[] = []): SearchPlan =>
  planSearch(InspectorCriteria.parse(input), listed(keys));

const text = (name: string): Element => ({ name, type: 'BYTE_ARRAY', logical_type: { type: 'STRING' } });
const time = (name: string, isAdjustedToUTC = true, unit: 'MILLIS' | 'MICROS' | 'NANOS' = 'MICROS'): Element => ({
  name,
  type: 'INT64',
  logical_type: { type: 'TIMESTAMP', isAdjustedToUTC, unit },
});
const double = (name: string): Element => ({ name, type: 'DOUBLE' });
const bronze = (...extra: Element[]) =>
  fileSchema({
    schema: [
      { name: 'schema', num_children: 6 + extra.length },
      text('record_id'),
      text('pipeline_id'),
      text('series_id'),
      time('ts'),
      time('ingested_at'),
      text('raw'),
      ...extra,
    ],
  } as unknown as FileMetaData);

describe('planSearch', () => {
  const keys = [
    'bronze/b/date=2026-10-02/x.parquet',
    'bronze/a/date=2026-10-03/y.parquet',
    'bronze/a/date=2026-10-01/z.parquet',
    'bronze/a/date=2026-10-02/w.parquet',
    'bronze/a/undated.parquet',
    'bronze/a/date=2026-10-02/notes.txt',
    'elsewhere/a/date=2026-10-02/v.parquet',
  ];

  it('keeps Bronze files from the first possible landing day, ordered by day then key', () => {
    const p = plan({ from: '2026-10-02T10:00:00Z' }, keys);
    expect(p.files.map((f) => f.key)).toEqual([
      'bronze/a/undated.parquet',
      'bronze/a/date=2026-10-02/w.parquet',
      'bronze/b/date=2026-10-02/x.parquet',
      'bronze/a/date=2026-10-03/y.parquet',
    ]);
    expect(p.files[1]).toMatchObject({ pipelineId: 'a', date: '2026-10-02', size: 1003, etag: 'e3' });
    expect({ total: p.filesTotal, skipped: p.filesSkipped }).toEqual({ total: 5, skipped: 1 });
    expect([...p.testColumns]).toEqual(['ts']);
  });

  it('takes the landing days it is given over what the criteria allow', () => {
    const p = planSearch(InspectorCriteria.parse({}), listed(keys), { from: '2026-10-02', to: '2026-10-02' });
    expect(p.files.map((f) => f.key)).toEqual([
      'bronze/a/undated.parquet',
      'bronze/a/date=2026-10-02/w.parquet',
      'bronze/b/date=2026-10-02/x.parquet',
    ]);
  });

  it('tests the columns the criteria name', () => {
    const p = plan({ recordId: 'r', seriesId: 's', text: 't', predicates: [{ field: 'value', op: '>', value: '1' }] });
    expect([...p.testColumns].sort()).toEqual(['raw', 'record_id', 'series_id', 'value']);
  });
});

describe('row groups and schemas', () => {
  const group = (min: string, max: string) =>
    ({
      num_rows: 10n,
      columns: [{ meta_data: { path_in_schema: ['record_id'], statistics: { min_value: min, max_value: max } } }],
    }) as unknown as FileMetaData['row_groups'][number];

  it('skips a row group whose statistics rule the record out, and reads one without statistics', () => {
    const p = plan({ recordId: 'meter-0042' });
    expect(groupMayMatch(p, group('meter-0001', 'meter-0040'), bronze())).toBe(false);
    expect(groupMayMatch(p, group('meter-0040', 'meter-0050'), bronze())).toBe(true);
    expect(groupMayMatch(p, { num_rows: 10n, columns: [] } as never, bronze())).toBe(true);
  });

  it('names missing contract columns, and skips the file when the search tests one', () => {
    expect(schemaVerdict(plan({ seriesId: 's' }), bronze().types)).toEqual({ problems: [], skip: false });
    const lacking = fileSchema({ schema: [{ name: 'schema' }, text('record_id')] });
    expect(schemaVerdict(plan({ seriesId: 's' }), lacking.types)).toMatchObject({ skip: true });
    expect(schemaVerdict(plan({ recordId: 'r' }), lacking.types)).toMatchObject({
      problems: [{ kind: 'schema', message: expect.stringMatching(/^Lacks pipeline_id, .*searched without them/) }],
      skip: false,
    });
  });

  it('names drift in tested columns against the type most files have, in whatever order they were read', () => {
    const p = plan({ predicates: [{ field: 'humidity', op: '>', value: '1' }] });
    const int = { name: 'humidity', type: 'INT32' } as Element;
    const file = (day: string, schema: ReturnType<typeof bronze>) =>
      typesSeen(
        p,
        { key: `bronze/t/date=${day}/a.parquet`, size: 1, etag: null, pipelineId: 't', date: day },
        schema.types,
      );
    const seen = [
      file('2026-10-02', bronze(double('humidity'), text('other'))),
      file('2026-10-01', bronze(int, double('other'))),
      file('2026-10-03', bronze(int, int)),
    ];
    const expected = [
      {
        key: 'bronze/t/date=2026-10-02/a.parquet',
        kind: 'schema',
        message:
          "Schema drift: humidity is DOUBLE here but INTEGER in other files. Searched with this file's own types.",
      },
    ];
    expect(driftProblems(seen)).toEqual(expected);
    expect(driftProblems([...seen].reverse())).toEqual(expected);
  });

  it('keeps a row by the same test whichever engine found it', () => {
    const test = rowTest(plan({ seriesId: 's1', text: 'HELLO', from: '2026-10-02T00:00:00Z' }), bronze());
    const ts = new Date('2026-10-02T01:00:00Z');
    expect(test({ series_id: 's1', raw: 'say hello', ts })).toBe(true);
    expect(test({ series_id: 's2', raw: 'say hello', ts })).toBe(false);
    expect(test({ series_id: 's1', raw: 'say hello', ts: new Date('2026-10-01T23:59:59Z') })).toBe(false);
  });
});

describe('the SQL for local files', () => {
  it('quotes every value and name from the criteria', () => {
    const p = plan({
      recordId: "x' OR '1'='1",
      predicates: [{ field: 'a"b', op: '=', value: "'); DROP TABLE t; --" }],
    });
    const condition = candidateCondition(p, bronze(text('a"b')));
    expect(condition).toBe(`"record_id" = 'x'' OR ''1''=''1' AND "a""b" = '''); DROP TABLE t; --'`);
  });

  it('pushes comparisons on bare columns, typed as each file has them', () => {
    const p = plan({
      seriesId: 'meter-0007',
      from: '2026-10-02T10:00:00Z',
      to: '2026-10-02T11:00:00Z',
      text: 'Meter',
      predicates: [
        { field: 'value', op: '>=', value: ' 1e3 ' },
        { field: 'ts', op: '<', value: '2026-10-02T10:30:00Z' },
      ],
    });
    expect(candidateCondition(p, bronze(double('value')))).toBe(
      [
        `"series_id" = 'meter-0007'`,
        `ts >= TIMESTAMPTZ '2026-10-02T10:00:00.000Z'`,
        `ts < TIMESTAMPTZ '2026-10-02T11:00:00.000Z'`,
        `contains(lower(raw), 'meter')`,
        `"value" >= CAST('1000' AS DOUBLE)`,
        `"ts" < TIMESTAMPTZ '2026-10-02T10:30:00.000Z'`,
      ].join(' AND '),
    );
    // A plain TIMESTAMP holds UTC wall time.
    const naive = fileSchema({ schema: [{ name: 'schema' }, time('ts', false)] } as unknown as FileMetaData);
    expect(candidateCondition(plan({ from: '2026-10-02T10:00:00Z' }), naive)).toBe(
      `ts >= TIMESTAMP '2026-10-02 10:00:00.000'`,
    );
  });

  it('leaves out what SQL cannot say exactly, and says FALSE where nothing can match', () => {
    const nanos = fileSchema({ schema: [{ name: 'schema' }, time('ts', true, 'NANOS')] } as unknown as FileMetaData);
    expect(candidateCondition(plan({ from: '2026-10-02T10:00:00Z' }), nanos)).toBe('TRUE');
    expect(candidateCondition(plan({ text: 'Grüße' }), bronze())).toBe('TRUE');
    expect(
      candidateCondition(
        plan({
          predicates: [
            { field: 'raw', op: '<', value: 'm' },
            { field: 'missing', op: 'is null', value: '' },
          ],
        }),
        bronze(),
      ),
    ).toBe('TRUE');
    expect(candidateCondition(plan({ predicates: [{ field: 'missing', op: '=', value: '1' }] }), bronze())).toBe(
      'FALSE',
    );
    expect(
      candidateCondition(plan({ predicates: [{ field: 'value', op: '>', value: 'abc' }] }), bronze(double('value'))),
    ).toBe('FALSE');
  });

  it('shares a filter between files only where the tested columns are alike', () => {
    const p = plan({ predicates: [{ field: 'humidity', op: '>', value: '1' }] });
    const int = { name: 'humidity', type: 'INT32' } as Element;
    expect(filterSignature(p, bronze(int))).toBe(filterSignature(p, bronze(double('humidity'))));
    expect(filterSignature(p, bronze(text('humidity')))).not.toBe(filterSignature(p, bronze(int)));
  });

  it('lists files as quoted literals, and keeps glob characters for the other path', () => {
    const files = [
      { path: "/lake/it's.parquet", schema: bronze() },
      { path: '/lake/b.parquet', schema: bronze() },
    ];
    const sql = candidateSql(files, 'TRUE', 10.7);
    expect(sql).toContain(`read_parquet(['/lake/it''s.parquet', '/lake/b.parquet'], filename = true`);
    expect(sql).toMatch(/union_by_name = false, hive_partitioning = false\) WHERE TRUE LIMIT 10$/);
    // Files of different shapes are bound by name.
    expect(candidateSql([...files, { path: '/lake/c.parquet', schema: bronze(double('value')) }], 'TRUE', 1)).toContain(
      'union_by_name = true',
    );
    for (const path of ['/a/*.parquet', '/a/[x].parquet', '/a/?.parquet', '/a/{a,b}.parquet']) {
      expect(GLOB_CHARACTERS.test(path), path).toBe(true);
    }
    expect(GLOB_CHARACTERS.test("/a/it's (1).parquet")).toBe(false);
  });

  it('batches few files first, then more', () => {
    const sizes = [...nativeBatches(Array.from({ length: 200 }, (_, i) => i))].map((b) => b.length);
    expect(sizes).toEqual([4, 8, 16, 32, 64, 64, 12]);
    expect([...nativeBatches([])]).toEqual([]);
  });
});
