/** What the metric chart adds to the chart's toolbar: compare with the previous period, and save. */
import type { ChartCompare } from '../../../shared/api/charts';
import type { ChartSaving } from './MetricChartState';

function CompareSelect({
  compare,
  timeZone,
  onChange,
}: {
  compare: ChartCompare;
  timeZone: string;
  onChange: (compare: ChartCompare) => void;
}) {
  return (
    <label
      className="chart-field"
      title={`Draw the previous period shifted onto this one, dashed (calendar in ${timeZone})`}
    >
      Compare
      <select data-testid="chart-compare" value={compare} onChange={(e) => onChange(e.target.value as ChartCompare)}>
        <option value="none">—</option>
        <option value="previous_day">with the previous day</option>
        <option value="previous_week">with last week</option>
      </select>
    </label>
  );
}

/** "Save…" (or "Save “name”" once saved), which opens a name field the first time. */
function SaveControls({
  saving,
  savedName,
  tabTitle,
}: {
  saving: ChartSaving;
  savedName: string | null;
  tabTitle: string;
}) {
  const { name, setName, save } = saving;
  if (name === null) {
    return (
      <button
        type="button"
        className="header-button"
        data-testid="chart-save"
        title="Save this chart as charts/<name>.json in the workspace"
        onClick={() => (savedName ? void save(savedName) : setName(tabTitle === 'Chart' ? '' : tabTitle))}
      >
        {savedName ? `Save “${savedName}”` : 'Save…'}
      </button>
    );
  }
  return (
    <form
      className="chart-save-form"
      onSubmit={(e) => {
        e.preventDefault();
        void save(name.trim());
      }}
    >
      <input
        autoFocus
        data-testid="chart-save-name"
        placeholder="Chart name"
        value={name}
        onChange={(e) => setName(e.target.value)}
        onKeyDown={(e) => e.key === 'Escape' && setName(null)}
      />
      <button type="submit" className="header-button">
        Save
      </button>
    </form>
  );
}

export function MetricChartToolbar(props: {
  compare: ChartCompare;
  timeZone: string;
  onCompare: (compare: ChartCompare) => void;
  saving: ChartSaving;
  savedName: string | null;
  tabTitle: string;
}) {
  return (
    <>
      <CompareSelect compare={props.compare} timeZone={props.timeZone} onChange={props.onCompare} />
      <SaveControls saving={props.saving} savedName={props.savedName} tabTitle={props.tabTitle} />
    </>
  );
}
