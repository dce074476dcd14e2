import { CacheSection } from '../cache/CacheSection';
import { CatalogSection } from './CatalogSection';
import { ConnectionsSection } from './ConnectionsSection';
import { LakeSection } from './LakeSection';
import { PipelinesSection } from './PipelinesSection';
import { HistorySection } from '../query/HistorySection';
import { SavedQueriesSection } from '../query/SavedQueriesSection';
import { ServerSection } from '../server/ServerSection';
import { SavedChartsSection } from '../charts/SavedChartsSection';

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
