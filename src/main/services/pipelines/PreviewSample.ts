/**
 * The live preview's sample of cached Bronze: what can be picked (the
 * `bronze.<pipeline>` view's columns and series) and the sample itself, held
 * as Arrow chunks like a query result so the renderer loads it into DuckDB-WASM.
 */
import type { QueryResultMeta } from '../../../shared/api/contract';
import type { PreviewSampleRequest, SampleOptions } from '../../../shared/api/drafts';
import { describeSkippedFiles } from '../../../shared/api/lake';
import { WorkbenchError } from '../../../shared/errors';
import { quoteIdent, quoteLiteral } from '../../../shared/sql';
import type { Warehouse } from '../warehouse/Warehouse';

async function bronzeColumns(warehouse: Warehouse, pipelineId: string): Promise<{ name: string; type: string }[]> {
  const catalog = await warehouse.catalog();
  const relation = catalog.relations.find((r) => r.schema === 'bronze' && r.name === pipelineId);
  if (!relation) {
    const skipped = warehouse.skippedFiles(pipelineId);
    if (skipped.length) {
      throw new WorkbenchError(
        'not_found',
        `Every Bronze file of "${pipelineId}" on this machine is damaged: ${describeSkippedFiles(skipped)}`,
        'Download the files again (or ask the pipeline owner to replace them), then pick a sample again.',
      );
    }
    throw new WorkbenchError(
      'not_found',
      `No Bronze data of "${pipelineId}" is cached on this machine`,
      'Cache some of its files from the Bronze lake (sidebar → Lake), then pick a sample again.',
    );
  }
  return relation.columns;
}

export async function sampleOptions(warehouse: Warehouse, pipelineId: string): Promise<SampleOptions> {
  const columns = await bronzeColumns(warehouse, pipelineId);
  // epoch_us and DOUBLE: plain JSON numbers, whatever the session's time zone.
  const rows = await warehouse.rows(`
    SELECT series_id::VARCHAR AS series_id, count(*)::DOUBLE AS records,
           (epoch_us(min(ts)) // 1000)::DOUBLE AS first, (epoch_us(max(ts)) // 1000)::DOUBLE AS last
    FROM bronze.${quoteIdent(pipelineId)}
    WHERE series_id IS NOT NULL AND ts IS NOT NULL
    GROUP BY 1 ORDER BY 1`);
  return {
    pipelineId,
    columns,
    // Read after the query: it may have set a damaged file aside.
    skippedFiles: warehouse.skippedFiles(pipelineId),
    series: rows.map((r) => ({
      seriesId: String(r.series_id),
      records: Number(r.records),
      first: Number(r.first),
      last: Number(r.last),
    })),
  };
}

/**
 * The sample's records, one copy per record_id (the first ingested, as the
 * pipeline keeps it): deduplicated once here, natively, so the preview need
 * not do it again on every keystroke (see previewCompileSchema).
 */
export function sampleSql(request: PreviewSampleRequest, columns: readonly { name: string }[]): string {
  const series = request.seriesIds.map(quoteLiteral).join(', ');
  const names = new Set(columns.map((c) => c.name));
  const dedupe =
    names.has('record_id') && names.has('ingested_at')
      ? 'QUALIFY row_number() OVER (PARTITION BY record_id ORDER BY ingested_at) = 1'
      : '';
  return `SELECT * FROM bronze.${quoteIdent(request.pipelineId)}
    WHERE series_id IN (${series})
      AND ts >= ${quoteLiteral(request.from)}::TIMESTAMPTZ AND ts < ${quoteLiteral(request.to)}::TIMESTAMPTZ
    ${dedupe}
    ORDER BY series_id, ts
    LIMIT ${request.limit}`;
}

/** Runs the sample on the warehouse; its chunks are fetched with `results.chunk` and then released. */
export async function loadSample(warehouse: Warehouse, request: PreviewSampleRequest): Promise<QueryResultMeta> {
  const columns = await bronzeColumns(warehouse, request.pipelineId);
  return warehouse.query(request.queryId, sampleSql(request, columns));
}
