/**
 * The secret of the selected profile: typed here and sent once, never shown
 * back; the form only learns whether one is stored, and can forget it.
 */
import { forgetSecret } from './connectionsActions';
import { selectedProfile, setSecret, useConnectionsDialog } from './connectionsDialog';
import { Field } from './FormField';
import { targetChanged, type ProfileDraft } from './profileDraft';

export function SecretField({ draft }: { draft: ProfileDraft }) {
  const view = useConnectionsDialog(selectedProfile);
  const secret = useConnectionsDialog((s) => s.secret);
  const error = useConnectionsDialog((s) => s.errors.secret);
  const busy = useConnectionsDialog((s) => s.busy);
  // A saved secret is only sent where it was saved for: a changed target needs it typed again.
  const movedTarget = view !== undefined && targetChanged(view.profile, draft);
  const keepsSecret = view?.hasSecret === true && !movedTarget;
  const hint = !movedTarget
    ? (view?.secretNote ?? 'Kept encrypted on this machine; never shown again once saved.')
    : draft.kind === 's3'
      ? 'The bucket, endpoint, region or access key id changed: enter the secret access key again (a saved one is only sent where it was saved for).'
      : 'The host, port, user or database changed: enter the password again (a saved one is only sent where it was saved for).';
  return (
    <>
      <Field name="secret" label={draft.kind === 's3' ? 'Secret access key' : 'Password'} error={error} hint={hint}>
        <input
          className="form-input"
          data-testid="field-secret"
          name="secret"
          type="password"
          value={secret}
          autoComplete="new-password"
          placeholder={keepsSecret ? 'stored — leave empty to keep' : ''}
          onChange={(e) => setSecret(e.target.value)}
        />
      </Field>
      {view?.hasSecret || view?.secretNote ? (
        <button
          type="button"
          className="link-button"
          data-testid="forget-secret"
          disabled={busy !== null}
          onClick={() => void forgetSecret()}
        >
          Forget secret
        </button>
      ) : null}
    </>
  );
}
