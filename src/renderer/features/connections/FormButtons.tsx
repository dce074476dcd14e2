/** The form's buttons: test and save; for a saved profile also lake, duplicate and delete. */
import { useWorkspaceStore } from '../../state/workspaceStore';
import { deleteProfile, duplicateProfile, setWorkspaceLake, testConnection } from './connectionsActions';
import { selectedProfile, setConfirmDelete, useConnectionsDialog } from './connectionsDialog';

export function FormButtons() {
  const busy = useConnectionsDialog((s) => s.busy);
  const view = useConnectionsDialog(selectedProfile);
  const confirmDelete = useConnectionsDialog((s) => s.confirmDelete);
  const lake = useWorkspaceStore((s) => s.status?.lake ?? null);
  const isLake = lake?.driver === 's3' && view !== undefined && lake.connectionId === view.profile.id;
  return (
    <div className="form-actions">
      <button
        type="button"
        className="plain-button"
        data-testid="test-connection"
        disabled={busy !== null}
        onClick={() => void testConnection()}
      >
        {busy === 'test' ? 'Testing…' : 'Test connection'}
      </button>
      <button type="submit" className="run-button" data-testid="save-connection" disabled={busy !== null}>
        {busy === 'save' ? 'Saving…' : 'Save'}
      </button>
      <span className="toolbar-spacer" />
      {view ? (
        <>
          {view.profile.kind === 's3' ? (
            <button
              type="button"
              className="plain-button"
              data-testid="use-as-lake"
              disabled={busy !== null || isLake}
              title={isLake ? "Already this workspace's lake" : undefined}
              onClick={() => void setWorkspaceLake({ driver: 's3', connectionId: view.profile.id })}
            >
              {isLake ? "This workspace's lake" : "Use as this workspace's lake"}
            </button>
          ) : null}
          <button
            type="button"
            className="plain-button"
            data-testid="duplicate-connection"
            disabled={busy !== null}
            onClick={() => void duplicateProfile(view.profile.id)}
          >
            Duplicate
          </button>
          {confirmDelete ? (
            <span className="confirm">
              Delete “{view.profile.name}”?
              <button
                type="button"
                className="plain-button danger"
                data-testid="confirm-delete"
                onClick={() => void deleteProfile(view.profile.id)}
              >
                Delete
              </button>
              <button type="button" className="plain-button" onClick={() => setConfirmDelete(false)}>
                Keep
              </button>
            </span>
          ) : (
            <button
              type="button"
              className="plain-button danger"
              data-testid="delete-connection"
              disabled={busy !== null}
              onClick={() => setConfirmDelete(true)}
            >
              Delete…
            </button>
          )}
        </>
      ) : null}
    </div>
  );
}
