import { CacheSection } from '../features/cache/CacheSection';
import { CatalogSection } from '../features/query/CatalogSection';
import { ConnectionsSection } from '../features/connections/ConnectionsSection';
import { LakeSection } from '../features/lake/LakeSection';
import { PipelinesSection } from '../features/pipelines/PipelinesSection';
import { HistorySection } from '../features/query/HistorySection';
import { SavedQueriesSection } from '../features/query/SavedQueriesSection';
import { ServerSection } from '../features/server/ServerSection';
import { SavedChartsSection } from '../features/charts/SavedChartsSection';

export function Sidebar() {
  return (
    <aside className="sidebar">
      <div className="sidebar-brand">
        <span className="brand-mark" aria-hidden />
        Dash Workbench
      </div>
      <div className="sidebar-scroll">
        <ConnectionsSection />
        <LakeSection />
        <CacheSection />
        <CatalogSection />
        <SavedQueriesSection />
        <SavedChartsSection />
        <HistorySection />
        <PipelinesSection />
        <ServerSection />
      </div>
    </aside>
  );
}
