/** Shows why a list is not there yet: its phase is still starting (the one start-up progress says how far), or failed. */
import type { ReactNode } from 'react';
import { phaseState, useWorkspaceStore } from '../state/workspaceStore';
import { EmptyState } from './SidebarSection';

/** What each gated list waits for, in the user's words. */
const WAITS_FOR: Record<'lake' | 'warehouse' | 'postgres', string> = {
  lake: 'the Bronze lake',
  warehouse: 'the local warehouse',
  postgres: 'PostgreSQL',
};

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
  // The one start-up progress is in the status bar; here, only what this list waits for.
  return (
    <EmptyState>
      <span data-testid="phase-waiting" data-phase={phase}>
        Opens when {WAITS_FOR[phase]} is ready…
      </span>
    </EmptyState>
  );
}
