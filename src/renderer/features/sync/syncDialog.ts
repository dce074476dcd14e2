/** Whether the "Sync metrics" dialog is open, and for which pipeline (opened from the Pipelines section, or a chart). */
import { create } from 'zustand';

/** What the dialog starts with besides the pipeline: its metrics and UTC days [from, to) (a chart's "Sync these days"). */
export interface SyncPreset {
  metrics: string[];
  from: string;
  to: string;
}

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
