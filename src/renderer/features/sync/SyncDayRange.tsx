/** The UTC days to sync: a quick pick, or the user's own first and last day (both included). */
import { UtcTimeInput } from '../common/UtcTimeInput';
import { useSyncDialog } from './syncDialog';
import { pickRange, setRangeDay } from './syncActions';
import type { RangePick } from './syncRange';

const RANGE_LABELS: Record<Exclude<RangePick, 'custom'>, string> = {
  last7: 'Last 7 days',
  last30: 'Last 30 days',
  everything: 'Everything',
};

export function SyncDayRange() {
  const range = useSyncDialog((s) => s.range);
  const from = useSyncDialog((s) => s.from);
  const through = useSyncDialog((s) => s.through);
  return (
    <fieldset className="sync-group" data-testid="sync-range">
      <legend>Days (UTC)</legend>
      <div className="sync-quick">
        {(Object.keys(RANGE_LABELS) as Exclude<RangePick, 'custom'>[]).map((pick) => (
          <button
            key={pick}
            type="button"
            className={`plain-button${range === pick ? ' active' : ''}`}
            data-range={pick}
            onClick={() => pickRange(pick)}
          >
            {RANGE_LABELS[pick]}
          </button>
        ))}
      </div>
      <label className="form-field">
        <span className="form-label">From</span>
        <UtcTimeInput day value={from} testId="sync-from" onChange={(day) => setRangeDay('from', day)} />
      </label>
      <label className="form-field">
        <span className="form-label">To (included)</span>
        <UtcTimeInput day value={through} testId="sync-through" onChange={(day) => setRangeDay('through', day)} />
      </label>
      <span className="form-hint">Empty means from the first / through the last day on the server.</span>
    </fieldset>
  );
}
