/**
 * Before the push: the write credentials (typed for this push only), which
 * role the plan was checked as, with "Check as the write user", and a comment
 * kept in the audit row.
 */
import type { PushPlanView } from '../../../shared/api/push';
import { CredentialFields } from './PushControls';
import { checkPushPlanAs } from './pushPlanActions';
import { setPushComment, setPushCredentials, usePushPlan } from './pushPlanStore';

export function PushPlanCredentials({ plan }: { plan: PushPlanView }) {
  const credentials = usePushPlan((s) => s.credentials);
  const checkedWith = usePushPlan((s) => s.checkedWith);
  const checking = usePushPlan((s) => s.checking);
  const comment = usePushPlan((s) => s.comment);
  return (
    <>
      <CredentialFields embedded={plan.server.embedded} onChange={setPushCredentials} />
      <div className="rp-checked-as" data-testid="push-plan-checked-as">
        <span className="dim">
          Checked as <strong>{plan.checkedAs}</strong>
          {checkedWith ? ' (the write user)' : ' (the exploration user)'}: its privileges, decompression limit and
          refresh rights are the ones shown.
        </span>
        <button
          type="button"
          className="plain-button"
          data-testid="push-plan-check"
          disabled={!credentials || checking}
          title="Ask the server what this user may do, before pushing"
          onClick={() => credentials && checkPushPlanAs(credentials)}
        >
          {checking ? 'Checking…' : 'Check as the write user'}
        </button>
      </div>
      <label className="rp-comment">
        Comment
        <input
          value={comment}
          placeholder="why this push (kept in the audit row)"
          onChange={(e) => setPushComment(e.target.value)}
        />
      </label>
    </>
  );
}
