/** Shows why a list is not there yet: its phase is still starting, or failed. */
import type { ReactNode } from 'react';
import { phaseState, startingPhases, useWorkspaceStore } from '../../state/workspaceStore';
import { EmptyState } from './SidebarSection';

export function PhaseGate({ phase, children }: { phase: 'lake' | 'warehouse' | 'postgres'; children: ReactNode }) {
  const status = useWorkspaceStore((s) => s.status);
  const state = phaseState(status, phase);
  if (state === 'ready') return <>{children}</>;
  if (state === 'failed') {
    const info = status?.phases.find((p) => p.id === phase);
    return (
      <EmptyState tone="error">
        {info?.title ?? phase} failed to start{info?.message ? `: ${info.message}` : ''}
      </EmptyState>
    );
  }
  const waiting = startingPhases(status);
  return <EmptyState>The workspace is still starting{waiting.length ? `: ${waiting.join(', ')}…` : '…'}</EmptyState>;
}
