/** The pipelines defined on the server (dash.pipelines). */
import { useWorkspaceStore } from '../../state/workspaceStore';
import { refreshSection } from '../../state/workspaceActions';
import { PhaseGate } from '../../workbench/PhaseGate';
import { request } from '../../workbench/intents';
import { openPipelineEditor } from './pipelineActions';
import { EmptyState, SidebarSection } from '../../workbench/SidebarSection';
import { StaleMetricsNotice } from '../common/StaleMetricsNotice';

export function PipelinesSection() {
  const loadable = useWorkspaceStore((s) => s.pipelines);
  const pipelines = loadable.data?.pipelines ?? [];
  return (
    <SidebarSection
      title="Pipelines"
      testId="sidebar-pipelines"
      count={loadable.data ? pipelines.length : null}
      loading={loadable.loading}
      onRefresh={() => void refreshSection('pipelines')}
      actions={
        <button
          type="button"
          className="header-button"
          data-testid="open-sync"
          title="Pull metrics from the server into the local cache"
          onClick={() => request('sync.open', {})}
        >
          Sync metrics…
        </button>
      }
    >
      <PhaseGate phase="postgres">
        {loadable.error ? <EmptyState tone="error">{loadable.error.message}</EmptyState> : null}
        {loadable.data && pipelines.length === 0 ? (
          <EmptyState>No pipelines on the server yet (the dash.pipelines table is empty).</EmptyState>
        ) : null}
        {!loadable.data && !loadable.error ? <EmptyState>Reading pipelines…</EmptyState> : null}
        <StaleMetricsNotice compact />
        <ul className="side-tree">
          {pipelines.map((p) => {
            const metrics = p.definition.metrics.length;
            return (
              <li
                key={p.id}
                className={`tree-item${p.problem ? ' problem' : ''}`}
                data-testid="pipeline"
                data-pipeline={p.id}
                onClick={() => openPipelineEditor(p.id, p.name)}
                onDoubleClick={() => request('sync.open', { pipelineId: p.id })}
                title={
                  p.problem ??
                  `${p.id} — updated ${p.updatedAt} by ${p.updatedBy}\n${p.definition.metrics.map((m) => `${m.name} = ${m.formula}`).join('\n')}`
                }
              >
                <span className={`tree-icon ${p.problem ? 'warn' : 'pipeline'}`} aria-hidden />
                <span className="tree-label">{p.name}</span>
                <span className="tree-meta">
                  v{p.version} · {metrics} {metrics === 1 ? 'metric' : 'metrics'}
                </span>
              </li>
            );
          })}
        </ul>
      </PhaseGate>
    </SidebarSection>
  );
}
