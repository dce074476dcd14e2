/**
 * A finished preview: the totals with "Review push…", what was read, the
 * tables of changes, and current vs recomputed values of one series.
 */
import type { PreviewSummary } from '../../../shared/api/push';
import { request } from '../../workbench/intents';
import { SkippedFilesNotice } from '../common/SkippedFilesNotice';
import { DiffOverlayChart } from './DiffOverlayChart';
import { ErrorLine, ValueCounts } from './PushControls';
import { openPushPlan } from './pushPlanActions';
import { chooseOverlay } from './reprocessingActions';
import { formatCount as n, formatDuration } from '../../workbench/format';
import { useReprocessingStore } from './reprocessingStore';
import { CountsTable, LargestChanges } from './ReprocessingTables';

export function ReprocessingSummary({
  tabId,
  pipelineId,
  summary,
  unit,
}: {
  tabId: string;
  pipelineId: string;
  summary: PreviewSummary;
  /** The draft's unit of the charted metric, for the chart's axis. */
  unit: string;
}) {
  const chosen = useReprocessingStore((s) => s.byTab[tabId]?.chosen ?? null);
  const reviewPush = () => openPushPlan(tabId, pipelineId, summary.previewId);
  return (
    <div className="rp-summary" data-testid="rp-summary">
      <div className="rp-totals" data-testid="rp-totals">
        <span className="rp-added">+{n(summary.totals.added)} added</span>
        <span className="rp-removed">−{n(summary.totals.removed)} removed</span>
        <span className="rp-changed" data-testid="rp-total-changed">
          {n(summary.totals.changed)} changed
        </span>
        <span className="dim">{n(summary.totals.unchanged)} unchanged</span>

        <span className="toolbar-spacer" />
        <button type="button" className="run-button" data-testid="rp-review-push" onClick={reviewPush}>
          Review push…
        </button>
      </div>
      <p className="rp-meta">
        {n(summary.recomputedRows)} values recomputed, {n(summary.serverRows)} on the server · Bronze landing days{' '}
        {summary.bronzeDays.first} – {summary.bronzeDays.last} read
        {summary.filesCached ? ` (${n(summary.filesCached)} files cached for it)` : ''} ·{' '}
        {formatDuration(summary.elapsedMs)}
      </p>
      <SkippedFilesNotice
        files={summary.skippedFiles}
        missingFrom="this recomputation, so a push is refused until they are replaced"
      />
      {summary.totals.added + summary.totals.removed + summary.totals.changed === 0 ? (
        <p className="rp-same" data-testid="rp-unchanged">
          The draft gives exactly the server&apos;s metrics over this range (tolerance {summary.tolerance} relative).
        </p>
      ) : null}
      {summary.push ? (
        <p className="rp-outcome" data-testid="rp-pushed">
          Pushed as version {summary.push.pipelineVersion}
          {summary.push.values ? (
            <>
              : values <ValueCounts values={summary.push.values} />
            </>
          ) : null}{' '}
          ({n(summary.push.rowsInserted)} rows written).
        </p>
      ) : null}

      <div className="rp-grid">
        <CountsTable
          title="Per metric"
          testId="rp-per-metric"
          label="metric"
          rows={summary.perMetric.map((m) => ({
            key: m.metricName,
            counts: m,
            selected: chosen?.metricName === m.metricName,
            onClick: () =>
              void chooseOverlay(tabId, chosen?.seriesId ?? summary.perSeries[0]?.seriesId ?? '', m.metricName),
          }))}
        />
        <CountsTable
          title="Per day (UTC)"
          testId="rp-per-day"
          label="day"
          scroll
          rows={summary.perDay.map((d) => ({ key: d.day, counts: d }))}
        />
        <CountsTable
          title={`Per series ${summary.perSeries.length > 1 ? '(most changes first)' : ''}`}
          testId="rp-per-series"
          label="series"
          scroll
          rows={summary.perSeries.map((x) => ({
            key: x.seriesId,
            counts: x,
            selected: chosen?.seriesId === x.seriesId,
            onClick: () =>
              void chooseOverlay(tabId, x.seriesId, chosen?.metricName ?? summary.perMetric[0]?.metricName ?? ''),
          }))}
        />
        <LargestChanges tabId={tabId} summary={summary} />
      </div>

      <OverlaySection tabId={tabId} pipelineId={pipelineId} unit={unit} />
    </div>
  );
}

/** Current vs recomputed values of the chosen series and metric; a point opens the Bronze records behind it. */
function OverlaySection({ tabId, pipelineId, unit }: { tabId: string; pipelineId: string; unit: string }) {
  const chosen = useReprocessingStore((s) => s.byTab[tabId]?.chosen ?? null);
  const overlay = useReprocessingStore((s) => s.byTab[tabId]?.overlay ?? null);
  const overlayError = useReprocessingStore((s) => s.byTab[tabId]?.overlayError ?? null);
  return (
    <>
      <h4>
        Current vs recomputed{' '}
        {chosen ? (
          <span className="dim" data-testid="rp-overlay-title">
            {chosen.seriesId} · {chosen.metricName} — click a point for the Bronze records behind it
          </span>
        ) : null}
      </h4>
      {overlayError ? <ErrorLine error={overlayError} /> : null}
      {overlay ? (
        <DiffOverlayChart
          overlay={overlay}
          unit={unit}
          onPoint={(t) =>
            request('lineage.open', { pipelineId, seriesId: overlay.seriesId, time: new Date(t).toISOString() })
          }
        />
      ) : (
        <p className="dim">Pick a metric, a series or a change above to chart it.</p>
      )}
    </>
  );
}
