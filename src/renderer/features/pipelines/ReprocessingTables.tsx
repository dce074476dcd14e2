/**
 * The preview's tables: added/removed/changed/unchanged per metric, day or
 * series, and the largest changes (absolute or relative). Clicking a row
 * charts that metric, series or change.
 */
import { useState } from 'react';
import type { DiffChange, DiffCounts, PreviewSummary } from '../../../shared/api/push';
import { formatCount as n } from '../../workbench/format';
import { chooseOverlay } from './reprocessingActions';

/**
 * A metric value in a table of changes: six significant digits, an exponent for the very large or small.
 * Number() drops a fraction's trailing zeros only (a regex would also eat an integer's: 123450 → 12345).
 */
const formatValue = (v: number | null) =>
  v === null
    ? '—'
    : Math.abs(v) >= 1e6 || (v !== 0 && Math.abs(v) < 1e-3)
      ? v.toExponential(4)
      : String(Number(v.toPrecision(6)));

interface CountsRow {
  key: string;
  counts: DiffCounts;
  selected?: boolean;
  onClick?: () => void;
}

/** Added/removed/changed/unchanged per metric, day or series; a row with onClick charts that metric or series. */
export function CountsTable({
  title,
  testId,
  label,
  scroll,
  rows,
}: {
  title: string;
  testId: string;
  label: string;
  /** Long lists (days, series) scroll inside the block. */
  scroll?: boolean;
  rows: CountsRow[];
}) {
  const table = (
    <table className="rp-table" data-testid={testId}>
      <thead>
        <tr>
          <th>{label}</th>
          <th className="num">added</th>
          <th className="num">removed</th>
          <th className="num">changed</th>
          <th className="num">unchanged</th>
        </tr>
      </thead>
      <tbody>
        {rows.map(({ key, counts: c, selected, onClick }) => (
          <tr key={key} className={selected ? 'selected' : undefined} onClick={onClick}>
            <td>{key}</td>
            <td className={`num${c.added ? ' rp-added' : ''}`}>{n(c.added)}</td>
            <td className={`num${c.removed ? ' rp-removed' : ''}`}>{n(c.removed)}</td>
            <td className={`num${c.changed ? ' rp-changed' : ''}`}>{n(c.changed)}</td>
            <td className="num dim">{n(c.unchanged)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
  return (
    <div className="rp-block">
      <h4>{title}</h4>
      {scroll ? <div className="rp-table-wrap">{table}</div> : table}
    </div>
  );
}

/** The values that changed most, by |Δ| or by |Δ| / |current|; a row charts its series. */
export function LargestChanges({ tabId, summary }: { tabId: string; summary: PreviewSummary }) {
  const [largest, setLargest] = useState<'absolute' | 'relative'>('absolute');
  const changes: DiffChange[] = largest === 'absolute' ? summary.largestAbsolute : summary.largestRelative;
  return (
    <div className="rp-block">
      <h4>
        Largest changes{' '}
        <span className="rp-toggle">
          <button
            type="button"
            className={largest === 'absolute' ? 'active' : ''}
            onClick={() => setLargest('absolute')}
          >
            absolute
          </button>
          <button
            type="button"
            className={largest === 'relative' ? 'active' : ''}
            onClick={() => setLargest('relative')}
          >
            relative
          </button>
        </span>
      </h4>
      {changes.length === 0 ? (
        <p className="dim">No value changed beyond the tolerance.</p>
      ) : (
        <div className="rp-table-wrap">
          <table className="rp-table" data-testid="rp-largest">
            <thead>
              <tr>
                <th>series · metric</th>
                <th>time (UTC)</th>
                <th className="num">current</th>
                <th className="num">recomputed</th>
                <th className="num">{largest === 'absolute' ? '|Δ|' : '|Δ| / |current|'}</th>
              </tr>
            </thead>
            <tbody>
              {changes.map((c) => (
                <tr
                  key={`${c.seriesId}|${c.metricName}|${c.time}`}
                  title="Show this series in the chart"
                  onClick={() => void chooseOverlay(tabId, c.seriesId, c.metricName)}
                >
                  <td>
                    {c.seriesId} · {c.metricName}
                  </td>
                  <td>{c.time.slice(0, 19).replace('T', ' ')}</td>
                  <td className="num">{formatValue(c.current)}</td>
                  <td className="num">{formatValue(c.recomputed)}</td>
                  <td className="num">{formatValue(largest === 'absolute' ? c.absolute : c.relative)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
