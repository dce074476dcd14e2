/**
 * "Sync metrics": pick pipelines, metrics, series and a date range; see the
 * server's estimate; start the sync as a job and follow it here and in the
 * status bar. The final line says what was fetched. State and server calls
 * live in syncDialog.ts and syncActions.ts; each part below draws one area.
 */
import { useEffect } from 'react';
import { Modal } from '../common/Modal';
import { useSyncDialog, useSyncJob } from './syncDialog';
import { afterSyncFinished, closeSyncDialog, startSync } from './syncActions';
import { SyncDayRange } from './SyncDayRange';
import { DialogError } from '../common/DialogError';
import { SyncFooter } from './SyncFooter';
import { SyncMetricPicker, SyncPipelinePicker } from './SyncPickers';
import { SyncSeriesPicker } from './SyncSeriesPicker';

function startOnCtrlEnter(e: KeyboardEvent): void {
  if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
    e.preventDefault();
    void startSync();
  }
}

export function SyncDialog() {
  const options = useSyncDialog((s) => s.options);
  const optionsError = useSyncDialog((s) => s.optionsError);

  const finished = useSyncJob()?.finishedAt ?? null;
  useEffect(() => {
    if (finished) void afterSyncFinished();
  }, [finished]);

  return (
    <Modal
      title="Sync metrics to this computer"
      className="sync-dialog"
      testId="sync-dialog"
      closeTestId="close-sync-dialog"
      onClose={closeSyncDialog}
      onKeyDown={startOnCtrlEnter}
      badges={
        options ? (
          <span className={`badge ${options.mode === 'timescaledb' ? 'accent' : ''}`}>
            {options.mode === 'timescaledb' ? 'TimescaleDB' : 'plain PostgreSQL'}
          </span>
        ) : null
      }
    >
      <div className="modal-body sync-body">
        {optionsError ? <DialogError error={optionsError} testId="sync-options-error" /> : null}
        {!options && !optionsError ? <div className="empty-state">Reading pipelines from the server…</div> : null}
        {options && options.pipelines.length === 0 ? (
          <div className="empty-state">
            The server has no pipelines yet (dash.pipelines is empty), so there is nothing to sync.
          </div>
        ) : null}
        {options && options.pipelines.length > 0 ? (
          <div className="sync-columns">
            <SyncPipelinePicker />
            <SyncMetricPicker />
            <SyncSeriesPicker />
            <SyncDayRange />
          </div>
        ) : null}
      </div>
      <SyncFooter />
    </Modal>
  );
}
