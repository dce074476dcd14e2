/** "All series", or only the series picked from a search of their ids. */
import { useSyncDialog } from './syncDialog';
import { chooseAllSeries, searchSeries, toggleSeries } from './syncActions';
import { DialogError } from '../common/DialogError';

export function SyncSeriesPicker() {
  const allSeries = useSyncDialog((s) => s.allSeries);
  const series = useSyncDialog((s) => s.series);
  return (
    <fieldset className="sync-group sync-series" data-testid="sync-series">
      <legend>Series</legend>
      <label className="form-check">
        <input type="radio" checked={allSeries} onChange={() => chooseAllSeries(true)} data-testid="all-series" />
        All series
      </label>
      <label className="form-check">
        <input type="radio" checked={!allSeries} onChange={() => chooseAllSeries(false)} data-testid="pick-series" />
        Only these{!allSeries && series.length ? ` (${series.length} picked)` : ''}
      </label>
      {!allSeries ? <SeriesSearch /> : null}
    </fieldset>
  );
}

/** The search box and its matches; picked series that no longer match stay listed first. */
function SeriesSearch() {
  const search = useSyncDialog((s) => s.search);
  const found = useSyncDialog((s) => s.found);
  const searchError = useSyncDialog((s) => s.searchError);
  const series = useSyncDialog((s) => s.series);
  return (
    <>
      <input
        className="form-input"
        type="search"
        placeholder="Search series ids…"
        value={search}
        onChange={(e) => searchSeries(e.target.value)}
        data-testid="series-search"
        autoFocus
      />
      {searchError ? <DialogError error={searchError} testId="series-error" /> : null}
      <div className="sync-series-list">
        {series
          .filter((s) => !found?.series.includes(s))
          .map((s) => (
            <label key={`picked-${s}`} className="form-check sync-check">
              <input type="checkbox" checked onChange={() => toggleSeries(s)} />
              <span className="mono">{s}</span>
            </label>
          ))}
        {found?.series.map((s) => (
          <label key={s} className="form-check sync-check">
            <input type="checkbox" checked={series.includes(s)} onChange={() => toggleSeries(s)} />
            <span className="mono">{s}</span>
          </label>
        ))}
        {found && found.series.length === 0 ? <div className="dim">No series match “{search}”.</div> : null}
        {found?.more ? <div className="dim">More match: type more of the id to narrow.</div> : null}
      </div>
    </>
  );
}
