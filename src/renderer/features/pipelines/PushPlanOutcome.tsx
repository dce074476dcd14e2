/** What the push did, once it succeeded: values, rows, the new version, and the continuous aggregates' refresh. */
import type { PushOutcome } from '../../../shared/api/push';
import { useWorkspaceStore } from '../../state/workspaceStore';
import { formatCount as n } from '../../workbench/format';
import { AggregateRefreshNote } from './AggregateRefreshNote';
import { ValueCounts } from './PushControls';
import { rereadPushOutcome } from './pushPlanActions';
import { usePushPlan } from './pushPlanStore';

export function PushPlanOutcome({ outcome }: { outcome: PushOutcome }) {
  const credentials = usePushPlan((s) => s.credentials);
  const embedded = useWorkspaceStore((s) => s.status?.postgres?.embedded ?? false);
  return (
    <div className="rp-outcome" data-testid="push-result">
      {outcome.alreadyApplied ? 'This push had already been applied; nothing was written again. ' : 'Pushed: '}
      {outcome.values ? (
        <>
          values <ValueCounts values={outcome.values} testId="push-result-values" /> (
        </>
      ) : (
        '('
      )}
      {n(outcome.rowsReplaced)} rows replaced by {n(outcome.rowsInserted)}); the pipeline is at version{' '}
      {outcome.pipelineVersion}. Checksum <code>{outcome.checksum.slice(0, 19)}…</code>
      <AggregateRefreshNote
        pushId={outcome.pushId}
        aggregates={outcome.aggregates}
        credentials={credentials}
        embedded={embedded}
        onRefreshed={() => void rereadPushOutcome()}
      />
    </div>
  );
}
