import { describe, expect, it } from 'vitest';
import { exportContentType } from '../../src/shared/api/export';

describe('the files the browser shell serves from exports/', () => {
  it('serves every kind of finished export, the inspector’s JSON lines too', () => {
    expect(exportContentType('result 2026-11-25.csv')).toBe('text/csv; charset=utf-8');
    expect(exportContentType('records (2).jsonl')).toBe('application/x-ndjson');
    expect(exportContentType('metrics.parquet')).toBe('application/vnd.apache.parquet');
  });

  it('serves nothing else: folders, parent paths, parts still being written, unknown kinds', () => {
    for (const name of ['a/b.csv', '../x.csv', '.hidden.csv', 'x.csv.part', 'x.exe', 'x.constructor', '']) {
      expect(exportContentType(name)).toBeNull();
    }
  });
});
