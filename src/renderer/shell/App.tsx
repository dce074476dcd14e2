/** The app frame: sidebar, tabbed main area, status bar; global shortcuts. */
import { useEffect } from 'react';
import { Sidebar } from './Sidebar';
import { StatusBar } from './StatusBar';
import { TabBar } from './TabBar';
import { newQueryTab } from '../features/query/queryActions';
import { closeTab, TabView } from '../workbench/tabKinds';
import { shownTabId, useTabsStore } from '../workbench/tabsStore';
import { startWorkspaceSync } from '../state/workspaceActions';
import { ConnectionsDialog } from '../features/connections/ConnectionsDialog';
import { useConnectionsDialog } from '../features/connections/connectionsDialog';
import { SyncDialog } from '../features/sync/SyncDialog';
import { useSyncDialog } from '../features/sync/syncDialog';

export function App() {
  // Only which tab shows: the tab's own edits re-render its view (TabView), not the whole frame.
  const tabId = useTabsStore(shownTabId);
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
          closeTab(id);
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
          {tabId ? (
            <TabView key={tabId} tabId={tabId} />
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
