/**
 * The push plan's figures: the pipeline's version and range, what happens to
 * the values, whether the definition goes along, the server's warnings, and
 * the values changed per day and metric.
 */
import type { PushPlanView } from '../../../shared/api/push';
import { lastDayOf } from '../../../shared/utcDays';
import { ValueCounts } from './PushControls';
import { setIncludeDefinition } from './pushPlanActions';
import { usePushPlan } from './pushPlanStore';
import { formatCount as n } from '../../workbench/format';

export function PushPlanFigures({ plan }: { plan: PushPlanView }) {
  const includeDefinition = usePushPlan((s) => s.includeDefinition);
  return (
    <>
      <p className="rp-plan-head" data-testid="push-plan-summary">
        <strong>{plan.pipelineId}</strong>{' '}
        {plan.definitionChanged
          ? `version ${plan.serverVersion} → ${plan.newVersion} (the draft's definition)`
          : `stays at version ${plan.serverVersion} (metrics only)`}
        {' · '}
        {plan.range.start.slice(0, 10)} – {lastDayOf(plan.range.end)} UTC · on {plan.server.host}:{plan.server.port}/
        {plan.server.database}
      </p>
      <p className="rp-plan-values" data-testid="push-plan-values">
        Values: <ValueCounts values={plan.values} />. The push writes only what changed: it deletes or overwrites{' '}
        <span data-testid="push-plan-delete">{n(plan.rowsToDelete)}</span> rows on the server and writes{' '}
        <span data-testid="push-plan-insert">{n(plan.rowsToInsert)}</span> (the overwritten ones are kept for undo);
        unchanged rows are not touched.
      </p>
      <label className="rp-check">
        <input type="checkbox" checked={includeDefinition} onChange={(e) => setIncludeDefinition(e.target.checked)} />
        Also save the draft as the pipeline&apos;s new definition
      </label>
      {plan.warnings.map((w) => (
        <div key={w} className="rp-warning" data-testid="push-plan-warning">
          {w}
        </div>
      ))}
      <PlanDays plan={plan} />
    </>
  );
}

/** Per UTC day and metric: values changed (added, removed) of the rows there. */
function PlanDays({ plan }: { plan: PushPlanView }) {
  const days = [...new Set(plan.days.map((d) => d.day))];
  const metrics = [...new Set(plan.days.map((d) => d.metricName))];
  const cell = (day: string, metric: string) => plan.days.find((d) => d.day === day && d.metricName === metric);
  return (
    <div className="rp-table-wrap rp-plan-table">
      <table className="rp-table">
        <thead>
          <tr>
            <th>Day (UTC)</th>
            {metrics.map((m) => (
              <th key={m} className="num">
                {m}
                <div className="dim">values changed of rows</div>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {days.map((day) => (
            <tr key={day}>
              <td>{day}</td>
              {metrics.map((m) => {
                const c = cell(day, m);
                return (
                  <td
                    key={m}
                    className="num"
                    title={
                      c
                        ? `${n(c.rowsToDelete)} rows deleted or overwritten, ${n(c.rowsToInsert)} written; ${n(c.values.unchanged)} values unchanged, not touched`
                        : undefined
                    }
                  >
                    {c ? (
                      <>
                        <span className={c.values.changed ? 'rp-changed' : 'dim'}>{n(c.values.changed)}</span>
                        {c.values.added ? <span className="rp-added"> +{n(c.values.added)}</span> : null}
                        {c.values.removed ? <span className="rp-removed"> −{n(c.values.removed)}</span> : null}
                        <span className="dim">
                          {' '}
                          of {n(c.values.added + c.values.removed + c.values.changed + c.values.unchanged)}
                        </span>
                      </>
                    ) : (
                      '—'
                    )}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
