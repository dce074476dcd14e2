/** What the sync feature adds to the workbench: "Sync metrics" opened from anywhere. */
import { provideIntent } from '../../workbench/intents';
import { openSyncDialog } from './syncActions';

export function contributeSync(): Array<() => void> {
  return [provideIntent('sync.open', ({ pipelineId, preset }) => openSyncDialog(pipelineId ?? null, preset ?? null))];
}
