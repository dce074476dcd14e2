/**
 * A chart's points as they cross from the data plane to the renderer: one
 * Arrow IPC stream with a row per point — `s` (the series' index, Int32),
 * `t` (epoch ms, Float64), `v` (Float64) — grouped by series in key order, and
 * everything else about the chart (mode, buckets, parts, the heavy-read
 * estimate, the series keys) as JSON in the schema's `dash.chart` metadata.
 * A server chart of many series is hundreds of thousands of points: as Arrow
 * they are 20 bytes each (an Int32 and two Float64s), binary, not text.
 *
 * The bytes are input like any other: decoding checks the columns, the
 * metadata (against the contract) and every series index, naming what is
 * wrong, and copies each series' points into plain number arrays (the
 * contract's `t` and `v`).
 */
import {
  Field,
  Float64,
  Int32,
  makeData,
  RecordBatch,
  RecordBatchStreamWriter,
  Schema,
  Struct,
  tableFromIPC,
  type Table,
} from 'apache-arrow';
import { z } from 'zod';
import { ChartSeriesResult } from '../api/charts';

const META_KEY = 'dash.chart';

const ChartMeta = ChartSeriesResult.omit({ series: true })
  .extend({ keys: z.array(z.string()) })
  .strict();

const FIELDS = [
  new Field('s', new Int32(), false),
  new Field('t', new Float64(), false),
  new Field('v', new Float64(), false),
];

/** The chart as one Arrow IPC stream (see the file comment). */
export function encodeChartSeries(result: ChartSeriesResult): Uint8Array {
  const { series, ...rest } = result;
  const length = series.reduce((sum, s) => sum + s.t.length, 0);
  const s = new Int32Array(length);
  const t = new Float64Array(length);
  const v = new Float64Array(length);
  let at = 0;
  series.forEach((one, index) => {
    if (one.v.length !== one.t.length)
      throw new Error(`Series ${one.key} has ${one.t.length} times but ${one.v.length} values`);
    s.fill(index, at, at + one.t.length);
    t.set(one.t, at);
    v.set(one.v, at);
    at += one.t.length;
  });
  const meta = JSON.stringify({ ...rest, keys: series.map((one) => one.key) });
  const schema = new Schema(FIELDS, new Map([[META_KEY, meta]]));
  const children = [
    makeData({ type: new Int32(), length, nullCount: 0, data: s }),
    makeData({ type: new Float64(), length, nullCount: 0, data: t }),
    makeData({ type: new Float64(), length, nullCount: 0, data: v }),
  ];
  const data = makeData({ type: new Struct(schema.fields), length, nullCount: 0, children });
  return RecordBatchStreamWriter.writeAll([new RecordBatch(schema, data)]).toUint8Array(true);
}

function column(table: Table, name: string, type: 'Int32' | 'Float64'): Int32Array | Float64Array {
  const vector = table.getChild(name);
  if (!vector) throw new Error(`The chart data has no "${name}" column`);
  if (String(vector.type) !== type)
    throw new Error(`The chart data's "${name}" column is ${String(vector.type)}, not ${type}`);
  if (vector.nullCount > 0) throw new Error(`The chart data's "${name}" column holds nulls`);
  return vector.toArray() as Int32Array | Float64Array;
}

/** The chart back from its Arrow stream; throws, naming the fault, on anything else. */
export function decodeChartSeries(bytes: Uint8Array): ChartSeriesResult {
  let table: Table;
  try {
    table = tableFromIPC(bytes);
  } catch (err) {
    throw new Error(`The chart data is not an Arrow stream: ${err instanceof Error ? err.message : String(err)}`);
  }
  const raw = table.schema.metadata.get(META_KEY);
  if (raw === undefined) throw new Error(`The chart data has no ${META_KEY} metadata`);
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new Error(`The chart data's ${META_KEY} metadata is not JSON`);
  }
  const parsed = ChartMeta.safeParse(json);
  if (!parsed.success)
    throw new Error(`The chart data's metadata does not match the contract: ${parsed.error.issues[0]?.message}`);
  const { keys, ...rest } = parsed.data;
  const s = column(table, 's', 'Int32');
  const t = column(table, 't', 'Float64');
  const v = column(table, 'v', 'Float64');
  const series: ChartSeriesResult['series'] = keys.map((key) => ({ key, t: [], v: [] }));
  // Rows come grouped by series, in key order: cut each run into its series.
  let start = 0;
  for (let i = 1; i <= s.length; i++) {
    if (i < s.length && s[i] === s[i - 1]) continue;
    const index = s[start]!;
    if (index < 0 || index >= keys.length || (i < s.length && s[i]! <= index))
      throw new Error(
        `The chart data's series index at row ${start} is out of order or not among its ${keys.length} series`,
      );
    series[index]!.t = Array.from(t.subarray(start, i));
    series[index]!.v = Array.from(v.subarray(start, i));
    start = i;
  }
  return { ...rest, series };
}
