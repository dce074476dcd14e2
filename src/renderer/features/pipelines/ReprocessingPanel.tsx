/**
 * The pipeline editor's "Reprocessing preview": the draft recomputed over all
 * cached Bronze of a UTC range and compared with the server's metrics — totals
 * per metric, per series and per day, the largest changes, an overlay chart —
 * then "Review push…" and the server's push history with undo. State lives in
 * reprocessingStore.ts and pushPlanStore.ts, server calls in their actions.
 */
import { useEffect, useMemo } from 'react';
import type { PipelineDraft } from '../../../shared/formula';
import { useWorkspaceStore } from '../../state/workspaceStore';
import { spanOf, type PipelineEditorState } from './editorStore';
import { ErrorLine, JobLine } from './PushControls';
import { PushPlanDialog } from './PushPlanDialog';
import { usePushPlan } from './pushPlanStore';
import { loadPreviewResult, loadPushHistory, startPreview } from './reprocessingActions';
import { pickPreviewRange, useReprocessingStore } from './reprocessingStore';
import { ReprocessingHistory } from './ReprocessingHistory';
import { ReprocessingRange } from './ReprocessingRange';
import { ReprocessingSummary } from './ReprocessingSummary';
import { ReprocessingUndoDialog } from './ReprocessingUndoDialog';

export function ReprocessingPanel({
  tabId,
  editor,
  draft,
}: {
  tabId: string;
  editor: PipelineEditorState;
  draft: PipelineDraft;
}) {
  const s = useReprocessingStore((store) => store.byTab[tabId]);
  const job = useWorkspaceStore((store) => (s?.jobId ? (store.jobs[s.jobId] ?? null) : null));
  const planOpen = usePushPlan((plan) => plan.tabId === tabId);
  const pipelineId = editor.pipelineId;

  const cached = useMemo(() => spanOf(editor.series ?? []), [editor.series]);

  // A first range once the cached Bronze is known: its last 7 days.
  useEffect(() => {
    if (cached && !s?.startDay) pickPreviewRange(tabId, 'week', cached);
  }, [cached, s?.startDay, tabId]);

  useEffect(() => {
    void loadPushHistory(tabId, pipelineId);
  }, [tabId, pipelineId]);

  useEffect(() => {
    if (job?.state === 'succeeded' && s?.previewId && !s.summary) void loadPreviewResult(tabId);
  }, [job?.state, s?.previewId, s?.summary, tabId]);

  const summary = s?.summary ?? null;
  const running = job !== null && job.finishedAt === null;
  const errors = editor.checked?.diagnostics.some((d) => d.diagnostic.severity === 'error') ?? false;
  const baseVersion = editor.baseVersion ?? editor.server?.version ?? null;
  const rangeOk = !!s?.startDay && !!s.endDay && s.startDay <= s.endDay;
  const canPreview = !running && !errors && baseVersion !== null && rangeOk && draft.metrics.length > 0;
  const unit = draft.metrics.find((m) => m.name === s?.chosen?.metricName)?.unit ?? '';

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
      <ReprocessingRange
        tabId={tabId}
        cached={cached}
        job={job}
        canPreview={canPreview}
        previewTitle={
          errors
            ? 'Fix the problems in the draft first'
            : !rangeOk
              ? 'Pick a range whose start is not after its end'
              : 'Recompute the range and compare with the server (Ctrl/Cmd+Enter)'
        }
        onPreview={preview}
      />
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

      {summary ? <ReprocessingSummary tabId={tabId} pipelineId={pipelineId} summary={summary} unit={unit} /> : null}

      <ReprocessingHistory tabId={tabId} pipelineId={pipelineId} />

      {planOpen ? <PushPlanDialog /> : null}
      {s?.undo ? <ReprocessingUndoDialog tabId={tabId} pipelineId={pipelineId} undo={s.undo} /> : null}
    </div>
  );
}
