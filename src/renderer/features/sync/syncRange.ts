/** Date ranges for the sync dialog: the UI shows inclusive days, the API takes [from, to). */
import { addDays, utcDayOf } from '../../../shared/utcDays';

export type RangePick = 'last7' | 'last30' | 'everything' | 'custom';

/** The inclusive [from, through] days a quick pick stands for, ending today (UTC); '' = unbounded. */
export function quickRange(pick: Exclude<RangePick, 'custom'>, now = Date.now()): { from: string; through: string } {
  if (pick === 'everything') return { from: '', through: '' };
  const today = utcDayOf(now);
  return { from: addDays(today, pick === 'last7' ? -6 : -29), through: today };
}

/** The API's half-open range from the dialog's inclusive fields. */
export function apiRange(from: string, through: string): { from: string | null; to: string | null } {
  return { from: from || null, to: through ? addDays(through, 1) : null };
}
