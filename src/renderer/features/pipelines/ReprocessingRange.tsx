/** The preview's UTC days (both included), quick picks over the cached Bronze, Cancel and Preview. */
import type { JobSnapshot } from '../../../shared/api/contract';
import { cancelJob } from '../../state/workspaceActions';
import { UtcTimeInput } from '../common/UtcTimeInput';
import { patchReprocessing, pickPreviewRange, useReprocessingStore } from './reprocessingStore';

export function ReprocessingRange({
  tabId,
  cached,
  job,
  canPreview,
  previewTitle,
  onPreview,
}: {
  tabId: string;
  /** The first and last cached Bronze time; null while none is known. */
  cached: { first: number; last: number } | null;
  /** The preview's job, while it runs: it can be cancelled. */
  job: JobSnapshot | null;
  canPreview: boolean;
  previewTitle: string;
  onPreview: () => void;
}) {
  const startDay = useReprocessingStore((s) => s.byTab[tabId]?.startDay ?? '');
  const endDay = useReprocessingStore((s) => s.byTab[tabId]?.endDay ?? '');
  const running = job !== null && job.finishedAt === null;
  return (
    <div className="rp-range">
      <label>
        From
        <UtcTimeInput
          day
          className=""
          value={startDay}
          testId="rp-start"
          onChange={(day) => patchReprocessing(tabId, { startDay: day })}
        />
      </label>
      <label>
        to
        <UtcTimeInput
          day
          className=""
          value={endDay}
          testId="rp-end"
          onChange={(day) => patchReprocessing(tabId, { endDay: day })}
        />
      </label>
      <span className="dim">UTC, both days included</span>
      <button
        type="button"
        className="plain-button"
        disabled={!cached}
        onClick={() => cached && pickPreviewRange(tabId, 'week', cached)}
      >
        Last 7 days
      </button>
      <button
        type="button"
        className="plain-button"
        disabled={!cached}
        onClick={() => cached && pickPreviewRange(tabId, 'all', cached)}
      >
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
        title={previewTitle}
        onClick={onPreview}
      >
        Preview
      </button>
    </div>
  );
}
