/**
 * The SQL "Open Bronze records" puts in a new SQL tab: a pipeline's Bronze
 * records for the series a chart shows, over the range selected on it. Every
 * name and value from the chart is a quoted identifier or literal; the comment
 * is fixed text, never data (a line break in a name would end it).
 */
import { quoteIdent, quoteLiteral } from '../sql';
import { SERIES_KEY_SEPARATOR } from './chartQuery';

/** The series ids in chart keys, each once; a key that starts with none of `metrics` is skipped. */
export function seriesOfKeys(keys: readonly string[], metrics: readonly string[]): string[] {
  const series = new Set<string>();
  for (const key of keys) {
    // Metric names may hold the separator too: match the chart's own metrics, longest first.
    const metric = [...metrics]
      .sort((a, b) => b.length - a.length)
      .find((m) => key.startsWith(`${m}${SERIES_KEY_SEPARATOR}`));
    if (metric !== undefined) series.add(key.slice(metric.length + SERIES_KEY_SEPARATOR.length));
  }
  return [...series];
}

/** What a metric chart shows: its pipeline, metrics, and the keys of the series drawn. */
export interface ChartSelection {
  pipelineId: string;
  metrics: readonly string[];
  seriesKeys: readonly string[];
}

/** The Bronze records behind `selection` over `range` (epoch ms, inclusive): one SELECT. */
export function bronzeRecordsSql(
  selection: ChartSelection,
  range: { fromMs: number; toMs: number },
  limit = 100_000,
): string {
  const seriesIds = seriesOfKeys(selection.seriesKeys, selection.metrics);
  const conds = [
    `ts >= TIMESTAMPTZ ${quoteLiteral(new Date(range.fromMs).toISOString())}`,
    `ts <= TIMESTAMPTZ ${quoteLiteral(new Date(range.toMs).toISOString())}`,
  ];
  if (seriesIds.length) conds.unshift(`series_id IN (${seriesIds.map(quoteLiteral).join(', ')})`);
  return `-- Bronze records behind the chart's selection: the series shown, over the selected range.
SELECT *
FROM bronze.${quoteIdent(selection.pipelineId)}
WHERE ${conds.join('\n  AND ')}
ORDER BY ts
LIMIT ${Math.max(1, Math.trunc(limit))};
`;
}
