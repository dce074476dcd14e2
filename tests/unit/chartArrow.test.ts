import {
  Field,
  Float64,
  Int32,
  RecordBatch,
  RecordBatchStreamWriter,
  Schema,
  Struct,
  Utf8,
  makeData,
  vectorFromArray,
  type DataType,
} from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { isBinaryMethod } from '../../src/shared/api/contract';
import type { ChartSeriesResult } from '../../src/shared/api/charts';
import { decodeChartSeries, encodeChartSeries } from '../../src/shared/charts/chartArrow';

const chart: ChartSeriesResult = {
  mode: 'm4',
  bucketMs: 60_000,
  rawPoints: 1234,
  series: [
    { key: 'power · a', t: [1, 2, 3], v: [0.5, -1e300, Number.NaN] },
    { key: 'power · b (empty)', t: [], v: [] },
    { key: 'power · c', t: [1.5e12], v: [7] },
  ],
  elapsedMs: 12,
  parts: [{ fromMs: 0, toMs: 10, from: 'aggregate', name: 'metrics_hourly' }],
  serverRows: 9,
  heavy: null,
};

/** A stream of the given columns (name, type, values) with `meta` as the chart metadata, if any. */
function stream(columns: [string, DataType, number[] | string[]][], meta?: string): Uint8Array {
  const fields = columns.map(([name, type]) => new Field(name, type, true));
  const schema = new Schema(fields, meta === undefined ? new Map() : new Map([['dash.chart', meta]]));
  const length = columns[0]?.[2].length ?? 0;
  const children = columns.map(([, type, values]) => vectorFromArray(values, type).data[0]!);
  const data = makeData({ type: new Struct(schema.fields), length, nullCount: 0, children });
  return RecordBatchStreamWriter.writeAll([new RecordBatch(schema, data)]).toUint8Array(true);
}

const META = JSON.stringify({ mode: 'raw', bucketMs: 0, rawPoints: 2, elapsedMs: 1, keys: ['x', 'y'] });

describe('a chart as Arrow between the data plane and the renderer', () => {
  it('is what chart.series answers with, and reads back field for field', () => {
    expect(isBinaryMethod('chart.series')).toBe(true);
    expect(decodeChartSeries(encodeChartSeries(chart))).toEqual(chart);
  });

  it('carries many points as 20 bytes each', () => {
    const series = Array.from({ length: 50 }, (_, i) => ({
      key: `m · s${i}`,
      t: Array.from({ length: 4000 }, (_, j) => 1.7e12 + j * 1000),
      v: Array.from({ length: 4000 }, (_, j) => Math.sin(i + j)),
    }));
    const bytes = encodeChartSeries({ ...chart, series });
    expect(bytes.byteLength).toBeLessThan(50 * 4000 * 20 + 20_000);
    expect(decodeChartSeries(bytes).series).toEqual(series);
  });

  it('refuses, naming the fault, anything but a chart stream', () => {
    expect(() => decodeChartSeries(new TextEncoder().encode('{"mode":"m4"}'))).toThrow(/not an Arrow stream/);
    const good: [string, DataType, number[]][] = [
      ['s', new Int32(), [0, 1]],
      ['t', new Float64(), [1, 2]],
      ['v', new Float64(), [3, 4]],
    ];
    expect(decodeChartSeries(stream(good, META)).series).toEqual([
      { key: 'x', t: [1], v: [3] },
      { key: 'y', t: [2], v: [4] },
    ]);
    expect(() => decodeChartSeries(stream(good))).toThrow(/no dash.chart metadata/);
    expect(() => decodeChartSeries(stream(good, '{'))).toThrow(/metadata is not JSON/);
    expect(() => decodeChartSeries(stream(good, JSON.stringify({ mode: 'drop table', keys: [] })))).toThrow(
      /does not match the contract/,
    );
    expect(() => decodeChartSeries(stream(good, JSON.stringify({ ...JSON.parse(META), extra: 'x' })))).toThrow(
      /does not match the contract/,
    );
    expect(() => decodeChartSeries(stream([good[0]!, good[1]!], META))).toThrow(/no "v" column/);
    expect(() => decodeChartSeries(stream([good[0]!, good[1]!, ['v', new Utf8(), ['a', 'b']]], META))).toThrow(
      /"v" column is Utf8, not Float64/,
    );
    // Series out of order, out of range or negative: nothing is drawn from them.
    for (const s of [
      [1, 0],
      [0, 2],
      [-1, 0],
    ])
      expect(() => decodeChartSeries(stream([['s', new Int32(), s], good[1]!, good[2]!], META))).toThrow(
        /row [01] is out of order or not among its 2 series/,
      );
  });
});
