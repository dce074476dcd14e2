/** Sidebar: the workspace's saved charts (`charts/<name>.json`); click reopens one, ＋ starts a new chart. */
import { formatInstant } from '../../../shared/timeZone';
import { useWorkspaceTimeZone } from '../../state/workspaceStore';
import { useEffect, useState } from 'react';
import type { SavedChartInfo } from '../../../shared/api/charts';
import { toErrorView, type ErrorView } from '../../state/errorView';
import { workbench } from '../../state/workbench';
import { EmptyState, SectionError, SidebarSection } from '../../workbench/SidebarSection';
import { newMetricSpec, openChart, useChartStore } from './chartStore';

export function newChart(): void {
  openChart(newMetricSpec(), 'Chart');
}

async function reopen(name: string): Promise<ErrorView | null> {
  try {
    const { spec } = await workbench().call('charts.read', { name });
    openChart(spec, name, name);
    return null;
  } catch (err) {
    return toErrorView(err);
  }
}

export function SavedChartsSection() {
  const savedVersion = useChartStore((s) => s.savedVersion);
  const timeZone = useWorkspaceTimeZone();
  const [charts, setCharts] = useState<SavedChartInfo[] | null>(null);
  const [error, setError] = useState<ErrorView | null>(null);
  const [loading, setLoading] = useState(false);
  const [version, setVersion] = useState(0);

  useEffect(() => {
    let live = true;
    setLoading(true);
    workbench()
      .call('charts.list', {})
      .then(
        (r) => live && (setCharts(r.charts), setError(null)),
        (err: unknown) => live && setError(toErrorView(err)),
      )
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [savedVersion, version]);

  const remove = async (name: string) => {
    try {
      await workbench().call('charts.delete', { name });
      setVersion((v) => v + 1);
    } catch (err) {
      setError(toErrorView(err));
    }
  };

  return (
    <SidebarSection
      title="Saved charts"
      testId="sidebar-charts"
      count={charts ? charts.length : null}
      loading={loading}
      onRefresh={() => setVersion((v) => v + 1)}
      actions={
        <button
          type="button"
          className="header-button"
          data-testid="new-chart"
          title="Chart cached metrics in a new tab"
          onClick={newChart}
        >
          New chart
        </button>
      }
    >
      <SectionError error={error} />
      {charts && charts.length === 0 ? (
        <EmptyState>No saved charts. Open a chart and press Save… to keep it as charts/&lt;name&gt;.json.</EmptyState>
      ) : null}
      <ul className="side-tree">
        {(charts ?? []).map((c) => (
          <li
            key={c.name}
            className="tree-item clickable"
            data-testid="saved-chart"
            data-name={c.name}
            tabIndex={0}
            title={`charts/${c.name}.json — modified ${formatInstant(Date.parse(c.modifiedAt), timeZone)}\nClick or Enter to open · Delete to delete`}
            onClick={() => void reopen(c.name).then(setError)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') void reopen(c.name).then(setError);
              if (e.key === 'Delete') void remove(c.name);
            }}
          >
            <span className="tree-icon chart" aria-hidden />
            <span className="tree-label">{c.name}</span>
          </li>
        ))}
      </ul>
    </SidebarSection>
  );
}
