/** What the inspector's components ask of the workbench beyond the search itself (see inspectorStore). */
import type { ResultExportStarted } from '../../../shared/api/export';
import type { InspectorExportFormat } from '../../../shared/api/inspector';
import { workbench } from '../../state/workbench';

/** Starts writing the records a search found to a file in the workspace's exports folder. */
export function exportRecords(searchId: string, format: InspectorExportFormat): Promise<ResultExportStarted> {
  return workbench().call('inspector.export', { searchId, format });
}
