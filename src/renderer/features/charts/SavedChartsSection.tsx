/** Sidebar: the workspace's saved charts (`charts/<name>.json`); click reopens one, ＋ starts a new chart. */
import { formatInstant } from '../../../shared/timeZone';
import { useWorkspaceTimeZone } from '../../state/workspaceStore';
import { useEffect, useState } from 'react';
import type { SavedChartInfo } from '../../../shared/api/charts';
import { toErrorView, type ErrorView } from '../../state/errorView';
import { EmptyState, SectionError, SidebarSection } from '../../workbench/SidebarSection';
import { deleteSavedChart, listSavedCharts, newChart, reopenSavedChart } from './chartActions';
import { useChartStore } from './chartStore';

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
    listSavedCharts()
      .then(
        (list) => live && (setCharts(list), setError(null)),
        (err: unknown) => live && setError(toErrorView(err)),
      )
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [savedVersion, version]);

  // A deleted chart leaves the list as it is read again; a failure shows above it.
  const remove = async (name: string) => {
    const failed = await deleteSavedChart(name);
    if (failed) setError(failed);
    else setVersion((v) => v + 1);
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
            onClick={() => void reopenSavedChart(c.name).then(setError)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') void reopenSavedChart(c.name).then(setError);
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
