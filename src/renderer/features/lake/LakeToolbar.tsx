/** The lake browser's top: where it is (a breadcrumb) with what can be done there, and the filters. */
import { setLakePrefix } from '../../workbench/tabsStore';
import { UtcTimeInput } from '../common/UtcTimeInput';
import { LakeActionBar } from './LakeActionBar';
import { breadcrumb } from './lakePaths';
import { patchLakeTab, type LakeTabState } from './lakeStore';

/** The day fields filter `date=` partitions, the day a record landed. */
const DAY_TITLE = 'Landing day (the date= partition), YYYY-MM-DD';

export function LakeToolbar({
  tabId,
  prefix,
  isFolderLake,
  state,
}: {
  tabId: string;
  prefix: string;
  isFolderLake: boolean;
  state: LakeTabState;
}) {
  return (
    <div className="query-toolbar lake-toolbar">
      <nav className="lake-breadcrumb" data-testid="lake-breadcrumb" aria-label="Where you are in the lake">
        {breadcrumb(prefix).map((crumb, i, all) => (
          <span key={crumb.prefix} className="crumb">
            {i > 0 ? <span className="crumb-sep">›</span> : null}
            {i === all.length - 1 ? (
              <span className="crumb-current">{crumb.label}</span>
            ) : (
              <button
                type="button"
                className="link-button"
                data-prefix={crumb.prefix}
                onClick={() => setLakePrefix(tabId, crumb.prefix)}
              >
                {crumb.label}
              </button>
            )}
          </span>
        ))}
      </nav>
      <span className="toolbar-spacer" />
      <LakeActionBar tabId={tabId} prefix={prefix} isFolderLake={isFolderLake} state={state} />
    </div>
  );
}

/** Filters by name and landing day, and how many entries they let through. */
export function LakeFilters({ tabId, state, shown }: { tabId: string; state: LakeTabState; shown: number }) {
  const { entries, nextToken, loading } = state;
  return (
    <div className="lake-filters">
      <input
        className="form-input"
        data-testid="lake-filter"
        placeholder="Filter by name"
        value={state.nameFilter}
        onChange={(e) => patchLakeTab(tabId, { nameFilter: e.target.value })}
      />
      <label className="lake-date">
        from
        <UtcTimeInput
          day
          value={state.from}
          testId="lake-from"
          title={DAY_TITLE}
          onChange={(from) => patchLakeTab(tabId, { from })}
        />
      </label>
      <label className="lake-date">
        to
        <UtcTimeInput
          day
          value={state.to}
          testId="lake-to"
          title={DAY_TITLE}
          onChange={(to) => patchLakeTab(tabId, { to })}
        />
      </label>
      <span className="toolbar-spacer" />
      <span className="dim" data-testid="lake-count">
        {shown === entries.length ? entries.length : `${shown} of ${entries.length}`}
        {nextToken ? '+' : ''} {entries.length === 1 ? 'entry' : 'entries'}
        {loading ? ' · loading…' : ''}
      </span>
    </div>
  );
}
