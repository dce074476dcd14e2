/**
 * The Connections dialog's state (opened from the sidebar's Connections header):
 * the profiles, which one is selected, its form, and what the last action said.
 * It lasts one opening: opening and closing start afresh, so a typed secret
 * never outlives the dialog. The API calls are in connectionsActions.ts.
 */
import { create } from 'zustand';
import type { ConnectionProfileView, ConnectionTestResult } from '../../../shared/api/connections';
import type { ErrorView } from '../../state/errorView';
import { useWorkspaceStore } from '../../state/workspaceStore';
import { latestReply } from '../../workbench/latestReply';
import { activeConnections, type ActiveConnection } from './activeConnections';
import { draftFromProfile, emptyDraft, type FieldErrors, type ProfileDraft, type ProfileKind } from './profileDraft';

/** A profile of the user's, a new one of a kind, or a connection in use that has no profile (the demo's). */
type Selection = { id: string } | { kind: ProfileKind } | { active: ActiveConnection['id'] } | null;

/** The action running now; every button waits while one does. */
export type Busy = null | 'test' | 'save' | 'delete' | 'lake' | 'secret';

/** What the form shows about the selected profile. */
interface FormState {
  draft: ProfileDraft | null;
  /** A secret typed for this profile; empty keeps the stored one. */
  secret: string;
  errors: FieldErrors;
  testResult: ConnectionTestResult | null;
  actionError: ErrorView | null;
  notice: string | null;
  confirmDelete: boolean;
}

export interface ConnectionsDialogState extends FormState {
  open: boolean;
  profiles: ConnectionProfileView[] | null;
  listError: ErrorView | null;
  selection: Selection;
  busy: Busy;
}

/** The form as it starts for `draft` (null: no form). */
export function freshForm(draft: ProfileDraft | null): FormState {
  return {
    draft,
    secret: '',
    errors: {},
    testResult: null,
    actionError: null,
    notice: null,
    confirmDelete: false,
  };
}

function freshDialog(open: boolean): ConnectionsDialogState {
  return { ...freshForm(null), open, profiles: null, listError: null, selection: null, busy: null };
}

export const useConnectionsDialog = create<ConnectionsDialogState>(() => freshDialog(false));

/** Replies belong to one opening of the dialog: one to an earlier opening is dropped. */
const opening = latestReply();

export function openConnectionsDialog(): void {
  opening.drop();
  useConnectionsDialog.setState(freshDialog(true));
}

export function closeConnectionsDialog(): void {
  opening.drop();
  useConnectionsDialog.setState(freshDialog(false));
}

export type DialogPatch =
  Partial<ConnectionsDialogState> | ((s: ConnectionsDialogState) => Partial<ConnectionsDialogState>);

/**
 * How an action that waits on the workbench changes the dialog: only while the
 * opening it started in lasts (a reply after closing changes nothing).
 */
export function dialogPatcher(): (patch: DialogPatch) => void {
  const counts = opening.current();
  return (patch) => {
    if (counts() && useConnectionsDialog.getState().open) useConnectionsDialog.setState(patch);
  };
}

/** The selected profile of the user's, as last listed. */
export function selectedProfile(s: ConnectionsDialogState): ConnectionProfileView | undefined {
  const { selection } = s;
  return selection && 'id' in selection ? s.profiles?.find((p) => p.profile.id === selection.id) : undefined;
}

/** The connections the workspace uses now, named after the user's profiles where one is behind them. */
export function useActiveConnections(): ActiveConnection[] {
  const status = useWorkspaceStore((s) => s.status);
  const profiles = useConnectionsDialog((s) => s.profiles);
  return status
    ? activeConnections(
        status,
        (profiles ?? []).map((v) => v.profile),
      )
    : [];
}

/** The dialog with `view` selected and its form as saved. */
export function profileSelected(view: ConnectionProfileView): Partial<ConnectionsDialogState> {
  return { selection: { id: view.profile.id }, ...freshForm(draftFromProfile(view.profile)) };
}

export function selectProfile(view: ConnectionProfileView): void {
  useConnectionsDialog.setState(profileSelected(view));
}

/** A connection in use: its profile's form, or (the demo's) what it is and why it cannot be changed here. */
export function selectActiveConnection(c: ActiveConnection): void {
  const view = c.profileId
    ? useConnectionsDialog.getState().profiles?.find((p) => p.profile.id === c.profileId)
    : undefined;
  if (view) return selectProfile(view);
  useConnectionsDialog.setState({ selection: { active: c.id }, ...freshForm(null) });
}

export function addProfile(kind: ProfileKind): void {
  useConnectionsDialog.setState({ selection: { kind }, ...freshForm(emptyDraft(kind)) });
}

/** Changes one field of the form and clears what was wrong with it. */
export function updateDraft<K extends keyof ProfileDraft>(key: K, value: ProfileDraft[K]): void {
  useConnectionsDialog.setState((s) => ({
    draft: s.draft ? { ...s.draft, [key]: value } : s.draft,
    errors: s.errors[key] ? { ...s.errors, [key]: undefined } : s.errors,
  }));
}

export function setSecret(secret: string): void {
  useConnectionsDialog.setState({ secret });
}

export function setConfirmDelete(confirmDelete: boolean): void {
  useConnectionsDialog.setState({ confirmDelete });
}
