/** The main area's tabs: click to switch, × or middle-click to close, + for a new SQL tab. */
import { activateTab, useTabsStore } from '../workbench/tabsStore';
import { closeTab, isTabDirty } from '../workbench/tabKinds';
import { newQueryTab } from '../features/query/queryActions';

export function TabBar() {
  const tabs = useTabsStore((s) => s.tabs);
  const activeTabId = useTabsStore((s) => s.activeTabId);
  return (
    <div className="tab-bar" role="tablist">
      {tabs.map((tab) => {
        const active = tab.id === activeTabId;
        const busy = tab.kind === 'sql' && tab.run.phase !== 'idle';
        const failed = tab.kind === 'sql' && tab.error !== null;
        const dirty = isTabDirty(tab);
        return (
          <div
            key={tab.id}
            className={`tab${active ? ' active' : ''}`}
            role="tab"
            aria-selected={active}
            data-testid="tab"
            data-tab-id={tab.id}
            data-kind={tab.kind}
            title={tab.title}
            onClick={() => activateTab(tab.id)}
            onAuxClick={(e) => {
              if (e.button === 1) closeTab(tab.id);
            }}
          >
            <span
              className={`tab-dot${busy ? ' busy' : failed ? ' failed' : dirty ? ' dirty' : tab.kind === 'lake' ? ' lake' : ''}`}
              data-testid={dirty ? 'tab-dirty' : undefined}
              title={dirty ? 'Edited since saved (Ctrl/Cmd+S saves)' : undefined}
              aria-hidden
            />
            <span className="tab-title">{tab.title}</span>
            <button
              type="button"
              className="tab-close"
              aria-label={`Close ${tab.title}`}
              title="Close (Ctrl/Cmd+W)"
              data-testid="close-tab"
              onClick={(e) => {
                e.stopPropagation();
                closeTab(tab.id);
              }}
            >
              ×
            </button>
          </div>
        );
      })}
      <button
        type="button"
        className="tab-new"
        data-testid="new-tab"
        title="New SQL tab (Ctrl/Cmd+T)"
        aria-label="New SQL tab"
        onClick={() => newQueryTab()}
      >
        +
      </button>
    </div>
  );
}
