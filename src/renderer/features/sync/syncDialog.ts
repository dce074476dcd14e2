/** Whether the "Sync metrics" dialog is open, and for which pipeline (opened from the Pipelines section). */
import { create } from 'zustand';

export const useSyncDialog = create<{ open: boolean; pipelineId: string | null }>(() => ({
  open: false,
  pipelineId: null,
}));

export function openSyncDialog(pipelineId: string | null = null): void {
  useSyncDialog.setState({ open: true, pipelineId });
}

export function closeSyncDialog(): void {
  useSyncDialog.setState({ open: false, pipelineId: null });
}
