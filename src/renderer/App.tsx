/** The app frame: sidebar, tabbed main area, status bar; global shortcuts. */
import { useEffect } from 'react';
import { Sidebar } from './features/sidebar/Sidebar';
import { StatusBar } from './features/status/StatusBar';
import { TabBar } from './features/tabs/TabBar';
import { QueryTabView } from './features/query/QueryTabView';
import { LakeBrowser } from './features/lake/LakeBrowser';
import { InspectorView } from './features/inspector/InspectorView';
import { MetricChartTab } from './features/charts/MetricChartTab';
import { PipelineEditor } from './features/pipelines/PipelineEditor';
import { closeQueryTab, newQueryTab } from './features/query/queryActions';
import { activeTab, useTabsStore } from './features/tabs/tabsStore';
import { startWorkspaceSync } from './state/workspaceActions';
import { ConnectionsDialog } from './features/connections/ConnectionsDialog';
import { useConnectionsDialog } from './features/connections/connectionsDialog';
import { SyncDialog } from './features/sync/SyncDialog';
import { useSyncDialog } from './features/sync/syncDialog';

export function App() {
  const tab = useTabsStore(activeTab);
  const connectionsOpen = useConnectionsDialog((s) => s.open);
  const syncOpen = useSyncDialog((s) => s.open);

  useEffect(() => startWorkspaceSync(), []);

  useEffect(() => {
    // Browsers keep Ctrl+T/W for themselves; Electron lets us have them.
    const onKey = (e: KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey) || e.altKey || e.shiftKey) return;
      const key = e.key.toLowerCase();
      if (key === 't') {
        e.preventDefault();
        newQueryTab();
      } else if (key === 'w') {
        const id = useTabsStore.getState().activeTabId;
        if (id) {
          e.preventDefault();
          closeQueryTab(id);
        }
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  return (
    <div className="app">
      <Sidebar />
      <main className="app-main">
        <TabBar />
        <div className="tab-content">
          {tab?.kind === 'lake' ? (
            <LakeBrowser key={tab.id} tab={tab} />
          ) : tab?.kind === 'pipeline' ? (
            <PipelineEditor key={tab.id} tab={tab} />
          ) : tab?.kind === 'chart' ? (
            <MetricChartTab key={tab.id} tab={tab} />
          ) : tab?.kind === 'inspector' ? (
            <InspectorView key={tab.id} />
          ) : tab ? (
            <QueryTabView key={tab.id} tab={tab} />
          ) : (
            <div className="no-tabs">
              <p>No tabs open.</p>
              <button type="button" className="run-button" onClick={() => newQueryTab()}>
                New SQL tab
              </button>
            </div>
          )}
        </div>
      </main>
      <StatusBar />
      {connectionsOpen ? <ConnectionsDialog /> : null}
      {syncOpen ? <SyncDialog /> : null}
    </div>
  );
}
