/** Whether the "Sync metrics" dialog is open, and for which pipeline (opened from the Pipelines section, or a chart). */
import { create } from 'zustand';

import type { SyncPreset } from '../../workbench/intents';

export const useSyncDialog = create<{ open: boolean; pipelineId: string | null; preset: SyncPreset | null }>(() => ({
  open: false,
  pipelineId: null,
  preset: null,
}));

export function openSyncDialog(pipelineId: string | null = null, preset: SyncPreset | null = null): void {
  useSyncDialog.setState({ open: true, pipelineId, preset });
}

export function closeSyncDialog(): void {
  useSyncDialog.setState({ open: false, pipelineId: null, preset: null });
}
