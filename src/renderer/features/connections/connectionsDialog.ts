/** Whether the Connections dialog is open (opened from the sidebar's Connections header). */
import { create } from 'zustand';

export const useConnectionsDialog = create<{ open: boolean }>(() => ({ open: false }));

export function openConnectionsDialog(): void {
  useConnectionsDialog.setState({ open: true });
}

export function closeConnectionsDialog(): void {
  useConnectionsDialog.setState({ open: false });
}
