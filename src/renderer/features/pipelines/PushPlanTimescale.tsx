/** TimescaleDB's side of the push plan: chunks and compression, rows to decompress, continuous aggregates to refresh. */
import type { PushPlanView } from '../../../shared/api/push';
import { formatUtcInstant } from '../../../shared/format';
import { formatCount as n } from '../../workbench/format';

export function PushPlanTimescale({ plan }: { plan: PushPlanView }) {
  if (plan.mode !== 'timescaledb') {
    return (
      <p className="dim">
        Plain PostgreSQL (no TimescaleDB): no chunks, compression or continuous aggregates to consider.
      </p>
    );
  }
  const count = (kind: 'compressed' | 'partial' | 'none') => plan.chunks.filter((c) => c.compression === kind).length;
  const kinds = [
    count('compressed') ? `${count('compressed')} compressed` : null,
    count('partial') ? `${count('partial')} partly compressed` : null,
    count('none') ? `${count('none')} uncompressed` : null,
  ].filter(Boolean);
  return (
    <div className="rp-timescale" data-testid="push-plan-timescale">
      <div data-testid="push-plan-chunks">
        {plan.chunks.length} chunk{plan.chunks.length === 1 ? '' : 's'} touched
        {kinds.length ? ` (${kinds.join(', ')})` : ''}
        {count('compressed') + count('partial') ? (
          <>
            {' '}
            · about <span data-testid="push-plan-decompress">{n(plan.tuplesToDecompress)}</span> rows of this
            pipeline&apos;s compressed batches to decompress
            {plan.maxTuplesDecompressed !== null
              ? `; the server allows ${n(plan.maxTuplesDecompressed)} per transaction`
              : '; the server sets no limit'}
          </>
        ) : null}
      </div>
      {plan.continuousAggregates.length === 0 ? (
        <div className="dim">No continuous aggregates over the metrics: nothing to refresh after the push.</div>
      ) : (
        <table className="rp-table rp-aggregates" data-testid="push-plan-aggregates">
          <thead>
            <tr>
              <th>Continuous aggregate</th>
              <th>Bucket</th>
              <th>Refreshed over</th>
              <th>After the push</th>
            </tr>
          </thead>
          <tbody>
            {plan.continuousAggregates.map((a) => (
              <tr key={a.name} data-testid="push-plan-aggregate" data-can-refresh={a.canRefresh}>
                <td>
                  <code>{a.name}</code>
                </td>
                <td>{a.bucket ?? '—'}</td>
                <td>{a.window ? `${formatUtcInstant(a.window.start)} – ${formatUtcInstant(a.window.end)}` : '—'}</td>
                <td>{a.canRefresh ? 'refreshed' : <span className="form-error">not refreshed: {a.reason}</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
