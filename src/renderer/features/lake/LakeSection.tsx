/** The Bronze lake: one line per pipeline with how much raw data it holds. */
import { useWorkspaceStore } from '../../state/workspaceStore';
import { refreshSection } from '../../state/workspaceActions';
import { formatBytes } from '../../../shared/format';
import { lakeRootPrefix, pipelinePrefix } from './lakePaths';
import { openLakeTab } from '../../workbench/tabsStore';
import { request } from '../../workbench/intents';
import { PhaseGate } from '../../workbench/PhaseGate';
import { EmptyState, SectionError, SidebarSection } from '../../workbench/SidebarSection';

export function LakeSection() {
  const lake = useWorkspaceStore((s) => s.lake);
  const location = useWorkspaceStore((s) => s.status?.lake?.location ?? 'the lake');
  const driver = useWorkspaceStore((s) => s.status?.lake?.driver ?? 'folder');
  const root = lakeRootPrefix(location, driver);
  const pipelines = lake.data?.pipelines ?? [];
  return (
    <SidebarSection
      title="Bronze lake"
      testId="sidebar-lake"
      count={lake.data ? pipelines.length : null}
      loading={lake.loading}
      onRefresh={() => void refreshSection('lake')}
      actions={
        <>
          <button
            type="button"
            className="header-button"
            data-testid="browse-lake"
            title="Browse the lake's folders and files"
            onClick={() => openLakeTab(root)}
          >
            Browse
          </button>
          <button
            type="button"
            className="header-button"
            data-testid="open-inspector"
            title="Find raw Bronze records by id, series, time or text"
            onClick={() => request('inspector.open', undefined)}
          >
            Inspect
          </button>
        </>
      }
    >
      <PhaseGate phase="lake">
        <SectionError error={lake.error} />
        {lake.data && pipelines.length === 0 ? <EmptyState>No Bronze files found in {location}</EmptyState> : null}
        {!lake.data && !lake.error ? <EmptyState>Listing the lake…</EmptyState> : null}
        <ul className="side-tree">
          {pipelines.map((p) => (
            <li
              key={p.pipelineId}
              className="tree-item"
              data-testid="lake-pipeline"
              data-pipeline={p.pipelineId}
              title={p.firstDay ? `${p.firstDay} → ${p.lastDay ?? ''} — click to browse` : 'Click to browse'}
              onClick={() => openLakeTab(pipelinePrefix(root, p.pipelineId))}
            >
              <span className="tree-icon lake" aria-hidden />
              <span className="tree-label">{p.pipelineId}</span>
              <span className="tree-meta">
                {p.days} {p.days === 1 ? 'day' : 'days'} · {p.files} {p.files === 1 ? 'file' : 'files'} ·{' '}
                {formatBytes(p.bytes)}
              </span>
            </li>
          ))}
        </ul>
      </PhaseGate>
    </SidebarSection>
  );
}
