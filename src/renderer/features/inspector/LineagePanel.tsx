/**
 * Lineage of one metric point: the Bronze records of that series at that
 * time, the pipeline's filter and formulas, and each metric's value per
 * record where this build can evaluate formulas.
 */
import type { InspectorLineage, LineageRequest } from '../../../shared/api/inspector';
import { formatInstant } from '../../../shared/timeZone';
import type { ErrorView } from '../../state/errorView';
import { useWorkspaceTimeZone } from '../../state/workspaceStore';
import { ErrorPanel } from '../common/ErrorPanel';
import { CloseDetail, FieldsTable, Neighbour } from './RecordPanel';
import { JsonTree } from './JsonTree';

/** A metric value without binary floating-point noise (0.502999999997 → 0.503). */
function shown(value: string | number | boolean | null): string {
  if (value === null) return 'NULL';
  return typeof value === 'number' ? String(Number(value.toPrecision(10))) : String(value);
}

const OUTCOME: Record<InspectorLineage['evaluation']['rows'][number]['outcome'], [string, string]> = {
  kept: ['kept', 'The filter let it through: it counts in the metrics'],
  filtered: ['filtered out', 'The filter was not true for it: it does not count'],
  duplicate: ['duplicate', 'A later copy of a record already delivered: the first copy counts'],
};

/** The filter's value, then each metric's, for one record. */
function Steps({ step, lineage }: { step: InspectorLineage['evaluation']['rows'][number]; lineage: InspectorLineage }) {
  const p = lineage.pipeline;
  if (!p) return null;
  return (
    <table className="insp-fields insp-steps" data-testid="insp-steps" data-outcome={step.outcome}>
      <tbody>
        <tr>
          <th>1. filter</th>
          <td className="mono">{p.filter ?? '(none)'}</td>
          <td className="mono">{shown(step.filter)}</td>
          <td className={`insp-outcome ${step.outcome}`} title={OUTCOME[step.outcome][1]}>
            {OUTCOME[step.outcome][0]}
          </td>
        </tr>
        {p.metrics.map((m, i) => (
          <tr key={m.name}>
            <th>
              {i + 2}. {m.name}
            </th>
            <td className="mono">{m.formula}</td>
            <td className="mono" data-testid="insp-step-value">
              {step.outcome === 'kept' ? shown(step.values[m.name] ?? null) : '—'}
            </td>
            <td className="insp-type">{m.unit}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function LineagePanel({
  request,
  lineage,
  error,
}: {
  request: LineageRequest;
  lineage: InspectorLineage | null;
  error: ErrorView | null;
}) {
  const p = lineage?.pipeline ?? null;
  const timeZone = useWorkspaceTimeZone();
  return (
    <section className="insp-panel" data-testid="insp-lineage">
      <header className="insp-panel-header">
        <span className="insp-panel-title">
          {request.pipelineId} · <span className="mono">{request.seriesId}</span> ·{' '}
          <span className="mono">{formatInstant(Date.parse(request.time), timeZone)}</span>
        </span>
        <CloseDetail label="Close the lineage" />
      </header>
      <div className="insp-panel-body">
        {error ? <ErrorPanel error={error} /> : null}
        {!lineage && !error ? <div className="pq-loading">Finding the Bronze records of this point…</div> : null}
        {lineage ? (
          <>
            {lineage.pipelineNote ? <div className="form-notice">{lineage.pipelineNote}</div> : null}
            {p ? (
              <div className="insp-pipeline">
                <div>
                  <span className="dim">Pipeline</span> {p.name} <span className="dim">v{p.version}</span>
                </div>
                <div>
                  <span className="dim">Filter</span>{' '}
                  <code className="mono">{p.filter ?? 'none: every record counts'}</code>
                </div>
                <table className="insp-fields">
                  <tbody>
                    {p.metrics.map((m) => (
                      <tr key={m.name}>
                        <th>{m.name}</th>
                        <td className="mono">{m.formula}</td>
                        <td className="insp-type">{m.unit}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
                {lineage.evaluation.note ? <div className="dim insp-note">{lineage.evaluation.note}</div> : null}
              </div>
            ) : null}
            {lineage.problems.length ? (
              <div className="form-notice">
                {lineage.problems.map((pr) => (
                  <div key={pr.key}>
                    <span className="mono">{pr.key}</span>: {pr.message}
                  </div>
                ))}
              </div>
            ) : null}
            {lineage.previous ? (
              <>
                <h4 className="insp-heading">Previous record (what rate and delta compare with)</h4>
                <div className="insp-neighbours">
                  <Neighbour match={lineage.previous} />
                </div>
              </>
            ) : null}
            {lineage.records.length === 0 ? (
              <div className="empty-state">
                No Bronze record of {request.seriesId} has this exact time. The lake may have changed since the metric
                was computed, or the point comes from a different lake.
              </div>
            ) : null}
            {lineage.records.map((r, i) => {
              const raw = r.fields.find((f) => f.name === 'raw')?.value;
              return (
                <div key={`${r.key}:${r.row}`} className="insp-lineage-record" data-testid="insp-lineage-record">
                  <h4 className="insp-heading">
                    Record {i + 1} of {lineage.records.length}{' '}
                    <span className="mono dim">
                      {r.key} · row {r.row}
                    </span>
                  </h4>
                  {lineage.evaluation.rows[i] ? <Steps step={lineage.evaluation.rows[i]} lineage={lineage} /> : null}
                  <FieldsTable match={r} />
                  {typeof raw === 'string' ? <JsonTree text={raw} /> : null}
                </div>
              );
            })}
          </>
        ) : null}
      </div>
    </section>
  );
}
