/**
 * The Dash server itself: schemas → tables/views → columns, and on TimescaleDB
 * each hypertable's chunks, continuous aggregates and policies. A table opens
 * as a live, read-only query on the server — for ranges too large to sync.
 */
import { useEffect } from 'react';
import { phaseState, useWorkspaceStore } from '../../state/workspaceStore';
import { PhaseGate } from '../../workbench/PhaseGate';
import { EmptyState, SectionError, SidebarSection } from '../../workbench/SidebarSection';
import { SchemaItem } from './SchemaItem';
import { loadServerCatalog, newLiveQuery, refreshServerCatalog } from './serverActions';
import { useServerStore } from './serverStore';
import { Group, JobItem } from './ServerTreeParts';

export function ServerSection() {
  const catalog = useServerStore((s) => s.catalog);
  const error = useServerStore((s) => s.error);
  const loading = useServerStore((s) => s.loading);
  const ready = useWorkspaceStore((s) => phaseState(s.status, 'postgres') === 'ready');
  useEffect(() => {
    if (ready) loadServerCatalog();
  }, [ready]);
  const relations = catalog?.schemas.reduce((n, s) => n + s.relations.length, 0) ?? null;
  const loose = catalog?.jobs.filter((j) => j.hypertableName === null) ?? [];
  return (
    <SidebarSection
      title="Server"
      testId="sidebar-server"
      count={relations}
      loading={loading}
      onRefresh={() => void refreshServerCatalog()}
      actions={
        <button
          type="button"
          className="header-button"
          data-testid="server-new-live"
          title="A new SQL tab that runs on the server, read-only"
          onClick={() => newLiveQuery()}
        >
          Live query
        </button>
      }
    >
      <PhaseGate phase="postgres">
        <SectionError error={error} />
        {!catalog && !error ? <EmptyState>Reading the server’s schemas…</EmptyState> : null}
        {catalog ? (
          <div className="server-mode-line">
            <span
              className={`badge${catalog.mode === 'timescaledb' ? ' accent' : ''}`}
              data-testid="server-mode"
              title={
                catalog.mode === 'timescaledb'
                  ? 'The timescaledb extension is installed: hypertables, chunks and policies are shown'
                  : 'No timescaledb extension: time buckets use date_bin'
              }
            >
              {catalog.modeLabel}
            </span>
            <span className="tree-meta">
              {catalog.database} · PostgreSQL {catalog.serverVersion.split(' ')[0]}
              {catalog.timescaleSchema && catalog.timescaleSchema !== 'public'
                ? ` · TimescaleDB in schema ${catalog.timescaleSchema}`
                : ''}
            </span>
          </div>
        ) : null}
        {catalog?.notice ? (
          <div className="form-error server-notice" role="status" data-testid="server-notice">
            {catalog.notice}
          </div>
        ) : null}
        {catalog && catalog.schemas.length === 0 ? (
          <EmptyState>The server has no schemas this connection can read.</EmptyState>
        ) : null}
        {catalog ? (
          <ul className="side-tree">
            {catalog.schemas.map((s) => (
              <SchemaItem key={s.name} catalog={catalog} name={s.name} relations={s.relations} />
            ))}
            {loose.length ? (
              <Group title="Background jobs" count={loose.length} testId="server-jobs">
                {loose.map((j) => (
                  <JobItem key={j.jobId} job={j} />
                ))}
              </Group>
            ) : null}
          </ul>
        ) : null}
      </PhaseGate>
    </SidebarSection>
  );
}
