/**
 * Where a SQL tab runs: the local warehouse (over the cache) or the server,
 * live and read-only. Alt+L / Alt+S switch from anywhere in the tab.
 */
import { useEffect } from 'react';
import { useWorkspaceStore } from '../../state/workspaceStore';
import { updateTab, type QueryTab, type QueryTarget } from '../../workbench/tabsStore';

const OPTIONS: { target: QueryTarget; label: string; key: string; title: string }[] = [
  {
    target: 'warehouse',
    label: 'Local warehouse',
    key: 'l',
    title: 'Run on the local warehouse, over the cached data (Alt+L)',
  },
  {
    target: 'server',
    label: 'Server (live, read-only)',
    key: 's',
    title: 'Run on the PostgreSQL server, read-only, with its statement timeout (Alt+S)',
  },
];

export function TargetSwitch({ tab, disabled }: { tab: QueryTab; disabled: boolean }) {
  const current = tab.target ?? 'warehouse';
  const mode = useWorkspaceStore((s) => s.status?.postgres?.mode ?? null);
  useEffect(() => {
    if (disabled) return;
    const onKey = (e: KeyboardEvent) => {
      if (!e.altKey || e.ctrlKey || e.metaKey) return;
      const option = OPTIONS.find((o) => o.key === e.key.toLowerCase());
      if (!option) return;
      e.preventDefault();
      updateTab(tab.id, { target: option.target });
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [disabled, tab.id]);
  return (
    <div className="target-switch" role="radiogroup" aria-label="Run the query on" data-testid="query-target">
      {OPTIONS.map((o) => (
        <button
          key={o.target}
          type="button"
          role="radio"
          aria-checked={current === o.target}
          className={`target-option${current === o.target ? ' selected' : ''}${o.target === 'server' ? ' server' : ''}`}
          data-target={o.target}
          disabled={disabled}
          title={
            o.target === 'server' && mode
              ? `${o.title} — ${mode === 'timescaledb' ? 'TimescaleDB' : 'plain PostgreSQL'}`
              : o.title
          }
          onClick={() => updateTab(tab.id, { target: o.target })}
        >
          {o.label}
        </button>
      ))}
    </div>
  );
}
