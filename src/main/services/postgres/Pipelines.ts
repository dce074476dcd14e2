import type pg from 'pg';
import { PipelineDefinition, type PipelineSummary } from '../../../shared/api/contract';

/** Pipelines as the server holds them; a definition that breaks the contract is reported, not hidden. */
export async function readPipelines(db: pg.Pool | pg.ClientBase): Promise<PipelineSummary[]> {
  const { rows } = await db.query<{
    id: string;
    name: string;
    version: number;
    definition: unknown;
    updated_at: Date | null;
    updated_by: string | null;
  }>('SELECT id, name, version, definition, updated_at, updated_by FROM dash.pipelines ORDER BY id');
  return rows.map((row) => {
    const definition = PipelineDefinition.safeParse(row.definition);
    return {
      id: row.id,
      name: row.name,
      version: row.version,
      definition: definition.success ? definition.data : { source: '', filter: null, metrics: [] },
      updatedAt: row.updated_at ? row.updated_at.toISOString() : '',
      updatedBy: row.updated_by ?? '',
      problem: definition.success
        ? null
        : `The definition does not match the contract: ${definition.error.issues[0]?.message ?? 'invalid'}`,
    };
  });
}
