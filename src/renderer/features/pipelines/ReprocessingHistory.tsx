/** "Pushes to the server": the pipeline's push history, with undo and a second try at refreshing aggregates. */
import { formatInstant } from '../../../shared/timeZone';
import { lastDayOf } from '../../../shared/utcDays';
import { useWorkspaceStore, useWorkspaceTimeZone } from '../../state/workspaceStore';
import { AggregateRefreshNote } from './AggregateRefreshNote';
import { ErrorLine, ValueCounts } from './PushControls';
import { loadPushHistory } from './reprocessingActions';
import { formatCount as n } from '../../workbench/format';
import { openUndo, useReprocessingStore } from './reprocessingStore';

export function ReprocessingHistory({ tabId, pipelineId }: { tabId: string; pipelineId: string }) {
  const history = useReprocessingStore((s) => s.byTab[tabId]?.history ?? null);
  const historyError = useReprocessingStore((s) => s.byTab[tabId]?.historyError ?? null);
  const embedded = useWorkspaceStore((s) => s.status?.postgres?.embedded ?? false);
  const timeZone = useWorkspaceTimeZone();
  return (
    <>
      <h3>Pushes to the server</h3>
      {historyError ? <ErrorLine error={historyError} /> : null}
      {history && history.length === 0 ? (
        <p className="dim" data-testid="push-history-empty">
          No push of this pipeline yet.
        </p>
      ) : null}
      {history && history.length > 0 ? (
        <ul className="rp-history" data-testid="push-history">
          {history.map((p) => (
            <li key={p.pushId} data-testid="push-history-row" data-push={p.pushId}>
              <span className="rp-hist-main">
                <code>{p.pushId.slice(0, 8)}</code> {formatInstant(Date.parse(p.pushedAt), timeZone)} · {p.pushedBy} · v
                {p.baseVersion}→v{p.pipelineVersion} · {p.rangeStart.slice(0, 10)} – {lastDayOf(p.rangeEnd)} ·{' '}
                {p.values ? (
                  <ValueCounts values={p.values} testId="push-history-values" />
                ) : (
                  <span title="Pushed before the server kept value counts">
                    {n(p.rowsReplaced)} rows replaced by {n(p.rowsInserted)}
                  </span>
                )}
                {p.undoOf ? <span className="rp-tag">undo of {p.undoOf.slice(0, 8)}</span> : null}
                {p.undoneBy ? <span className="rp-tag">undone</span> : null}
                {p.comment ? <span className="dim"> · {p.comment}</span> : null}
              </span>
              {!p.undoneBy && !p.undoOf ? (
                <button
                  type="button"
                  className="plain-button"
                  data-testid="push-undo"
                  onClick={() => openUndo(tabId, p)}
                >
                  Undo…
                </button>
              ) : null}
              {p.aggregates?.some((a) => !a.refreshed) ? (
                <AggregateRefreshNote
                  pushId={p.pushId}
                  aggregates={p.aggregates}
                  credentials={null}
                  embedded={embedded}
                  onRefreshed={() => void loadPushHistory(tabId, pipelineId)}
                />
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
    </>
  );
}
