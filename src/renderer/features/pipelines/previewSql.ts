/**
 * The SQL of a live preview, shared by the editor and `npm run bench`: the
 * compiled draft materialized once, then read back as what the screen shows —
 * the first rows, per-metric counts and the chosen metric's chart at the
 * chart's width. Runs unchanged on DuckDB-WASM and native DuckDB.
 *
 * Measured on 1M records (formula.preview_1m): the draft's window functions
 * (rate, lag, rolling_*) sort every series, and that is most of the time.
 * Reading the counts, the first rows and the chart each straight from the
 * compiled draft runs it three times (about twice as slow as building it once);
 * so one table, and three reads of it that cost little next to building it.
 */
import { tokenize, type BronzeColumn, type PipelineDraft } from '../../../shared/formula';
import type { ColumnInfo } from '../../../shared/api/contract';
import { foldCase } from '../../../shared/resultColumns';
import { quoteIdent } from '../../../shared/sql';

export const PREVIEW_ROWS = 200;
/**
 * Records of the sample the first answer of a keystroke is computed over (the
 * first ones, in series and ts order); the whole sample follows. About 20 ms
 * of engine time per 5,000 records (window functions included): in Chromium a
 * 20,000-record slice drew its chart 158 ms after the debounce, over the aim
 * of 150 ms, so the slice is half that.
 */
export const SLICE_RECORDS = 10_000;
/** The chart's width in pixels until the chart has said how wide it is. */
export const DEFAULT_CHART_WIDTH = 800;
/**
 * Pixel columns of all series together (two points each at most): many series
 * share the budget, so 200 lines get 40 columns each and one line every pixel.
 */
export const CHART_COLUMNS = 8_000;

/** The chart the screen shows: one metric (its lines per series) drawn `width` pixels wide. */
export interface PreviewChartSpec {
  metric: string;
  width: number;
}

/** A sample of Bronze records loaded into the engine, as the preview reads it. */
export interface SampleTable {
  tableName: string;
  /** Columns the engine knows by another name than Bronze's (`name`), read under Bronze's (`queryName`): sampleRenames. */
  renamed: readonly { name: string; queryName: string }[];
}

/**
 * The sample's columns to read under their Bronze name: a field called `rowid`
 * is `rowid_1` in the engine (resultColumnNames), and a draft must read the
 * field, not the engine's row id. A column goes back to its Bronze name only
 * where no other column is then known by that name (in any case); checked
 * against the names as they become, so a Bronze `rowid_1` beside `rowid` (the
 * engine's `rowid_1_1` and `rowid_1`) gets its name back too.
 */
export function sampleRenames(columns: readonly ColumnInfo[]): SampleTable['renamed'] {
  const names = columns.map((c) => c.name);
  const back = new Map<number, { name: string; queryName: string }>();
  for (let changed = true; changed;) {
    changed = false;
    columns.forEach(({ name, queryName }, i) => {
      if (queryName === undefined || back.has(i)) return;
      const wanted = foldCase(queryName);
      if (names.some((other, j) => j !== i && foldCase(other) === wanted)) return;
      names[i] = queryName;
      back.set(i, { name, queryName });
      changed = true;
    });
  }
  return columns.flatMap((_, i) => back.get(i) ?? []);
}

/**
 * The sample as the compiled draft reads it: every field under its Bronze name
 * (sampleRenames), and given `records` only the first ones (its rowid order is
 * series, ts order): the first answer's input.
 */
export function sampleSource(sample: SampleTable, records?: number): string {
  const table = quoteIdent(sample.tableName);
  const where = records === undefined ? '' : ` WHERE rowid < ${Math.max(0, Math.trunc(records))}`;
  if (sample.renamed.length === 0 && !where) return table;
  const rename = sample.renamed.length
    ? ` RENAME (${sample.renamed.map((c) => `${quoteIdent(c.name)} AS ${quoteIdent(c.queryName)}`).join(', ')})`
    : '';
  return `(SELECT *${rename} FROM ${table}${where})`;
}

/**
 * One preview answer, in order: build the table from the compiled draft
 * (compiled unsorted: sorting every row would double the build), its first
 * rows in series and ts order, the per-metric counts, and the chart
 * (previewChartSql). `metrics` are
 * the draft's metric names, which the compiler uses as column names; the chart
 * is of the first metric unless said otherwise.
 */
export function previewStatements(
  compiled: string,
  previewTable: string,
  metrics: readonly string[],
  chart: PreviewChartSpec | null = metrics[0] ? { metric: metrics[0], width: DEFAULT_CHART_WIDTH } : null,
): string[] {
  const table = quoteIdent(previewTable);
  return [
    `CREATE OR REPLACE TABLE ${table} AS ${compiled}`,
    // The draft comes unsorted (compilePipeline's `ordered: false`): only the rows shown are sorted.
    `SELECT * FROM ${table} ORDER BY series_id, ts LIMIT ${PREVIEW_ROWS}`,
    previewStatsSql(previewTable, metrics),
    chart ? previewChartSql(previewTable, chart) : 'SELECT NULL::VARCHAR AS k WHERE false',
  ];
}

/** Per-metric counts (nulls, NaN, ±inf) and the finite sum, in one pass: four columns per metric after count(*). */
export function previewStatsSql(table: string, metrics: readonly string[]): string {
  const parts = metrics.flatMap((m) => {
    const v = `TRY_CAST(${quoteIdent(m)} AS DOUBLE)`;
    return [
      `count(*) - count(${quoteIdent(m)})`,
      `count(*) FILTER (WHERE isnan(${v}))`,
      `count(*) FILTER (WHERE isinf(${v}))`,
      `sum(CASE WHEN isfinite(${v}) THEN ${v} END)`,
    ];
  });
  return `SELECT count(*)${parts.map((p) => `, ${p}`).join('')} FROM ${quoteIdent(table)}`;
}

/**
 * The chart of one metric per pixel column: the table's time span cut into
 * columns (at most the chart's width per series, CHART_COLUMNS over all), and
 * per series and column the lowest and highest finite value — the vertical
 * stroke a pixel column draws, whatever the number of records in it. Both are
 * placed at the column's first time (which of the two came first is not worth
 * the arg_min/arg_max that would say: it doubles the chart's time, and moves
 * the stroke by less than a pixel). A column with records but no finite value
 * has `n` 0: a gap. Rows: k (series), n, t (epoch ms), vmin, vmax.
 */
export function previewChartSql(table: string, chart: PreviewChartSpec): string {
  const width = Math.max(1, Math.trunc(chart.width));
  const value = `TRY_CAST(${quoteIdent(chart.metric)} AS DOUBLE)`;
  // No ORDER BY: sorting a few thousand columns in previewChartLines costs nothing, here a tenth of the chart's time.
  return `WITH pts AS (
      SELECT series_id::VARCHAR AS k, epoch_us(ts) AS t, CASE WHEN isfinite(${value}) THEN ${value} END AS v
      FROM ${quoteIdent(table)} WHERE ts IS NOT NULL),
    grid AS (
      SELECT min(t) AS origin,
        (max(t) - min(t)) // least(${width}, greatest(1, ${CHART_COLUMNS} // greatest(1, count(DISTINCT k)))) + 1 AS bucket
      FROM pts)
    SELECT k, count(v)::DOUBLE AS n, (min(t) // 1000)::DOUBLE AS t, min(v) AS vmin, max(v) AS vmax
    FROM pts, grid
    GROUP BY k, (t - origin) // bucket`;
}

/**
 * The schema to compile a preview with. The sample is deduplicated by record_id
 * when loaded (PreviewSample), and the compiler deduplicates only when it sees
 * `ingested_at`: leaving that column out (unless a formula reads it) saves a
 * pass over every record on every keystroke — most of the time on 1M rows.
 */
export function previewCompileSchema(draft: PipelineDraft, schema: readonly BronzeColumn[]): BronzeColumn[] {
  const texts = [draft.filter ?? '', ...draft.metrics.map((m) => m.formula)];
  const readsIngestedAt = texts.some((text) =>
    tokenize(text).some(
      (t) => t.kind === 'identifier' && text.slice(t.range.start, t.range.end).toLowerCase() === 'ingested_at',
    ),
  );
  return readsIngestedAt ? [...schema] : schema.filter((c) => c.name.toLowerCase() !== 'ingested_at');
}

/** A line's points: [epoch ms, value], null where the line has a gap. */
export type PreviewPoint = [number, number | null];

/**
 * previewChartSql's rows as lines per series, in time order: per column its low
 * then its high (one point when they are equal), a null point where it has no value.
 */
export function previewChartLines(
  rows: readonly (readonly unknown[])[],
): { seriesId: string; points: PreviewPoint[] }[] {
  const bySeries = new Map<string, PreviewPoint[]>();
  for (const [k, n, t, vmin, vmax] of rows) {
    const id = String(k);
    let points = bySeries.get(id);
    if (!points) bySeries.set(id, (points = []));
    const at = Number(t);
    if (!Number(n)) points.push([at, null]);
    else if (Number(vmin) === Number(vmax)) points.push([at, Number(vmin)]);
    else points.push([at, Number(vmin)], [at, Number(vmax)]);
  }
  // A column's two points share its time: the stable sort keeps its low before its high.
  return [...bySeries]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([seriesId, points]) => ({ seriesId, points: points.sort((a, b) => a[0] - b[0]) }));
}
