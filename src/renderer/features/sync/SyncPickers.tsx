/** The sync dialog's pipeline and metric checkboxes; a pipeline says how much of it is cached. */
import { useShallow } from 'zustand/shallow';
import { formatCompactCount } from '../../workbench/format';
import { useSyncDialog, metricChoices } from './syncDialog';
import { togglePipeline, toggleMetric } from './syncActions';

export function SyncPipelinePicker() {
  const options = useSyncDialog((s) => s.options);
  const picked = useSyncDialog((s) => s.pipelines);
  const status = useSyncDialog((s) => s.status);
  const cachedOf = (id: string) => status?.pipelines.find((p) => p.pipelineId === id) ?? null;
  return (
    <fieldset className="sync-group" data-testid="sync-pipelines">
      <legend>Pipelines</legend>
      {options?.pipelines.map((p) => {
        const cached = cachedOf(p.id);
        return (
          <label key={p.id} className="form-check sync-check">
            <input
              type="checkbox"
              checked={picked.includes(p.id)}
              data-pipeline={p.id}
              onChange={() => togglePipeline(p.id)}
            />
            <span className="sync-check-label">{p.name}</span>
            <span className="dim sync-cached" title={cached?.lastSyncAt ? `Last sync ${cached.lastSyncAt}` : ''}>
              {cached && cached.days > 0
                ? `${cached.days} days cached${cached.syncedDays ? ` · ${formatCompactCount(cached.rows)} rows synced` : ''}`
                : 'not cached'}
            </span>
          </label>
        );
      })}
    </fieldset>
  );
}

export function SyncMetricPicker() {
  const choices = useSyncDialog(useShallow(metricChoices));
  const picked = useSyncDialog((s) => s.metrics);
  return (
    <fieldset className="sync-group" data-testid="sync-metrics">
      <legend>Metrics</legend>
      {choices.length === 0 ? <div className="dim">Pick a pipeline to see its metrics.</div> : null}
      {choices.map((m) => (
        <label key={m} className="form-check sync-check">
          <input type="checkbox" checked={picked.includes(m)} data-metric={m} onChange={() => toggleMetric(m)} />
          <span className="mono">{m}</span>
        </label>
      ))}
    </fieldset>
  );
}
