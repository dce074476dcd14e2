/** A result row that names a metric point (pipeline_id, series_id, time) as a lineage question. */
import type { LineageRequest } from '../../../shared/api/inspector';
import type { CellValue } from '../../engine/rows';

function instant(value: CellValue): string | null {
  if (value === null || typeof value === 'boolean') return null;
  if (typeof value === 'string') return Number.isNaN(Date.parse(value)) ? null : new Date(value).toISOString();
  // The engine gives timestamps as epoch milliseconds (microseconds when that large).
  const n = Number(value);
  const ms = Math.abs(n) > 1e14 ? n / 1000 : n;
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

export function lineageFromRow(names: readonly string[], row: readonly CellValue[] | undefined): LineageRequest | null {
  if (!row) return null;
  const at = (name: string) => row[names.indexOf(name)] ?? null;
  if (!names.includes('pipeline_id') || !names.includes('series_id') || !names.includes('time')) return null;
  const pipelineId = at('pipeline_id');
  const seriesId = at('series_id');
  const time = instant(at('time'));
  if (typeof pipelineId !== 'string' || typeof seriesId !== 'string' || time === null) return null;
  return { pipelineId, seriesId, time };
}
