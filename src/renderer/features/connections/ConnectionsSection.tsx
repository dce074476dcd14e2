/** Where the workspace's data lives and how far each part of it has started. */
import { useWorkspaceStore } from '../../state/workspaceStore';
import { refreshStatus } from '../../state/workspaceActions';
import { activeConnections } from './activeConnections';
import { openConnectionsDialog } from './connectionsDialog';
import { OfflineNote } from '../common/OfflineBadge';
import { EmptyState, SidebarSection } from '../../workbench/SidebarSection';

export function ConnectionsSection() {
  const status = useWorkspaceStore((s) => s.status);
  const statusError = useWorkspaceStore((s) => s.statusError);
  const state = status?.state ?? (statusError ? 'failed' : 'pending');
  // The same names the Connections dialog lists them under.
  const names = new Map((status ? activeConnections(status) : []).map((c) => [c.id, c.name]));

  return (
    <SidebarSection
      title="Connections"
      testId="workspace-status"
      state={state}
      onRefresh={() => void refreshStatus()}
      actions={
        <button
          type="button"
          className="header-button"
          data-testid="manage-connections"
          title="Add, edit and test connections"
          onClick={openConnectionsDialog}
        >
          Manage…
        </button>
      }
    >
      {statusError && !status ? (
        <EmptyState tone="error">
          {statusError.message}
          {statusError.hint ? <div className="dim">{statusError.hint}</div> : null}
        </EmptyState>
      ) : null}
      {!status && !statusError ? <EmptyState>Connecting to the workbench…</EmptyState> : null}
      {status ? (
        <div className="connections">
          <div className="conn-workspace" title={status.workspaceDir}>
            <span className={`state-dot ${status.state}`} aria-hidden />
            <span className="conn-name">{status.name}</span>
            {status.isDemo ? <span className="badge">demo</span> : null}
          </div>
          <dl className="conn-details">
            <dt>PostgreSQL</dt>
            <dd data-testid="active-postgres">
              <div className="conn-active-name">{names.get('postgres')}</div>
              {status.postgres ? (
                <>
                  <span className="mono" title={`Server ${status.postgres.serverVersion}`}>
                    {status.postgres.host}:{status.postgres.port}/{status.postgres.database}
                  </span>
                  <span className={`badge ${status.postgres.mode === 'timescaledb' ? 'accent' : ''}`}>
                    {status.postgres.mode === 'timescaledb' ? 'TimescaleDB' : 'plain PostgreSQL'}
                  </span>
                  {status.postgres.embedded ? <span className="badge">embedded</span> : null}
                </>
              ) : (
                <span className="dim">not connected yet</span>
              )}
            </dd>
            <dt>Lake</dt>
            <dd data-testid="active-lake">
              <div className="conn-active-name">{names.get('lake')}</div>
              {status.lake ? (
                <>
                  <span className="badge">{status.lake.driver === 's3' ? 'S3 / R2' : 'folder'}</span>
                  <span className="mono break" title={status.lake.location}>
                    {status.lake.location}
                  </span>
                  <OfflineNote />
                </>
              ) : (
                <span className="dim">not configured yet</span>
              )}
            </dd>
          </dl>
          <ul className="phases">
            {status.phases.map((phase) => (
              <li key={phase.id} className={`phase ${phase.state}`} data-phase={phase.id} data-state={phase.state}>
                <span className={`state-dot ${phase.state}`} aria-hidden />
                <span className="phase-title">{phase.title}</span>
                <span className="phase-state">{phase.state}</span>
                {phase.message ? <div className="phase-message">{phase.message}</div> : null}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </SidebarSection>
  );
}
