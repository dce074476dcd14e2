/**
 * The SQL of a live preview, shared by the editor and `npm run bench`: the
 * compiled draft materialized once, then read back as first rows, per-metric
 * counts and chart points. Runs unchanged on DuckDB-WASM and native DuckDB.
 */
import { tokenize, type BronzeColumn, type PipelineDraft } from '../../../shared/formula';
import { quoteIdent } from '../../../shared/sql';

export const PREVIEW_ROWS = 200;
/** Points the chart gets over all its series (the table and counts see every row). */
export const CHART_POINTS = 20_000;

/**
 * One preview, in order: build the table from the compiled draft (which comes
 * sorted by series and ts, so its rowid order is that order), its first rows,
 * the per-metric counts, and every k-th row for the chart. `metrics` are the
 * draft's metric names, which the compiler uses as column names.
 */
export function previewStatements(compiled: string, previewTable: string, metrics: readonly string[]): string[] {
  const table = quoteIdent(previewTable);
  return [
    `CREATE OR REPLACE TABLE ${table} AS ${compiled}`,
    `SELECT * FROM ${table} ORDER BY rowid LIMIT ${PREVIEW_ROWS}`,
    previewStatsSql(previewTable, metrics),
    previewChartSql(previewTable, metrics),
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

/** Every k-th row (in series, ts order) so about CHART_POINTS come back: series, epoch ms, one value per metric. */
export function previewChartSql(table: string, metrics: readonly string[]): string {
  const t = quoteIdent(table);
  const values = metrics.map((m) => `, TRY_CAST(${quoteIdent(m)} AS DOUBLE)`).join('');
  return `SELECT series_id::VARCHAR, (epoch_us(ts) // 1000)::DOUBLE${values}
    FROM ${t}
    WHERE rowid % greatest(1, (SELECT count(*) FROM ${t}) // ${CHART_POINTS}) = 0
    ORDER BY rowid`;
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
