/**
 * The pipeline editor's "Reprocessing preview": the draft recomputed over all
 * cached Bronze of a UTC range and compared with the server's metrics — totals
 * per metric, per series and per day, the largest changes, an overlay chart —
 * then "Review push…" and the server's push history with undo.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { DiffChange, DiffCounts, PreviewSummary, PushRecord } from '../../../shared/api/push';
import type { PipelineDraft } from '../../../shared/formula';
import { toErrorView, type ErrorView } from '../../state/errorView';
import { formatInstant } from '../../../shared/timeZone';
import { useWorkspaceStore, useWorkspaceTimeZone } from '../../state/workspaceStore';
import { cancelJob, refreshSection } from '../../state/workspaceActions';
import { workbench } from '../../state/workbench';
import { followServerPipeline, loadEditor } from './pipelineActions';
import { request } from '../../workbench/intents';
import { DiffOverlayChart } from './DiffOverlayChart';
import { spanOf, type PipelineEditorState } from './editorStore';
import { AggregateRefreshNote } from './AggregateRefreshNote';
import { CredentialsPrompt, ErrorLine, JobLine } from './PushControls';
import { PushPlanDialog, ValueCounts } from './PushPlanDialog';
import { SkippedFilesNotice } from '../common/SkippedFilesNotice';
import { UtcTimeInput } from '../common/UtcTimeInput';
import {
  DAY_MS,
  chooseOverlay,
  dayOf,
  lastDayOf,
  loadPreviewResult,
  loadPushHistory,
  patchReprocessing,
  startPreview,
  startUndo,
  useReprocessingStore,
} from './reprocessingStore';

const n = (v: number) => v.toLocaleString('en-US');
const fmt = (v: number | null) =>
  v === null
    ? '—'
    : Math.abs(v) >= 1e6 || (v !== 0 && Math.abs(v) < 1e-3)
      ? v.toExponential(4)
      : v.toPrecision(6).replace(/\.?0+$/, '');

interface CountsRow {
  key: string;
  counts: DiffCounts;
  selected?: boolean;
  onClick?: () => void;
}

/** Added/removed/changed/unchanged per metric, day or series; a row with onClick charts that metric or series. */
function CountsTable({
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

function UndoDialog({
  push,
  embedded,
  onClose,
  onDone,
}: {
  push: PushRecord;
  embedded: boolean;
  onClose: () => void;
  onDone: () => void;
}) {
  const timeZone = useWorkspaceTimeZone();
  const [jobId, setJobId] = useState<string | null>(null);
  const [error, setError] = useState<ErrorView | null>(null);
  const job = useWorkspaceStore((s) => (jobId ? (s.jobs[jobId] ?? null) : null));
  useEffect(() => {
    if (job?.state === 'succeeded') onDone();
  }, [job?.state, onDone]);
  return (
    <CredentialsPrompt
      title="Undo push"
      testId="undo-dialog"
      closeTestId="undo-close"
      confirmTestId="undo-confirm"
      confirmLabel="Undo push"
      danger
      busy={job !== null && job.finishedAt === null}
      embedded={embedded}
      onClose={onClose}
      onConfirm={(credentials) => {
        setError(null);
        startUndo(push.pushId, credentials).then(setJobId, (err: unknown) => setError(toErrorView(err)));
      }}
      after={
        <>
          <JobLine
            job={job}
            working="Undoing…"
            failure={{ message: 'The undo failed.', hint: 'Nothing was written.' }}
          />
          {error ? <ErrorLine error={error} /> : null}
        </>
      }
    >
      <p>
        Undo push <code>{push.pushId.slice(0, 8)}</code> of {formatInstant(Date.parse(push.pushedAt), timeZone)} by{' '}
        {push.pushedBy}? The {n(push.rowsReplaced)} rows it replaced in {push.rangeStart.slice(0, 10)} –{' '}
        {lastDayOf(push.rangeEnd)} come back
        {push.values
          ? ` (it changed ${n(push.values.changed)} values, added ${n(push.values.added)} and removed ${n(push.values.removed)}; those go back)`
          : ''}
        {push.pipelineVersion !== push.baseVersion
          ? `, and the definition of version ${push.baseVersion} is restored as a new version`
          : ''}
        . The undo is itself an audited push.
      </p>
    </CredentialsPrompt>
  );
}

export function ReprocessingPanel({
  tabId,
  editor,
  draft,
}: {
  tabId: string;
  editor: PipelineEditorState;
  draft: PipelineDraft;
}) {
  const state = useReprocessingStore((s) => s.byTab[tabId]);
  const job = useWorkspaceStore((s) => (state?.jobId ? (s.jobs[state.jobId] ?? null) : null));
  const embedded = useWorkspaceStore((s) => s.status?.postgres?.embedded ?? false);
  const timeZone = useWorkspaceTimeZone();
  const [planOpen, setPlanOpen] = useState(false);
  const [undoOf, setUndoOf] = useState<PushRecord | null>(null);
  const [largest, setLargest] = useState<'absolute' | 'relative'>('absolute');
  const pipelineId = editor.pipelineId;

  const cached = useMemo(() => spanOf(editor.series ?? []), [editor.series]);

  const setRange = useCallback(
    (which: 'week' | 'all') => {
      if (!cached) return;
      const endDay = dayOf(cached.last);
      const startDay = which === 'all' ? dayOf(cached.first) : dayOf(Date.parse(`${endDay}T00:00:00Z`) - 6 * DAY_MS);
      patchReprocessing(tabId, { startDay, endDay });
    },
    [cached, tabId],
  );

  // A first range once the cached Bronze is known: its last 7 days.
  useEffect(() => {
    if (cached && !state?.startDay) setRange('week');
  }, [cached, state?.startDay, setRange]);

  useEffect(() => {
    void loadPushHistory(tabId, pipelineId);
  }, [tabId, pipelineId]);

  useEffect(() => {
    if (job?.state === 'succeeded' && state?.previewId && !state.summary) void loadPreviewResult(tabId);
  }, [job?.state, state?.previewId, state?.summary, tabId]);

  const onPushed = useCallback(
    (pushed: PreviewSummary) => {
      void loadPushHistory(tabId, pipelineId);
      void loadPreviewResult(tabId, pushed);
      void refreshSection('pipelines');
      // The draft is now the server's new version: the editor starts from it (and the draft file has done its job).
      const outcome = pushed.push;
      if (outcome && !outcome.alreadyApplied && outcome.pipelineVersion !== pushed.baseVersion) {
        void workbench()
          .call('drafts.delete', { pipelineId })
          .finally(() => void loadEditor(tabId));
      }
    },
    [tabId, pipelineId],
  );

  const s = state;
  const summary = s?.summary ?? null;
  const running = job !== null && job.finishedAt === null;
  const errors = editor.checked?.diagnostics.some((d) => d.diagnostic.severity === 'error') ?? false;
  const baseVersion = editor.baseVersion ?? editor.server?.version ?? null;
  const rangeOk = !!s?.startDay && !!s.endDay && s.startDay <= s.endDay;
  const canPreview = !running && !errors && baseVersion !== null && rangeOk && draft.metrics.length > 0;
  const unit = draft.metrics.find((m) => m.name === s?.chosen?.metricName)?.unit ?? '';
  const changes: DiffChange[] = summary
    ? largest === 'absolute'
      ? summary.largestAbsolute
      : summary.largestRelative
    : [];

  const preview = () => {
    if (baseVersion === null) return;
    void startPreview(tabId, { pipelineId, baseVersion, draft });
  };

  return (
    <div
      className="rp-panel"
      data-testid="reprocessing-panel"
      onKeyDown={(e) => {
        if ((e.ctrlKey || e.metaKey) && e.key === 'Enter' && canPreview) {
          e.preventDefault();
          preview();
        }
      }}
    >
      <h3>Reprocessing preview</h3>
      <div className="rp-range">
        <label>
          From
          <UtcTimeInput
            day
            className=""
            value={s?.startDay ?? ''}
            testId="rp-start"
            onChange={(startDay) => patchReprocessing(tabId, { startDay })}
          />
        </label>
        <label>
          to
          <UtcTimeInput
            day
            className=""
            value={s?.endDay ?? ''}
            testId="rp-end"
            onChange={(endDay) => patchReprocessing(tabId, { endDay })}
          />
        </label>
        <span className="dim">UTC, both days included</span>
        <button type="button" className="plain-button" disabled={!cached} onClick={() => setRange('week')}>
          Last 7 days
        </button>
        <button type="button" className="plain-button" disabled={!cached} onClick={() => setRange('all')}>
          Whole cached range
        </button>
        <span className="toolbar-spacer" />
        {running && job ? (
          <button type="button" className="plain-button danger" onClick={() => void cancelJob(job.jobId)}>
            Cancel
          </button>
        ) : null}
        <button
          type="button"
          className="run-button"
          data-testid="rp-preview"
          disabled={!canPreview}
          title={
            errors
              ? 'Fix the problems in the draft first'
              : !rangeOk
                ? 'Pick a range whose start is not after its end'
                : 'Recompute the range and compare with the server (Ctrl/Cmd+Enter)'
          }
          onClick={preview}
        >
          Preview
        </button>
      </div>
      <p className="hint">
        Runs the draft over every cached Bronze record of the range on the local warehouse (Bronze landing days up to 3
        after the range are read for late records) and compares it with the server&apos;s metrics.
      </p>
      <JobLine
        job={job}
        working="Starting…"
        testId="rp-job"
        measured
        failure={{
          testId: 'rp-error',
          message: 'The preview failed.',
          hint: 'Fix what it says, then preview again.',
        }}
      />
      {job?.state === 'cancelled' ? <p className="dim">The preview was cancelled.</p> : null}
      {s?.error ? <ErrorLine error={s.error} testId="rp-error" /> : null}
      {!summary && !running && !s?.error && job?.state !== 'failed' ? (
        <p className="preview-empty" data-testid="rp-empty">
          {cached
            ? 'Pick a UTC range and preview to see exactly which metric values this draft would change on the server.'
            : 'No Bronze of this pipeline is on this machine yet: pick UTC days and preview — on an S3/R2 lake the preview caches the files it needs first.'}
        </p>
      ) : null}

      {summary ? (
        <div className="rp-summary" data-testid="rp-summary">
          <div className="rp-totals" data-testid="rp-totals">
            <span className="rp-added">+{n(summary.totals.added)} added</span>
            <span className="rp-removed">−{n(summary.totals.removed)} removed</span>
            <span className="rp-changed" data-testid="rp-total-changed">
              {n(summary.totals.changed)} changed
            </span>
            <span className="dim">{n(summary.totals.unchanged)} unchanged</span>

            <span className="toolbar-spacer" />
            <button type="button" className="run-button" data-testid="rp-review-push" onClick={() => setPlanOpen(true)}>
              Review push…
            </button>
          </div>
          <p className="rp-meta">
            {n(summary.recomputedRows)} values recomputed, {n(summary.serverRows)} on the server · Bronze landing days{' '}
            {summary.bronzeDays.first} – {summary.bronzeDays.last} read
            {summary.filesCached ? ` (${n(summary.filesCached)} files cached for it)` : ''} ·{' '}
            {(summary.elapsedMs / 1000).toFixed(1)} s
          </p>
          <SkippedFilesNotice
            files={summary.skippedFiles}
            missingFrom="this recomputation, so a push is refused until they are replaced"
          />
          {summary.totals.added + summary.totals.removed + summary.totals.changed === 0 ? (
            <p className="rp-same" data-testid="rp-unchanged">
              The draft gives exactly the server&apos;s metrics over this range (tolerance {summary.tolerance}{' '}
              relative).
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
                selected: s?.chosen?.metricName === m.metricName,
                onClick: () =>
                  void chooseOverlay(tabId, s?.chosen?.seriesId ?? summary.perSeries[0]?.seriesId ?? '', m.metricName),
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
                selected: s?.chosen?.seriesId === x.seriesId,
                onClick: () =>
                  void chooseOverlay(
                    tabId,
                    x.seriesId,
                    s?.chosen?.metricName ?? summary.perMetric[0]?.metricName ?? '',
                  ),
              }))}
            />
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
                          <td className="num">{fmt(c.current)}</td>
                          <td className="num">{fmt(c.recomputed)}</td>
                          <td className="num">{fmt(largest === 'absolute' ? c.absolute : c.relative)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
            </div>
          </div>

          <h4>
            Current vs recomputed{' '}
            {s?.chosen ? (
              <span className="dim" data-testid="rp-overlay-title">
                {s.chosen.seriesId} · {s.chosen.metricName} — click a point for the Bronze records behind it
              </span>
            ) : null}
          </h4>
          {s?.overlayError ? <ErrorLine error={s.overlayError} /> : null}
          {s?.overlay ? (
            <DiffOverlayChart
              overlay={s.overlay}
              unit={unit}
              onPoint={(t) =>
                request('lineage.open', { pipelineId, seriesId: s.overlay!.seriesId, time: new Date(t).toISOString() })
              }
            />
          ) : (
            <p className="dim">Pick a metric, a series or a change above to chart it.</p>
          )}
        </div>
      ) : null}

      <h3>Pushes to the server</h3>
      {s?.historyError ? <ErrorLine error={s.historyError} /> : null}
      {s?.history && s.history.length === 0 ? (
        <p className="dim" data-testid="push-history-empty">
          No push of this pipeline yet.
        </p>
      ) : null}
      {s?.history && s.history.length > 0 ? (
        <ul className="rp-history" data-testid="push-history">
          {s.history.map((p) => (
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
                <button type="button" className="plain-button" data-testid="push-undo" onClick={() => setUndoOf(p)}>
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

      {planOpen && s?.previewId ? (
        <PushPlanDialog previewId={s.previewId} onClose={() => setPlanOpen(false)} onPushed={onPushed} />
      ) : null}
      {undoOf ? (
        <UndoDialog
          push={undoOf}
          embedded={embedded}
          onClose={() => setUndoOf(null)}
          onDone={() => {
            setUndoOf(null);
            void loadPushHistory(tabId, pipelineId);
            void refreshSection('pipelines');
            // An undo may restore an older definition as a new version: the editor follows, as after a push.
            void followServerPipeline(tabId);
          }}
        />
      ) : null}
    </div>
  );
}
