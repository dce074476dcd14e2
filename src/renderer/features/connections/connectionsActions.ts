/**
 * What the Connections dialog asks of the workbench: list, save, test, duplicate
 * and delete profiles, forget a stored secret, and choose the workspace's lake.
 * A failure is shown in the dialog (its list or its form), never thrown.
 */
import type { ConnectionProfile } from '../../../shared/api/connections';
import type { LakeSetting } from '../../../shared/api/lake';
import { toErrorView } from '../../state/errorView';
import { workbench } from '../../state/workbench';
import { applyStatus, refreshStatus } from '../../state/workspaceActions';
import { runAction } from '../../workbench/runAction';
import {
  dialogPatcher,
  freshForm,
  profileSelected,
  selectedProfile,
  useConnectionsDialog,
  type Busy,
  type ConnectionsDialogState,
  type DialogPatch,
} from './connectionsDialog';
import { checkDraft, draftFromProfile } from './profileDraft';

/** Reads the user's profiles again; a failure is shown above the list. */
export async function loadProfiles(): Promise<void> {
  const patch = dialogPatcher();
  try {
    const { profiles } = await workbench().call('connections.list', {});
    patch({ profiles, listError: null });
  } catch (err) {
    patch({ listError: toErrorView(err) });
  }
}

/** The form as a profile, or null with what is wrong shown at each field. */
function checkedProfile(): ConnectionProfile | null {
  const { draft, profiles } = useConnectionsDialog.getState();
  if (!draft) return null;
  const result = checkDraft(
    draft,
    (profiles ?? []).map((p) => p.profile.id),
  );
  useConnectionsDialog.setState({ errors: result.ok ? {} : result.errors });
  return result.ok ? result.profile : null;
}

/** Runs one action of the form: the buttons wait for it, and its failure is shown in the form. */
function runBusy(
  busy: Exclude<Busy, null>,
  start: Partial<ConnectionsDialogState>,
  work: (patch: (p: DialogPatch) => void) => Promise<void>,
): Promise<void> {
  const patch = dialogPatcher();
  return runAction<ConnectionsDialogState>(
    patch,
    { running: { busy, ...start }, done: { busy: null }, failed: (actionError) => ({ actionError }) },
    () => work(patch),
  );
}

/** Saves the form, with the typed secret when there is one (none typed keeps the stored one). */
export async function saveProfile(): Promise<void> {
  const profile = checkedProfile();
  const { busy, secret } = useConnectionsDialog.getState();
  if (!profile || busy) return;
  await runBusy('save', { actionError: null }, async (patch) => {
    const saved = await workbench().call('connections.save', secret !== '' ? { profile, secret } : { profile });
    await loadProfiles();
    patch({
      selection: { id: saved.profile.id },
      draft: draftFromProfile(saved.profile),
      secret: '',
      notice: `Saved “${saved.profile.name}”.`,
    });
    void refreshStatus();
  });
}

/** Removes the selected profile's stored secret. */
export async function forgetSecret(): Promise<void> {
  const profile = checkedProfile();
  if (!profile || useConnectionsDialog.getState().busy) return;
  await runBusy('secret', {}, async (patch) => {
    await workbench().call('connections.save', { profile, secret: null });
    await loadProfiles();
    patch({ secret: '', notice: 'The stored secret was removed.' });
  });
}

/**
 * Tests the form without saving it. A saved profile left as it is, with no secret
 * typed, is tested by id: the workbench then uses its stored secret.
 */
export async function testConnection(): Promise<void> {
  const profile = checkedProfile();
  const state = useConnectionsDialog.getState();
  if (!profile || state.busy) return;
  const { draft, secret } = state;
  const view = selectedProfile(state);
  const unchanged =
    view !== undefined && secret === '' && JSON.stringify(draftFromProfile(view.profile)) === JSON.stringify(draft);
  await runBusy('test', { testResult: null, actionError: null }, async (patch) => {
    const testResult = await workbench().call(
      'connections.test',
      unchanged ? { id: profile.id } : secret !== '' ? { profile, secret } : { profile },
    );
    patch({ testResult });
  });
}

/** Copies a profile (never its secret) and selects the copy. */
export async function duplicateProfile(id: string): Promise<void> {
  const patch = dialogPatcher();
  try {
    const copy = await workbench().call('connections.duplicate', { id });
    await loadProfiles();
    patch({ ...profileSelected(copy), notice: `Duplicated as “${copy.profile.name}”.` });
  } catch (err) {
    patch({ actionError: toErrorView(err) });
  }
}

export async function deleteProfile(id: string): Promise<void> {
  await runBusy('delete', {}, async (patch) => {
    await workbench().call('connections.delete', { id });
    await loadProfiles();
    patch({ selection: null, ...freshForm(null) });
  });
}

/** Makes a bucket profile, or the demo folder again, the workspace's lake. */
export async function setWorkspaceLake(setting: LakeSetting): Promise<void> {
  await runBusy('lake', { actionError: null }, async (patch) => {
    const status = await workbench().call('workspace.setLake', setting);
    // The lake is listed again when its phase became ready, as this reply or the workspace's events say first (once).
    applyStatus(status);
    patch({
      notice:
        setting.driver === 's3'
          ? `The workspace's lake is now ${status.lake?.location ?? 'this bucket'}.`
          : "The workspace's lake is the demo folder again.",
    });
  });
}
